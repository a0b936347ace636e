import { closeSync, ftruncateSync, mkdtempSync, openSync, readSync, rmSync, writevSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

/** Buffered bytes written to the spool file at a time: each open spool keeps one such buffer (outside the JS heap). */
const FLUSH_BYTES = 1024 * 1024;
/** Bytes read back at a time. */
const READ_BYTES = 1024 * 1024;

/**
 * The changes of one large source transaction that the source streams while it is still running
 * (pgoutput protocol 2, `streaming 'on'`), kept on local disk until the transaction commits —
 * then they are applied in order, like any other transaction — or aborts, and they are dropped.
 * Memory stays bounded by FLUSH_BYTES plus one message, whatever the transaction's size.
 *
 * Records are length-prefixed pgoutput messages in protocol-1 form (the streaming xid removed).
 * A subtransaction's changes are everything from its first change on (its own and its children's
 * changes follow it, in execution order), so aborting it truncates the file there — what
 * PostgreSQL's own apply worker does with its stream files.
 */
export class TransactionSpool {
  private readonly file: string;
  private fd: number | null;
  /** Records not yet written; copied in, because the caller's buffers are reused after the call. */
  private pending: Buffer | null = Buffer.allocUnsafe(FLUSH_BYTES);
  private pendingBytes = 0;
  /** Bytes in the file plus pending. */
  private size = 0;
  private fileBytes = 0;
  /** Offset of each subtransaction's first change, in order of appearance. */
  private readonly subtransactions: { xid: number; offset: number }[] = [];
  private readonly seen = new Set<number>();

  constructor(
    folder: string,
    readonly xid: number,
  ) {
    this.file = path.join(folder, `xid-${xid}`);
    this.fd = openSync(this.file, "w+", 0o600);
    this.seen.add(xid);
  }

  /** Appends one change of `changeXid` (the transaction or one of its subtransactions): tag byte + body. */
  append(changeXid: number, tag: number, body: Buffer): void {
    if (!this.seen.has(changeXid)) {
      this.seen.add(changeXid);
      this.subtransactions.push({ xid: changeXid, offset: this.size });
    }
    const recordBytes = 5 + body.length;
    if (this.pendingBytes + recordBytes > FLUSH_BYTES) this.flush();
    const pending = this.pendingBuffer();
    if (recordBytes > FLUSH_BYTES) {
      // A huge value (TOAST): straight to the file.
      const header = Buffer.allocUnsafe(5);
      header.writeUInt32BE(body.length + 1, 0);
      header[4] = tag;
      writevSync(this.openFd(), [header, body], this.fileBytes);
      this.fileBytes += recordBytes;
    } else {
      pending.writeUInt32BE(body.length + 1, this.pendingBytes);
      pending[this.pendingBytes + 4] = tag;
      body.copy(pending, this.pendingBytes + 5);
      this.pendingBytes += recordBytes;
    }
    this.size += recordBytes;
  }

  /** Drops the changes of a rolled-back subtransaction (and of those that began after it). */
  abortSubtransaction(subxid: number): void {
    const at = this.subtransactions.findIndex((s) => s.xid === subxid);
    if (at < 0) return; // it changed nothing that was sent
    this.flush();
    const { offset } = this.subtransactions[at];
    for (const dropped of this.subtransactions.splice(at)) this.seen.delete(dropped.xid);
    ftruncateSync(this.openFd(), offset);
    this.size = offset;
    this.fileBytes = offset;
  }

  /**
   * The spooled messages in order, each a protocol-1 pgoutput message. A message's bytes are only
   * valid until the next one is requested (the read buffer is reused): decode it first.
   */
  *messages(): Generator<Buffer> {
    this.flush();
    const fd = this.openFd();
    let buffer = Buffer.allocUnsafe(READ_BYTES);
    let filled = 0;
    let start = 0;
    let position = 0;
    for (;;) {
      // Keep the unread tail, grow the buffer for a record larger than it, then read more.
      if (start > 0) {
        buffer.copy(buffer, 0, start, filled);
        filled -= start;
        start = 0;
      }
      if (filled >= 4) {
        const need = 4 + buffer.readUInt32BE(0);
        if (need > buffer.length) {
          const larger = Buffer.allocUnsafe(need);
          buffer.copy(larger, 0, 0, filled);
          buffer = larger;
        }
      }
      const read = readSync(fd, buffer, filled, buffer.length - filled, position);
      position += read;
      filled += read;
      if (read === 0 && filled === 0) return;
      let consumed = false;
      while (filled - start >= 4) {
        const length = buffer.readUInt32BE(start);
        if (filled - start < 4 + length) break;
        yield buffer.subarray(start + 4, start + 4 + length);
        start += 4 + length;
        consumed = true;
      }
      if (read === 0 && !consumed) throw new Error(`spool file ${this.file} ends in the middle of a record`);
    }
  }

  /** Deletes the file. Idempotent. */
  discard(): void {
    this.pending = null;
    this.pendingBytes = 0;
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
    rmSync(this.file, { force: true });
  }

  private flush(): void {
    if (this.pendingBytes === 0) return;
    writevSync(this.openFd(), [this.pendingBuffer().subarray(0, this.pendingBytes)], this.fileBytes);
    this.fileBytes += this.pendingBytes;
    this.pendingBytes = 0;
  }

  private pendingBuffer(): Buffer {
    if (this.pending === null) throw new Error(`spool of transaction ${this.xid} was already discarded`);
    return this.pending;
  }

  private openFd(): number {
    if (this.fd === null) throw new Error(`spool of transaction ${this.xid} was already discarded`);
    return this.fd;
  }
}

/** A private folder for one session's spools; `remove()` deletes it with whatever is left. */
export function createSpoolFolder(prefix: string): { path: string; remove(): void } {
  const folder = mkdtempSync(path.join(tmpdir(), `pgferry-${prefix.replace(/[^A-Za-z0-9_-]/g, "_").slice(0, 40)}-`));
  return { path: folder, remove: () => rmSync(folder, { recursive: true, force: true }) };
}
