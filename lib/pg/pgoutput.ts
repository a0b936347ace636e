/**
 * Decoder for PostgreSQL's pgoutput logical replication protocol, version 1 (PostgreSQL 10+), and the
 * streamed-transaction messages of version 2 (PostgreSQL 14+, see decodeStreamControl).
 * https://www.postgresql.org/docs/current/protocol-logicalrep-message-formats.html
 *
 * Why our own decoder rather than pg-logical-replication's: that parser turns every column value
 * into a JS value with node-postgres's global type parsers (timestamps lose microseconds, json is
 * re-serialised, intervals become objects). pgferry must write exactly the text the source sent, so
 * here every column stays the raw text PostgreSQL's output function produced, `null`, or the
 * UNCHANGED_TOAST marker. The decoder is stateless: it does not remember Relation messages;
 * the consumer maps relation ids to relations.
 *
 * Strings arrive in the source database's encoding; pgferry assumes UTF-8 (the only encoding its
 * peers are validated for), and decodes bytes as UTF-8.
 */
import { type Lsn, readLsn } from "@/lib/pg/lsn";

/** Marks a column that pgoutput did not send because its TOASTed value did not change ('u'). */
export const UNCHANGED_TOAST: unique symbol = Symbol("unchanged-toast");
export type UnchangedToast = typeof UNCHANGED_TOAST;

/** One column of a tuple: raw text as the source printed it, SQL NULL, or "unchanged TOAST". */
export type TupleValue = string | null | UnchangedToast;
export type Tuple = TupleValue[];

/** Replica identity as pgoutput reports it in a Relation message. */
export type ReplicaIdentity = "default" | "nothing" | "full" | "index";

export interface RelationColumn {
  name: string;
  /** Part of the replica identity (flag bit 1): key columns, or every column under REPLICA IDENTITY FULL. */
  isKey: boolean;
  typeOid: number;
  /** -1 when the type has no modifier. */
  typeMod: number;
}

export interface BeginMessage {
  tag: "begin";
  /** LSN of the transaction's commit record. */
  finalLsn: Lsn;
  commitTime: Date;
  /** Microseconds since 2000-01-01, as sent; commitTime rounds it to milliseconds. */
  commitTimeMicros: bigint;
  xid: number;
}

export interface CommitMessage {
  tag: "commit";
  flags: number;
  /** LSN of the commit record (equals Begin's finalLsn). */
  commitLsn: Lsn;
  /** LSN just after the commit record: the position to confirm once the transaction is applied. */
  endLsn: Lsn;
  commitTime: Date;
  commitTimeMicros: bigint;
}

export interface OriginMessage {
  tag: "origin";
  originLsn: Lsn;
  name: string;
}

export interface RelationMessage {
  tag: "relation";
  relationId: number;
  namespace: string;
  name: string;
  replicaIdentity: ReplicaIdentity;
  columns: RelationColumn[];
}

export interface TypeMessage {
  tag: "type";
  typeOid: number;
  namespace: string;
  name: string;
}

export interface InsertMessage {
  tag: "insert";
  relationId: number;
  newTuple: Tuple;
}

export interface UpdateMessage {
  tag: "update";
  relationId: number;
  /** 'K': the old replica identity key (other columns null); 'O': the whole old row (REPLICA IDENTITY FULL). */
  oldKind: "key" | "old" | null;
  oldTuple: Tuple | null;
  newTuple: Tuple;
}

export interface DeleteMessage {
  tag: "delete";
  relationId: number;
  oldKind: "key" | "old";
  oldTuple: Tuple;
}

export interface TruncateMessage {
  tag: "truncate";
  cascade: boolean;
  restartIdentity: boolean;
  relationIds: number[];
}

export interface LogicalMessage {
  tag: "message";
  transactional: boolean;
  lsn: Lsn;
  prefix: string;
  content: Buffer;
}

export type PgoutputMessage =
  | BeginMessage
  | CommitMessage
  | OriginMessage
  | RelationMessage
  | TypeMessage
  | InsertMessage
  | UpdateMessage
  | DeleteMessage
  | TruncateMessage
  | LogicalMessage;

/**
 * Protocol 2 with `streaming 'on'` (PostgreSQL 14+): a transaction larger than the source's
 * logical_decoding_work_mem is sent while it runs, in blocks between Stream Start and Stream
 * Stop, and ends with Stream Commit or Stream Abort. Inside a block every change message carries
 * the (sub)transaction's xid right after its tag (see streamedChange).
 */
export type StreamControlMessage =
  | { tag: "stream_start"; xid: number; firstSegment: boolean }
  | { tag: "stream_stop" }
  | { tag: "stream_commit"; xid: number; flags: number; commitLsn: Lsn; endLsn: Lsn; commitTime: Date; commitTimeMicros: bigint }
  /** subxid = xid: the whole transaction; otherwise one subtransaction (ROLLBACK TO SAVEPOINT). */
  | { tag: "stream_abort"; xid: number; subxid: number };

