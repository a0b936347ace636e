import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { UserFacingError } from "@/lib/errors/user-facing-error";
import type { Keyring, SecretKey } from "@/lib/secrets/keys";

/**
 * AES-256-GCM sealing of short secrets (peer passwords) for storage in the catalog.
 *
 * Format, version 1 (ASCII, fits a text column):
 *
 *     pgf1:<key id>:<iv>:<ciphertext>:<tag>       (iv, ciphertext, tag in base64url)
 *
 * - A fresh random 96-bit IV per secret (GCM's standard nonce size).
 * - The header "pgf1:<key id>" and the optional caller context (e.g. "peer:prod_db") are
 *   authenticated as additional data: changing any part of the string, or moving a secret to
 *   another context, makes decryption fail instead of yielding something else.
 * - The key id names the key that sealed it, so after a key rotation old secrets are opened with
 *   the previous key and a mismatch is reported as such, not as corruption.
 * A future format gets a new prefix (pgf2:…); version 1 stays readable.
 */

const VERSION = "pgf1";
const IV_BYTES = 12;
const TAG_BYTES = 16;

function additionalData(header: string, context: string | undefined): Buffer {
  return Buffer.from(context === undefined ? header : `${header}\n${context}`, "utf8");
}

export function seal(key: SecretKey, plaintext: string, context?: string): string {
  const header = `${VERSION}:${key.id}`;
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv("aes-256-gcm", key.key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(additionalData(header, context));
  const ciphertext = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  const tag = cipher.getAuthTag();
  return [header, iv.toString("base64url"), ciphertext.toString("base64url"), tag.toString("base64url")].join(":");
}

/** Thrown for a sealed secret that cannot be opened; the message never includes the blob. */
function unreadable(code: string, message: string) {
  return new UserFacingError(message, code, undefined, 500);
}

/** The key id a sealed secret was made with, or null when it is not in a known format. */
export function sealedKeyId(blob: string): string | null {
  const parts = blob.split(":");
  return parts.length === 5 && parts[0] === VERSION ? parts[1] : null;
}

export function open(keyring: Keyring, blob: string, context?: string): string {
  const parts = blob.split(":");
  if (parts.length !== 5 || parts[0] !== VERSION) {
    throw unreadable("secret_format_unknown", "A stored secret is not in a format this version of pgferry can read.");
  }
  const [version, id, ivText, ciphertextText, tagText] = parts;
  const key = [keyring.current, ...keyring.previous].find((k) => k.id === id);
  if (!key) {
    throw unreadable(
      "secret_key_mismatch",
      `A stored secret was encrypted with a different key (id ${id}; the current key is ${keyring.current.id}). ` +
        "Set PGFERRY_SECRET_KEY (or restore secret.key) to the key used when it was saved, or enter the password again.",
    );
  }
  const iv = strictBase64url(ivText);
  const tag = strictBase64url(tagText);
  const ciphertext = strictBase64url(ciphertextText);
  if (iv?.length !== IV_BYTES || tag?.length !== TAG_BYTES || !ciphertext) {
    throw unreadable("secret_corrupt", "A stored secret is damaged or was altered; enter the password again.");
  }
  try {
    const decipher = createDecipheriv("aes-256-gcm", key.key, iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(additionalData(`${version}:${id}`, context));
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString("utf8");
  } catch {
    throw unreadable("secret_corrupt", "A stored secret is damaged or was altered; enter the password again.");
  }
}

/** Node's base64 decoder skips characters it does not know; an altered string must not pass. */
function strictBase64url(text: string): Buffer | null {
  const bytes = Buffer.from(text, "base64url");
  return bytes.toString("base64url") === text ? bytes : null;
}
