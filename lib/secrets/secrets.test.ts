import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { UserFacingError } from "@/lib/errors/user-facing-error";
import { decryptSecret, encryptSecret, isSealedWithCurrentKey, useKeyring } from "@/lib/secrets/secrets";
import { open, seal } from "@/lib/secrets/box";
import { type Keyring, keyFromFile, keyFromSetting, loadKeyring } from "@/lib/secrets/keys";

const temporaryDirs: string[] = [];
function temporaryDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), "pgferry-secrets-"));
  temporaryDirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of temporaryDirs) rmSync(dir, { recursive: true, force: true });
});

const ring = (setting = randomBytes(32).toString("base64")): Keyring => ({ current: keyFromSetting(setting), previous: [] });

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(UserFacingError);
    return (error as UserFacingError).code;
  }
  throw new Error("expected an error");
}

describe("sealing", () => {
  const keys = ring();

  test("round-trips text, including empty and non-ASCII", () => {
    for (const text of ["s3cr3t-P@ss", "", "pässwörd ✓ 密码", "x".repeat(5000)]) {
      const blob = seal(keys.current, text);
      expect(blob.startsWith(`pgf1:${keys.current.id}:`)).toBe(true);
      expect(blob).not.toContain(text || "\0");
      expect(open(keys, blob)).toBe(text);
    }
  });

  test("the same text encrypts differently each time (fresh IV)", () => {
    expect(seal(keys.current, "same")).not.toBe(seal(keys.current, "same"));
  });

  test("detects tampering with any part", () => {
    const blob = seal(keys.current, "tamper-me");
    const parts = blob.split(":");
    const flip = (text: string) => (text[0] === "A" ? "B" : "A") + text.slice(1);
    for (const index of [2, 3, 4]) {
      const altered = parts.map((p, i) => (i === index ? flip(p) : p)).join(":");
      expect(codeOf(() => open(keys, altered))).toBe("secret_corrupt");
    }
    // A character Node's lenient base64 decoder would skip still counts as an alteration.
    expect(codeOf(() => open(keys, `${blob}!`))).toBe("secret_corrupt");
    expect(codeOf(() => open(keys, blob.slice(0, -2)))).toBe("secret_corrupt");
    expect(codeOf(() => open(keys, blob.replace("pgf1:", "pgf9:")))).toBe("secret_format_unknown");
    expect(codeOf(() => open(keys, "plain text password"))).toBe("secret_format_unknown");
  });

  test("binds the secret to its context", () => {
    const blob = seal(keys.current, "pw", "peer:a");
    expect(open(keys, blob, "peer:a")).toBe("pw");
    expect(codeOf(() => open(keys, blob, "peer:b"))).toBe("secret_corrupt");
    expect(codeOf(() => open(keys, blob))).toBe("secret_corrupt");
  });

  test("a different key fails with a key mismatch, and the message leaks nothing", () => {
    const blob = seal(keys.current, "distinctive-Secret-42");
    const other = ring();
    try {
      open(other, blob);
      expect.unreachable();
    } catch (error) {
      const e = error as UserFacingError;
      expect(e.code).toBe("secret_key_mismatch");
      expect(e.message).not.toContain("distinctive-Secret-42");
      expect(e.message).not.toContain(blob.split(":")[3]);
    }
  });

  test("a key with a forged id still fails authentication", () => {
    const blob = seal(keys.current, "pw");
    const impostor: Keyring = { current: { ...ring().current, id: keys.current.id }, previous: [] };
    expect(codeOf(() => open(impostor, blob))).toBe("secret_corrupt");
  });

  test("after a rotation the previous key still opens old secrets", () => {
    const old = seal(keys.current, "old-pw");
    const rotated: Keyring = { current: ring().current, previous: [keys.current] };
    expect(open(rotated, old)).toBe("old-pw");
    expect(open(rotated, seal(rotated.current, "new-pw"))).toBe("new-pw");
  });
});

describe("PGFERRY_SECRET_KEY", () => {
  test("accepts 32 bytes as hex, base64 and base64url, all the same key", () => {
    const raw = randomBytes(32);
    const ids = [raw.toString("hex"), raw.toString("base64"), raw.toString("base64url")].map((s) => keyFromSetting(s));
    expect(ids.every((k) => k.source === "env" && k.key.equals(raw))).toBe(true);
  });

  test("derives a stable key from a passphrase and refuses short ones", () => {
    const a = keyFromSetting("correct horse battery staple");
    const b = keyFromSetting("correct horse battery staple");
    expect(a.source).toBe("env-passphrase");
    expect(a.key.length).toBe(32);
    expect(a.key.equals(b.key)).toBe(true);
    expect(a.id).toBe(b.id);
    expect(keyFromSetting("correct horse battery stapler").id).not.toBe(a.id);
    expect(codeOf(() => keyFromSetting("short"))).toBe("secret_key_invalid");
  });

  test("wins over the key file", () => {
    const dir = temporaryDir();
    const setting = randomBytes(32).toString("hex");
    const keys = loadKeyring({ PGFERRY_SECRET_KEY: setting, PGFERRY_DATA_DIR: dir });
    expect(keys.current.key.toString("hex")).toBe(setting);
    expect(existsSync(path.join(dir, "secret.key"))).toBe(false);
  });
});

describe("key file", () => {
  test("is created with mode 0600 in a private folder, then reused", () => {
    const dir = path.join(temporaryDir(), "data");
    const first = loadKeyring({ PGFERRY_DATA_DIR: dir });
    const file = path.join(dir, "secret.key");
    expect(first.current.source).toBe("file");
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(dir).mode & 0o077).toBe(0);
    expect(loadKeyring({ PGFERRY_DATA_DIR: dir }).current.id).toBe(first.current.id);
    // No temporary files are left behind.
    expect(readdirSync(dir)).toEqual(["secret.key"]);
  });

  test("is refused when other users can read it", () => {
    const dir = temporaryDir();
    keyFromFile(dir);
    chmodSync(path.join(dir, "secret.key"), 0o644);
    expect(codeOf(() => keyFromFile(dir))).toBe("secret_key_file_unsafe");
  });

  test("is refused when it does not hold a 32-byte key", () => {
    const dir = temporaryDir();
    writeFileSync(path.join(dir, "secret.key"), "not a key\n", { mode: 0o600 });
    expect(codeOf(() => keyFromFile(dir))).toBe("secret_key_file_invalid");
  });

  test("encryptSecret/decryptSecret use the environment's key", () => {
    const dir = temporaryDir();
    const saved = { dir: process.env.PGFERRY_DATA_DIR, key: process.env.PGFERRY_SECRET_KEY };
    process.env.PGFERRY_DATA_DIR = dir;
    delete process.env.PGFERRY_SECRET_KEY;
    try {
      useKeyring(undefined);
      const blob = encryptSecret("env-pw", "peer:x");
      expect(existsSync(path.join(dir, "secret.key"))).toBe(true);
      expect(decryptSecret(blob, "peer:x")).toBe("env-pw");
      expect(isSealedWithCurrentKey(blob)).toBe(true);
      useKeyring(ring());
      expect(isSealedWithCurrentKey(blob)).toBe(false);
      expect(codeOf(() => decryptSecret(blob, "peer:x"))).toBe("secret_key_mismatch");
    } finally {
      useKeyring(undefined);
      if (saved.dir === undefined) delete process.env.PGFERRY_DATA_DIR;
      else process.env.PGFERRY_DATA_DIR = saved.dir;
      if (saved.key !== undefined) process.env.PGFERRY_SECRET_KEY = saved.key;
    }
  });
});