/** Decodes a Stream Start/Stop/Commit/Abort message; null for any other message. */
export function decodeStreamControl(buffer: Buffer): StreamControlMessage | null {
  const reader = new Reader(buffer);
  switch (reader.byte()) {
    case "S":
      return { tag: "stream_start", xid: reader.uint32(), firstSegment: reader.int8() === 1 };
    case "E":
      return { tag: "stream_stop" };
    case "c": {
      const xid = reader.uint32();
      return { tag: "stream_commit", xid, ...commitFields(reader) };
    }
    case "A":
      // Protocol 4 (streaming 'parallel') adds the abort's LSN and time; pgferry asks for 'on'.
      return { tag: "stream_abort", xid: reader.uint32(), subxid: reader.uint32() };
    default:
      return null;
  }
}

/** Messages that carry an xid after their tag inside a streamed block. */
const STREAMED_CHANGE_TAGS = new Set(["R", "Y", "I", "U", "D", "T", "M"].map((tag) => tag.charCodeAt(0)));

/**
 * Splits a change message received inside a streamed block into the xid of the (sub)transaction
 * that made it and the message in protocol-1 form (tag + body, which decodePgoutput reads).
 */
export function streamedChange(buffer: Buffer): { xid: number; tag: number; body: Buffer } {
  const tag = buffer[0];
  if (!STREAMED_CHANGE_TAGS.has(tag)) throw new PgoutputDecodeError(`unexpected message ${JSON.stringify(String.fromCharCode(tag))} inside a streamed transaction`);
  return { xid: buffer.readUInt32BE(1), tag, body: buffer.subarray(5) };
}

/** Microseconds between the Unix epoch and PostgreSQL's epoch (2000-01-01 00:00:00 UTC). */
const PG_EPOCH_MICROS = 946_684_800_000_000n;

/** Converts a PostgreSQL timestamp (µs since 2000-01-01) to a Date (millisecond precision). */
export function pgTimestampToDate(micros: bigint): Date {
  return new Date(Number((micros + PG_EPOCH_MICROS) / 1000n));
}

/** Converts a Date to PostgreSQL's µs-since-2000 timestamp, for standby status messages. */
export function dateToPgTimestamp(date: Date): bigint {
  return BigInt(date.getTime()) * 1000n - PG_EPOCH_MICROS;
}

/** What a Commit and a Stream Commit (after its xid) both carry, in this order. */
function commitFields(reader: Reader) {
  const flags = reader.int8();
  const commitLsn = reader.lsn();
  const endLsn = reader.lsn();
  const commitTimeMicros = reader.int64();
  return { flags, commitLsn, endLsn, commitTimeMicros, commitTime: pgTimestampToDate(commitTimeMicros) };
}

const IDENTITIES: Record<string, ReplicaIdentity> = { d: "default", n: "nothing", f: "full", i: "index" };

/** A cursor over one message's bytes. */
class Reader {
  offset = 0;
  constructor(private readonly buffer: Buffer) {}

  int8(): number {
    return this.buffer.readInt8(this.offset++);
  }
  byte(): string {
    return String.fromCharCode(this.buffer[this.offset++]);
  }
  int16(): number {
    return this.buffer.readInt16BE(this.advance(2));
  }
  int32(): number {
    return this.buffer.readInt32BE(this.advance(4));
  }
  uint32(): number {
    return this.buffer.readUInt32BE(this.advance(4));
  }
  int64(): bigint {
    return this.buffer.readBigInt64BE(this.advance(8));
  }
  lsn(): Lsn {
    return readLsn(this.buffer, this.advance(8));
  }
  /** A NUL-terminated string. */
  string(): string {
    const end = this.buffer.indexOf(0, this.offset);
    if (end < 0) throw new PgoutputDecodeError("unterminated string");
    const value = this.buffer.toString("utf8", this.offset, end);
    this.offset = end + 1;
    return value;
  }
  bytes(length: number): Buffer {
    const start = this.value(length);
    return this.buffer.subarray(start, start + length);
  }
  text(length: number): string {
    const start = this.value(length);
    return this.buffer.toString("utf8", start, start + length);
  }

  /** Moves past `size` bytes and returns where they start (a fixed-size read checks the bounds itself). */
  private advance(size: number): number {
    const start = this.offset;
    this.offset += size;
    return start;
  }
  /** Like advance, for a column value of a length the message states, which may lie. */
  private value(length: number): number {
    if (this.offset + length > this.buffer.length) throw new PgoutputDecodeError("value runs past the end of the message");
    return this.advance(length);
  }

