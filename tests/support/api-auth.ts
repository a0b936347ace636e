/**
 * Route handlers check authentication themselves (apiRoute), so tests that call them directly sign
 * in as an API client would: PGFERRY_PASSWORD set for this process, sent as a bearer token.
 */
export const TEST_API_PASSWORD = "test-api-password-0123456789";

export function setTestApiPassword(): void {
  process.env.PGFERRY_PASSWORD = TEST_API_PASSWORD;
}

export function bearerHeaders(extra: Record<string, string> = {}): Record<string, string> {
  return { authorization: `Bearer ${TEST_API_PASSWORD}`, ...extra };
}
