/**
 * A logical replication stream from one slot, spoken directly over a node-postgres walsender
 * connection (`replication: "database"`).
 *
 * Why not pg-logical-replication's LogicalReplicationService: it is a thin layer over the same
 * node-postgres connection, but (2.5.0) its acknowledge timer confirms *received* LSNs, its
 * standby-status clock uses a wrong epoch and confirms LSN+1, and its flow control queues every
 * message of a large transaction in memory before pausing. The replication sub-protocol is small
 * (XLogData 'w', keepalive 'k', standby status 'r'), so owning it here keeps the three properties
 * CDC depends on in one readable file:
 *
 * 1. The slot is confirmed only with the position the caller says is committed on the target
 *    (`feedback()`), never with what was merely received.
 * 2. Memory is bounded: decoded messages wait in a queue; above `highWaterBytes` the socket is
 *    paused, so TCP backpressure reaches the walsender, which holds the rest of a large
 *    transaction on the source.
 * 3. Status updates go out every `statusIntervalMs` even while the consumer is busy applying a
 *    large transaction, so the walsender does not time out (wal_sender_timeout) on us.
 */
import type pg from "pg";
import type { PeerConnection } from "@/lib/pg/connection";
import { formatLsn, type Lsn, maxLsn, readLsn, writeLsn } from "@/lib/pg/lsn";
import { dateToPgTimestamp, decodePgoutput, decodeStreamControl, type PgoutputMessage, type StreamControlMessage, streamedChange } from "@/lib/pg/pgoutput";
import { quoteIdent, quoteLiteral } from "@/lib/pg/quote";
import { connectForCdc } from "@/workers/cdc/connect";
import { createSpoolFolder, TransactionSpool } from "@/workers/cdc/spool";

export type StreamItem =
  | { kind: "data"; walStart: Lsn; walEnd: Lsn; message: PgoutputMessage; bytes: number }
  | { kind: "keepalive"; walEnd: Lsn; replyRequested: boolean }
  /**
   * A large transaction streamed while it runs (protocol 2): a block of its changes starts, one
   * change (of the transaction `xid` or its subtransaction `subxid`), the block ends, a
   * (sub)transaction aborted. Every change is also kept in the transaction's spool.
   */
  | { kind: "streamStart"; xid: number }
  | { kind: "streamChange"; xid: number; subxid: number; message: PgoutputMessage; bytes: number }
  | { kind: "streamStop"; xid: number }
  | { kind: "streamAbort"; xid: number; subxid: number }
  /**
   * A streamed transaction committed: all its changes are in `spool`, in order, to be applied
   * between a Begin and a Commit unless they were applied as they came. The consumer discards the spool.
   */
  | { kind: "streamed"; commit: StreamControlMessage & { tag: "stream_commit" }; spool: TransactionSpool };

export interface ReplicationStreamOptions {
  peer: PeerConnection;
  /** application_name purpose, e.g. "cdc:orders". */
  purpose: string;
  slotName: string;
  publicationName: string;
  /** Where to start; the server starts at the slot's confirmed position if that is later. */
  startLsn: Lsn;
  /** The position committed on the target: the only LSN ever reported as flushed/applied. */
  feedback: () => Lsn;
  /** Default: 10,000 ms. Must stay well below the source's wal_sender_timeout (default 60 s). */
  statusIntervalMs?: number;
  /**
   * Queued bytes (as received) above which the socket is paused. Decoded, a message takes about three
   * times its wire size in the heap. Default: 4 MiB — tens of thousands of changes, several full
   * statements ahead of the applier, which itself has up to 16 statements on the wire.
   */
  highWaterBytes?: number;
  /**
   * Protocol 2 with streaming (source PostgreSQL 14+): large transactions arrive while they run, as
   * stream items, each change also kept in a spool file (see spool.ts). Default: false.
   */
  streaming?: boolean;
}

const XLOG_DATA = 0x77; // 'w'
const KEEPALIVE = 0x6b; // 'k'
const XLOG_HEADER = 25;
const STREAM_STOP = 0x45; // 'E'
/** See ReplicationStreamOptions.highWaterBytes. */
const DEFAULT_HIGH_WATER_BYTES = 4 * 1024 * 1024;

export class ReplicationStream {
  private readonly items: StreamItem[] = [];
  private head = 0;
  private queuedBytes = 0;
  private paused = false;
  private waiter: (() => void) | null = null;
  private failure: unknown = null;
  private closing = false;
  private statusTimer: NodeJS.Timeout | null = null;
  /** End of the last WAL position the server told us about (data or keepalive). */
  lastReceivedLsn: Lsn = 0n;
  private readonly highWaterBytes: number;
  /** Streamed transactions in progress, by xid, and the one whose block is open. */
  private readonly spools = new Map<number, TransactionSpool>();
  private openSpool: TransactionSpool | null = null;
  private spoolFolder: ReturnType<typeof createSpoolFolder> | null = null;

