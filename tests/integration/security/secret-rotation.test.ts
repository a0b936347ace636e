import { randomBytes, randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encryptPeerPassword, peerConnection } from "@/lib/catalog/peers";
import { reencryptPeerPasswords } from "@/lib/catalog/reencrypt-peer-passwords";
import { loadKeyring } from "@/lib/secrets/keys";
import { isSealedWithCurrentKey, useKeyring } from "@/lib/secrets/secrets";
import { createTestCatalog, type TestCatalog } from "@/tests/support/catalog";

let catalog: TestCatalog;
beforeAll(async () => {
  catalog = await createTestCatalog();
});
afterAll(async () => {
  useKeyring(undefined);
  await catalog.close();
});

describe("rotating the secret key", () => {
  it("re-encrypts every peer password sealed with PGFERRY_SECRET_KEY_PREVIOUS under the new key", async () => {
    const oldKey = randomBytes(32).toString("base64");
    const newKey = randomBytes(32).toString("base64");
    useKeyring(loadKeyring({ PGFERRY_SECRET_KEY: oldKey }));
    const id = randomUUID();
    const peer = await catalog.prisma.peer.create({
      data: { id, name: "rotated", host: "127.0.0.1", port: 5432, database: "d", user: "u", tlsMode: "require", passwordEncrypted: encryptPeerPassword(id, "s3cret-of-the-peer") },
    });

    // The new key alone cannot open it: a rotation without the previous key is refused, not silent.
    useKeyring(loadKeyring({ PGFERRY_SECRET_KEY: newKey }));
    await expect(reencryptPeerPasswords(catalog.prisma)).rejects.toThrow();

    useKeyring(loadKeyring({ PGFERRY_SECRET_KEY: newKey, PGFERRY_SECRET_KEY_PREVIOUS: `${randomBytes(32).toString("hex")}, ${oldKey}` }));
    expect(isSealedWithCurrentKey(peer.passwordEncrypted)).toBe(false);
    expect(await reencryptPeerPasswords(catalog.prisma)).toBe(1);
    expect(await reencryptPeerPasswords(catalog.prisma)).toBe(0);

    const stored = await catalog.prisma.peer.findUniqueOrThrow({ where: { id } });
    useKeyring(loadKeyring({ PGFERRY_SECRET_KEY: newKey }));
    expect(isSealedWithCurrentKey(stored.passwordEncrypted)).toBe(true);
    expect(peerConnection(stored).password).toBe("s3cret-of-the-peer");
  });
});
