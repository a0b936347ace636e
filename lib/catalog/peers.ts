import type { PeerConnection, TlsMode } from "@/lib/pg/connection";
import { decryptSecret, encryptSecret } from "@/lib/secrets/secrets";
import type { Peer, PrismaClient } from "./generated/client";

/**
 * The encryption context binds a stored password to its peer row: a ciphertext copied onto
 * another peer's row does not decrypt.
 */
export function passwordContext(peerId: string): string {
  return `peer:${peerId}`;
}

export function encryptPeerPassword(peerId: string, password: string): string {
  return encryptSecret(password, passwordContext(peerId));
}

/** The connection details of a stored peer, with its password decrypted. Never log the result. */
export function peerConnection(peer: Peer): PeerConnection {
  return {
    host: peer.host,
    port: peer.port,
    database: peer.database,
    user: peer.user,
    password: decryptSecret(peer.passwordEncrypted, passwordContext(peer.id)),
    tlsMode: peer.tlsMode as TlsMode,
    caCert: peer.caCert,
    allowCleartextPassword: peer.allowCleartextPassword,
  };
}

export async function loadPeerConnection(catalog: PrismaClient, peerId: string): Promise<PeerConnection> {
  return peerConnection(await catalog.peer.findUniqueOrThrow({ where: { id: peerId } }));
}