  private constructor(
    private readonly client: pg.Client,
    private readonly options: ReplicationStreamOptions,
  ) {
    this.highWaterBytes = options.highWaterBytes ?? DEFAULT_HIGH_WATER_BYTES;
  }

  /**
   * Connects and sends START_REPLICATION. Resolves once the server streams (CopyBothResponse);
   * rejects with the server's error otherwise (missing slot, slot in use, lost WAL...).
   */
  static async start(options: ReplicationStreamOptions): Promise<ReplicationStream> {
    const client = await connectForCdc(options.peer, options.purpose, { replication: true });
    const stream = new ReplicationStream(client, options);
    try {
      await stream.begin();
      return stream;
    } catch (error) {
      await stream.close();
      throw error;
    }
  }

  private connection(): {
    on(event: string, listener: (...args: never[]) => void): void;
    once(event: string, listener: () => void): void;
    sendCopyFromChunk(chunk: Buffer): void;
    stream: { pause(): void; resume(): void };
  } {
    // node-postgres does not expose its Connection in the typings; it is a stable internal.
    return (this.client as unknown as { connection: ReturnType<ReplicationStream["connection"]> }).connection;
  }

  private begin(): Promise<void> {
    const { slotName, publicationName, startLsn, streaming } = this.options;
    // publication_names is parsed as a list of identifiers, so names are quoted twice: as
    // identifiers inside the list, and the list as a string literal.
    const sql =
      `START_REPLICATION SLOT ${quoteIdent(slotName)} LOGICAL ${formatLsn(startLsn)} ` +
      `(proto_version '${streaming ? 2 : 1}', ${streaming ? "streaming 'on', " : ""}publication_names ${quoteLiteral(quoteIdent(publicationName))})`;
    if (streaming) this.spoolFolder = createSpoolFolder(`spool-${slotName}`);
    const connection = this.connection();
    connection.on("copyData", (message: { chunk: Buffer }) => this.receive(message.chunk));
    this.client.on("error", (error: Error) => this.fail(error));
    return new Promise<void>((resolve, reject) => {
      connection.once("replicationStart", () => {
        this.statusTimer = setInterval(() => this.sendStatus(), this.options.statusIntervalMs ?? 10_000);
        resolve();
      });
      this.client.query(sql).then(
        () => this.fail(new Error("the source ended the replication stream")),
        (error: unknown) => {
          reject(error);
          this.fail(error);
        },
      );
    });
  }

  private receive(chunk: Buffer): void {
    if (this.closing) return;
    try {
      if (chunk[0] === XLOG_DATA) {
        const walStart = readLsn(chunk, 1);
        const walEnd = readLsn(chunk, 9);
        const payload = chunk.subarray(XLOG_HEADER);
        // walEnd of XLogData is the server's current end of WAL, not this message's position.
        this.lastReceivedLsn = maxLsn(this.lastReceivedLsn, walStart);
        if (this.spoolFolder && this.spoolStreamed(payload)) return;
        this.push({ kind: "data", walStart, walEnd, message: decodePgoutput(payload), bytes: chunk.length });
      } else if (chunk[0] === KEEPALIVE) {
        const walEnd = readLsn(chunk, 1);
        const replyRequested = chunk[17] === 1;
        this.lastReceivedLsn = maxLsn(this.lastReceivedLsn, walEnd);
        // Answer at once, even when the consumer is busy: the server disconnects after
        // wal_sender_timeout without a reply. The answer carries the committed position only.
        if (replyRequested) this.sendStatus();
        this.push({ kind: "keepalive", walEnd, replyRequested });
      }
    } catch (error) {
      this.fail(error);
    }
  }

