/**
 * Read-only questions to a connected peer (see connectPeer): server facts, tables for the picker,
 * pgferry's running sessions, replication slots and publications. Each function takes a client the
 * caller owns (and ends); none changes anything on the peer, so all are safe to retry.
 * Errors are node-postgres errors (e.g. a lost connection); the caller decides what to show.
 */
export { activity, type PeerSession } from "@/lib/peers/introspect/activity";
export { publications, type Publication } from "@/lib/peers/introspect/publications";
export type { Queryable } from "@/lib/peers/introspect/queryable";
export { serverInfo, type ServerInfo } from "@/lib/peers/introspect/server-info";
export { type ReplicationSlot, slots } from "@/lib/peers/introspect/slots";
export {
  listTables,
  type PeerColumn,
  type PeerTable,
  type ReplicaIdentity,
  type TableListing,
} from "@/lib/peers/introspect/tables";
