/** Replaces every occurrence of the secret with "***". */
export function scrubSecret(text: string, secret: string | null | undefined): string {
  return secret ? text.replaceAll(secret, "***") : text;
}
