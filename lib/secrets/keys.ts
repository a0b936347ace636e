import { createHmac, randomBytes, scryptSync } from "node:crypto";
import { closeSync, fsyncSync, linkSync, mkdirSync, openSync, readFileSync, statSync, unlinkSync, writeSync } from "node:fs";
import path from "node:path";
import { UserFacingError } from "@/lib/errors/user-facing-error";

/**
 * Where the key that encrypts peer passwords comes from, in this order:
 *
 * 1. PGFERRY_SECRET_KEY, if set:
 *    - 64 hex characters, or base64 (standard or URL-safe) of exactly 32 bytes: used as the key
 *      as is. Recommended: `openssl rand -base64 32`.
 *    - anything else is a passphrase (at least 16 characters): the key is derived from it with
 *      scrypt (N=2^15, r=8, p=1) and a fixed, pgferry-specific salt, so every process that has the
 *      same passphrase derives the same key.
 * 2. Otherwise the key file `secret.key` in the data folder (PGFERRY_DATA_DIR, default ./.pgferry):
 *    32 random bytes, base64, created on first use with mode 0600 (readable only by its owner).
 *    A key file that others can read is refused.
 *
 * Keep the key as safe as the catalog backups: without it the stored passwords cannot be read,
 * and with it (and a catalog dump) they can.
 */

export const KEY_BYTES = 32;
/** Default: ".pgferry", the same data folder the rest of pgferry uses. */
export const DEFAULT_DATA_DIR = ".pgferry";
export const KEY_FILE_NAME = "secret.key";
/** Passphrases shorter than this are refused: scrypt slows guessing, it cannot make a short phrase strong. */
export const MIN_PASSPHRASE_LENGTH = 16;

const PASSPHRASE_SALT = "pgferry/secret-key/v1";
const SCRYPT = { N: 2 ** 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };

export type KeySource = "env" | "env-passphrase" | "file";

export interface SecretKey {
  /** Short fingerprint stored with each ciphertext, so the right key is picked after a rotation. */
  id: string;
  key: Buffer;
  source: KeySource;
}

/**
 * The keys pgferry can decrypt with: `current` encrypts; `previous` keys (after a rotation) are
 * only used to decrypt secrets not yet re-encrypted.
 */
export interface Keyring {
  current: SecretKey;
  previous: SecretKey[];
}

/** A fingerprint that reveals nothing usable about the key: HMAC of a constant under it, 8 bytes. */
export function keyId(key: Buffer): string {
  return createHmac("sha256", key).update("pgferry key id").digest("hex").slice(0, 16);
}

function secretKey(key: Buffer, source: KeySource): SecretKey {
  return { id: keyId(key), key, source };
}

/** Parses a PGFERRY_SECRET_KEY value: raw key (hex or base64) or passphrase. */
export function keyFromSetting(value: string): SecretKey {
  const text = value.trim();
  if (/^[0-9a-fA-F]{64}$/.test(text)) return secretKey(Buffer.from(text, "hex"), "env");
  if (/^[A-Za-z0-9+/_-]{43}=?$/.test(text)) {
    const bytes = Buffer.from(text.replaceAll("-", "+").replaceAll("_", "/"), "base64");
    if (bytes.length === KEY_BYTES) return secretKey(bytes, "env");
  }
  if (text.length < MIN_PASSPHRASE_LENGTH) {
    throw new UserFacingError(
      `PGFERRY_SECRET_KEY is too short. Use a random key (openssl rand -base64 32) or a passphrase of at least ${MIN_PASSPHRASE_LENGTH} characters.`,
      "secret_key_invalid",
      undefined,
      500,
    );
  }
  return secretKey(scryptSync(text, PASSPHRASE_SALT, KEY_BYTES, SCRYPT), "env-passphrase");
}

/** Reads the key file, creating it (mode 0600, folder 0700) when it does not exist yet. */
export function keyFromFile(dataDir: string): SecretKey {
  const file = path.join(dataDir, KEY_FILE_NAME);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  try {
    return readKeyFile(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  createKeyFile(file);
  return readKeyFile(file);
}

/**
 * Writes a new key to a private temporary file and links it into place: link() fails when the
 * file exists, so when the web app and a worker start together exactly one key wins and nobody
 * ever reads a half-written file.
 */
function createKeyFile(file: string) {
  const temporary = `${file}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
  const fd = openSync(temporary, "wx", 0o600);
  try {
    writeSync(fd, `${randomBytes(KEY_BYTES).toString("base64")}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    linkSync(temporary, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
  } finally {
    unlinkSync(temporary);
  }
}

function readKeyFile(file: string): SecretKey {
  const mode = statSync(file).mode & 0o777;
  // Windows reports no meaningful owner-only modes.
  if (process.platform !== "win32" && (mode & 0o077) !== 0) {
    throw new UserFacingError(
      `The key file ${file} can be read by other users (mode ${mode.toString(8)}). Run: chmod 600 ${file}`,
      "secret_key_file_unsafe",
      undefined,
      500,
    );
  }
  const key = Buffer.from(readFileSync(file, "utf8").trim(), "base64");
  if (key.length !== KEY_BYTES) {
    throw new UserFacingError(
      `The key file ${file} does not hold a ${KEY_BYTES}-byte base64 key. Restore it from a backup; without it stored peer passwords cannot be decrypted.`,
      "secret_key_file_invalid",
      undefined,
      500,
    );
  }
  return secretKey(key, "file");
}

/**
 * The keyring from the environment (see the top of this file). Creates the key file if needed.
 * PGFERRY_SECRET_KEY_PREVIOUS (comma-separated, same forms as PGFERRY_SECRET_KEY) lists keys that
 * were current before a rotation: they only decrypt, and `npm start` re-encrypts what they sealed
 * with the current key (lib/catalog/reencrypt-peer-passwords.ts), after which they can be dropped.
 */
export function loadKeyring(env: Record<string, string | undefined> = process.env): Keyring {
  const setting = env.PGFERRY_SECRET_KEY;
  const current = setting?.trim()
    ? keyFromSetting(setting)
    : keyFromFile(path.resolve(env.PGFERRY_DATA_DIR || DEFAULT_DATA_DIR));
  const previous = (env.PGFERRY_SECRET_KEY_PREVIOUS ?? "")
    .split(",")
    .map((value) => value.trim())
    .filter((value) => value !== "")
    .map(keyFromSetting)
    .filter((key) => key.id !== current.id);
  return { current, previous };
}
