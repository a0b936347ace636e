/**
 * What to tell the user when an API call failed: the API's own message (`{ error: { message } }`,
 * written to be shown), else the HTTP status, or, when pgferry did not answer at all (`response`
 * null), that it is not reachable.
 */
export async function apiErrorMessage(response: Response | null): Promise<string> {
  if (!response) return "Could not reach pgferry. Is it running?";
  const body = await response.json().catch(() => null);
  return body?.error?.message ?? `The server answered ${response.status}.`;
}
