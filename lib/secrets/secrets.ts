import { open, seal, sealedKeyId } from "@/lib/secrets/box";
import { type Keyring, loadKeyring } from "@/lib/secrets/keys";

/**
 * Encryption of secrets at rest (peer passwords in the catalog). See keys.ts for where the key
 * comes from and box.ts for the format. The keyring is loaded on first use and kept for the life
 * of the process; a missing key file is created then.
 */

let cached: Keyring | undefined;

function keyring(): Keyring {
  cached ??= loadKeyring();
  return cached;
}

/**
 * Encrypts `plaintext` with the current key. `context` (optional, e.g. "peer:prod_db") binds the
 * result to what it belongs to: decryptSecret must be given the same context.
 */
export function encryptSecret(plaintext: string, context?: string): string {
  return seal(keyring().current, plaintext, context);
}

/**
 * Decrypts what encryptSecret produced. Throws a UserFacingError (status 500) when the blob was
 * altered ("secret_corrupt"), was sealed with a key that is not loaded ("secret_key_mismatch"), or
 * is not in a known format ("secret_format_unknown"). Never puts the blob or the secret in a message.
 */
export function decryptSecret(blob: string, context?: string): string {
  return open(keyring(), blob, context);
}

/** False when the blob was sealed with an older key and should be re-encrypted (key rotation). */
export function isSealedWithCurrentKey(blob: string): boolean {
  return sealedKeyId(blob) === keyring().current.id;
}

/** For tests and key rotation: use this keyring instead of the environment's. */
export function useKeyring(next: Keyring | undefined): void {
  cached = next;
}