  tuple(): Tuple {
    const count = this.int16();
    const values: Tuple = new Array(count);
    for (let i = 0; i < count; i++) {
      const kind = this.buffer[this.offset++];
      switch (kind) {
        case 0x6e: // 'n'
          values[i] = null;
          break;
        case 0x75: // 'u'
          values[i] = UNCHANGED_TOAST;
          break;
        case 0x74: // 't'
          values[i] = this.text(this.uint32());
          break;
        case 0x62: // 'b': only sent when the binary option is on, which pgferry never asks for.
          throw new PgoutputDecodeError("binary tuple data received; pgferry requests text format only");
        default:
          throw new PgoutputDecodeError(`unknown tuple column kind 0x${kind?.toString(16)}`);
      }
    }
    return values;
  }
}

export class PgoutputDecodeError extends Error {
  constructor(message: string) {
    super(`pgoutput: ${message}`);
    this.name = "PgoutputDecodeError";
  }
}

/**
 * Decodes one pgoutput message (the payload of an XLogData message, after its 25-byte header).
 * Throws PgoutputDecodeError on malformed input or on a streaming control message (see
 * decodeStreamControl).
 */
export function decodePgoutput(buffer: Buffer): PgoutputMessage {
  const reader = new Reader(buffer);
  const tag = reader.byte();
  switch (tag) {
    case "B": {
      const finalLsn = reader.lsn();
      const commitTimeMicros = reader.int64();
      const xid = reader.uint32();
      return { tag: "begin", finalLsn, commitTimeMicros, commitTime: pgTimestampToDate(commitTimeMicros), xid };
    }
    case "C":
      return { tag: "commit", ...commitFields(reader) };
    case "O": {
      const originLsn = reader.lsn();
      return { tag: "origin", originLsn, name: reader.string() };
    }
    case "R": {
      const relationId = reader.uint32();
      const namespace = reader.string();
      const name = reader.string();
      const identity = reader.byte();
      const count = reader.int16();
      const columns: RelationColumn[] = [];
      for (let i = 0; i < count; i++) {
        const flags = reader.int8();
        const columnName = reader.string();
        const typeOid = reader.uint32();
        const typeMod = reader.int32();
        columns.push({ name: columnName, isKey: (flags & 1) === 1, typeOid, typeMod });
      }
      const replicaIdentity = IDENTITIES[identity];
      if (!replicaIdentity) throw new PgoutputDecodeError(`unknown replica identity ${JSON.stringify(identity)}`);
      // pgoutput sends "pg_catalog" as an empty namespace.
      return { tag: "relation", relationId, namespace: namespace === "" ? "pg_catalog" : namespace, name, replicaIdentity, columns };
    }
    case "Y": {
      const typeOid = reader.uint32();
      const namespace = reader.string();
      return { tag: "type", typeOid, namespace: namespace === "" ? "pg_catalog" : namespace, name: reader.string() };
    }
    case "I": {
      const relationId = reader.uint32();
      expectByte(reader, "N", "insert");
      return { tag: "insert", relationId, newTuple: reader.tuple() };
    }
    case "U": {
      const relationId = reader.uint32();
      let kind = reader.byte();
      let oldKind: UpdateMessage["oldKind"] = null;
      let oldTuple: Tuple | null = null;
      if (kind === "K" || kind === "O") {
        oldKind = kind === "K" ? "key" : "old";
        oldTuple = reader.tuple();
        kind = reader.byte();
      }
      if (kind !== "N") throw new PgoutputDecodeError(`update: expected 'N', got ${JSON.stringify(kind)}`);
      return { tag: "update", relationId, oldKind, oldTuple, newTuple: reader.tuple() };
    }
    case "D": {
      const relationId = reader.uint32();
      const kind = reader.byte();
      if (kind !== "K" && kind !== "O") throw new PgoutputDecodeError(`delete: expected 'K' or 'O', got ${JSON.stringify(kind)}`);
      return { tag: "delete", relationId, oldKind: kind === "K" ? "key" : "old", oldTuple: reader.tuple() };
    }
    case "T": {
      const count = reader.uint32();
      const options = reader.int8();
      const relationIds: number[] = [];
      for (let i = 0; i < count; i++) relationIds.push(reader.uint32());
      return { tag: "truncate", cascade: (options & 1) !== 0, restartIdentity: (options & 2) !== 0, relationIds };
    }
    case "M": {
      const flags = reader.int8();
      const lsn = reader.lsn();
      const prefix = reader.string();
      const length = reader.uint32();
      return { tag: "message", transactional: (flags & 1) !== 0, lsn, prefix, content: Buffer.from(reader.bytes(length)) };
    }
    case "S":
    case "E":
    case "c":
    case "A":
      throw new PgoutputDecodeError(`streamed-transaction message '${tag}' must go to decodeStreamControl`);
    default:
      throw new PgoutputDecodeError(`unknown message type ${JSON.stringify(tag)}`);
  }
}

function expectByte(reader: Reader, expected: string, what: string): void {
  const got = reader.byte();
  if (got !== expected) throw new PgoutputDecodeError(`${what}: expected '${expected}', got ${JSON.stringify(got)}`);
}
