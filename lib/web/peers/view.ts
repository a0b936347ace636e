import type { Prisma } from "@/lib/catalog/generated/client";
import type { TlsMode } from "@/lib/pg/connection";
import type { PeerValidation } from "@/lib/web/peers/validate";

/**
 * What pgferry shows of a saved peer, in the browser and in API answers. It never holds the
 * password nor its ciphertext: build it only with toPeerView. Dates are ISO strings so that the
 * API's JSON and the pages' props have the same shape.
 */
export interface PeerView {
  id: string;
  name: string;
  host: string;
  port: number;
  database: string;
  user: string;
  tlsMode: TlsMode;
  /** PEM CA certificate for verify-ca / verify-full; not secret, so the edit form can show it. */
  caCert: string | null;
  /** Whether the password may be sent in clear text on a connection without TLS. */
  allowCleartextPassword: boolean;
  /** Server version seen by the last validation, e.g. "18.1". */
  serverVersion: string | null;
  lastValidation: StoredValidation | null;
  validatedAt: string | null;
  createdAt: string;
  updatedAt: string;
  /** Names of the mirrors whose source or target this peer is, sorted; a mirror is listed once. */
  mirrors: string[];
}

/** A validation as kept on the peer row: what validatePeer said, minus the connection error (never saved). */
export type StoredValidation = Omit<PeerValidation, "error">;

/** Prisma `select` for toPeerView: the catalog never even sends the ciphertext for a view. */
export const PEER_VIEW_SELECT = {
  id: true,
  name: true,
  host: true,
  port: true,
  database: true,
  user: true,
  tlsMode: true,
  caCert: true,
  allowCleartextPassword: true,
  serverVersion: true,
  lastValidation: true,
  validatedAt: true,
  createdAt: true,
  updatedAt: true,
  sourceOf: { select: { name: true } },
  targetOf: { select: { name: true } },
} as const;

/** The catalog row as PEER_VIEW_SELECT reads it. */
type PeerRowForView = Prisma.PeerGetPayload<{ select: typeof PEER_VIEW_SELECT }>;

export function toPeerView(row: PeerRowForView): PeerView {
  // A mirror from a peer to itself (renamed tables) uses it twice but counts once.
  const mirrors = [...new Set([...row.sourceOf, ...row.targetOf].map((m) => m.name))].sort();
  return {
    id: row.id,
    name: row.name,
    host: row.host,
    port: row.port,
    database: row.database,
    user: row.user,
    tlsMode: row.tlsMode as TlsMode,
    caCert: row.caCert,
    allowCleartextPassword: row.allowCleartextPassword,
    serverVersion: row.serverVersion,
    lastValidation: (row.lastValidation as StoredValidation | null) ?? null,
    validatedAt: row.validatedAt?.toISOString() ?? null,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    mirrors,
  };
}

/** The part of a validation that is kept on the row. */
export function storedValidation(validation: PeerValidation): StoredValidation {
  const { error: _notKept, ...kept } = validation;
  return kept;
}
