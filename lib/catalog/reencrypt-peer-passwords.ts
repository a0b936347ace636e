import { isSealedWithCurrentKey } from "@/lib/secrets/secrets";
import type { PrismaClient } from "./generated/client";
import { encryptPeerPassword, peerConnection } from "./peers";

/**
 * After a key rotation (PGFERRY_SECRET_KEY changed, the old one in PGFERRY_SECRET_KEY_PREVIOUS),
 * seals every peer password that an older key sealed with the current key, so the old key can be
 * forgotten. Idempotent; each row is updated only if nobody changed it meanwhile. Returns the number
 * of passwords re-encrypted. Throws (secret_key_mismatch) when a password's key is not loaded.
 */
export async function reencryptPeerPasswords(catalog: PrismaClient): Promise<number> {
  const peers = await catalog.peer.findMany();
  let count = 0;
  for (const peer of peers) {
    if (isSealedWithCurrentKey(peer.passwordEncrypted)) continue;
    const { password } = peerConnection(peer);
    const { count: updated } = await catalog.peer.updateMany({
      where: { id: peer.id, passwordEncrypted: peer.passwordEncrypted },
      data: { passwordEncrypted: encryptPeerPassword(peer.id, password) },
    });
    count += updated;
  }
  return count;
}