  /**
   * Handles the messages of streamed transactions: changes go to their transaction's spool, a
   * commit becomes a "streamed" item, an abort drops changes. False for any other message.
   */
  private spoolStreamed(payload: Buffer): boolean {
    const folder = this.spoolFolder!;
    const open = this.openSpool;
    if (open && payload[0] !== STREAM_STOP) {
      const change = streamedChange(payload);
      open.append(change.xid, change.tag, change.body);
      // The message in protocol-1 form starts 4 bytes in, where the xid ends: put the tag there
      // (the xid is read, and this buffer is ours until we return).
      payload[4] = change.tag;
      const message = decodePgoutput(payload.subarray(4));
      this.push({ kind: "streamChange", xid: open.xid, subxid: change.xid, message, bytes: payload.length });
      return true;
    }
    const control = decodeStreamControl(payload);
    if (!control) return false;
    switch (control.tag) {
      case "stream_start": {
        let spool = this.spools.get(control.xid);
        if (!spool) {
          spool = new TransactionSpool(folder.path, control.xid);
          this.spools.set(control.xid, spool);
        }
        this.openSpool = spool;
        this.push({ kind: "streamStart", xid: control.xid });
        break;
      }
      case "stream_stop":
        if (this.openSpool) this.push({ kind: "streamStop", xid: this.openSpool.xid });
        this.openSpool = null;
        break;
      case "stream_commit": {
        const spool = this.spools.get(control.xid) ?? new TransactionSpool(folder.path, control.xid);
        this.spools.delete(control.xid);
        this.push({ kind: "streamed", commit: control, spool });
        break;
      }
      case "stream_abort": {
        const spool = this.spools.get(control.xid);
        if (control.subxid !== control.xid) spool?.abortSubtransaction(control.subxid);
        else {
          spool?.discard();
          this.spools.delete(control.xid);
        }
        this.push({ kind: "streamAbort", xid: control.xid, subxid: control.subxid });
        break;
      }
    }
    return true;
  }

  private push(item: StreamItem): void {
    this.items.push(item);
    if ("bytes" in item) this.queuedBytes += item.bytes;
    if (!this.paused && this.queuedBytes > this.highWaterBytes) {
      this.paused = true;
      this.connection().stream.pause();
    }
    this.wake();
  }

  private fail(error: unknown): void {
    if (this.closing || this.failure) return;
    this.failure = error ?? new Error("replication connection failed");
    this.wake();
  }

  private wake(): void {
    const waiter = this.waiter;
    this.waiter = null;
    waiter?.();
  }

  /** Messages waiting to be consumed. */
  get queued(): number {
    return this.items.length - this.head;
  }

  /**
   * The next message in stream order. Resolves to null after `timeoutMs` without one (so the
   * consumer can do periodic work); rejects once the connection has failed and the queue is empty.
   */
  async next(timeoutMs: number): Promise<StreamItem | null> {
    if (this.head >= this.items.length) {
      if (this.failure) throw this.failure;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          this.waiter = null;
          resolve();
        }, timeoutMs);
        this.waiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      if (this.head >= this.items.length) {
        if (this.failure) throw this.failure;
        return null;
      }
    }
    const item = this.items[this.head];
    this.items[this.head++] = undefined as unknown as StreamItem;
    if ("bytes" in item) this.queuedBytes -= item.bytes;
    if (this.head > 4096 && this.head * 2 > this.items.length) {
      this.items.splice(0, this.head);
      this.head = 0;
    }
    if (this.paused && this.queuedBytes < this.highWaterBytes / 2) {
      this.paused = false;
      this.connection().stream.resume();
    }
    return item;
  }

  /**
   * Sends a standby status update. write, flush and apply all carry the committed position:
   * reporting a later write position would stop the walsender's keepalives (it sends them only
   * while write and flush lag behind), and those keepalives are how an idle slot learns to advance.
   */
  sendStatus(replyRequested = false): void {
    if (this.closing || this.failure) return;
    const position = this.options.feedback();
    const message = Buffer.alloc(34);
    message[0] = 0x72; // 'r'
    writeLsn(message, position, 1);
    writeLsn(message, position, 9);
    writeLsn(message, position, 17);
    message.writeBigInt64BE(dateToPgTimestamp(new Date()), 25);
    message[33] = replyRequested ? 1 : 0;
    try {
      this.connection().sendCopyFromChunk(message);
    } catch (error) {
      this.fail(error);
    }
  }

  /** Wakes a pending next() (which then resolves to null), e.g. when the caller is asked to stop. */
  interrupt(): void {
    this.wake();
  }

  /** Sends a last status update and closes the connection. Idempotent; never throws. */
  async close(): Promise<void> {
    if (this.statusTimer) clearInterval(this.statusTimer);
    this.statusTimer = null;
    if (!this.closing && !this.failure) this.sendStatus();
    this.closing = true;
    this.wake();
    await this.client.end().catch(() => {});
    // Spools of transactions still running on the source, or committed but not consumed: the next
    // session receives them again.
    for (const spool of this.spools.values()) spool.discard();
    for (let i = this.head; i < this.items.length; i++) {
      const item = this.items[i];
      if (item?.kind === "streamed") item.spool.discard();
    }
    // Whoever still holds this object (a pending callback, an error's stack) must not hold the queue.
    this.items.length = 0;
    this.head = 0;
    this.queuedBytes = 0;
    this.spools.clear();
    this.openSpool = null;
    this.spoolFolder?.remove();
  }
}
