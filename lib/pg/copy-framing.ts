/** Protocol message codes seen while a COPY TO STDOUT runs (PostgreSQL frontend/backend protocol 3). */
const COPY_DATA = 0x64; // 'd'
const COPY_DONE = 0x63; // 'c'
const ERROR_RESPONSE = 0x45; // 'E'

/** Message code (1 byte) + length (4 bytes, counting itself). */
const HEADER_BYTES = 5;

/** Shared: allocating an empty Buffer per message cost a quarter of the worker's CPU in a large copy. */
const NO_BYTES = Buffer.alloc(0);

export type CopyOutEnd =
  /** CopyDone arrived; `rest` (CommandComplete, ReadyForQuery, …) belongs to the client again. */
  | { kind: "done"; rest: Buffer }
  /** The server reported an error; `rest` starts with the ErrorResponse for the client to parse. */
  | { kind: "error"; rest: Buffer };

export interface FeedResult {
  /** Complete CopyData messages, header included, in order: ready to write to a COPY FROM STDIN. */
  messages: Buffer[];
  end?: CopyOutEnd;
}

/**
 * Splits the bytes a server sends during COPY TO STDOUT into whole CopyData messages — kept
 * *with* their protocol framing, because a CopyData message from the server is byte for byte
 * the CopyData message a client sends in COPY FROM STDIN. So a copy can be forwarded from one
 * server to another in large slices of the received chunks, without touching a row: no copy,
 * no per-row buffer, only a 5-byte header read per message.
 *
 * Only whole messages are handed out (a message split across chunks is held back until its last
 * byte arrives), so the receiving side can always end or abort its COPY cleanly. Other messages
 * a server may send mid-copy (NoticeResponse, ParameterStatus, CopyOutResponse, …) are dropped.
 * Every CopyData message is one row, except that binary format adds a trailer message.
 */
export class CopyOutFraming {
  /** CopyData messages seen so far. */
  messages = 0;
  /** Bytes of CopyData payload (without framing) seen so far. */
  payloadBytes = 0;
  private code = 0;
  /** Bytes left of the current message's body. */
  private remaining = 0;
  /** A message header split across chunks. */
  private header = NO_BYTES;
  /** Start of a CopyData message whose end has not arrived yet. */
  private held: Buffer[] = [];
  private ended = false;

  feed(chunk: Buffer): FeedResult {
    if (this.ended) throw new Error("COPY data after the end of the copy");
    const messages: Buffer[] = [];
    // Slice [runStart, completeEnd) of this chunk holds whole messages not yet handed out.
    let runStart = this.code === COPY_DATA && this.remaining > 0 ? 0 : -1;
    let completeEnd = 0;
    const flushRun = (upTo: number) => {
      if (runStart >= 0 && upTo > runStart) messages.push(chunk.subarray(runStart, upTo));
      runStart = -1;
    };
    const completed = (at: number) => {
      if (this.held.length > 0) messages.push(...this.held.splice(0));
      completeEnd = at;
    };

    let pos = 0;
    while (pos < chunk.length) {
      if (this.remaining > 0) {
        const n = Math.min(this.remaining, chunk.length - pos);
        pos += n;
        this.remaining -= n;
        if (this.remaining === 0 && this.code === COPY_DATA) completed(pos);
        continue;
      }
      const headerStart = pos;
      let length: number;
      if (this.header.length === 0 && chunk.length - pos >= HEADER_BYTES) {
        this.code = chunk[pos];
        length = chunk.readUInt32BE(pos + 1);
        pos += HEADER_BYTES;
      } else {
        const n = Math.min(HEADER_BYTES - this.header.length, chunk.length - pos);
        this.header = Buffer.concat([this.header, chunk.subarray(pos, pos + n)]);
        pos += n;
        if (this.header.length < HEADER_BYTES) break;
        this.code = this.header[0];
        length = this.header.readUInt32BE(1);
      }
      const splitHeader = this.header;
      this.header = NO_BYTES;
      this.remaining = length - 4;

      if (this.code === COPY_DATA) {
        this.messages++;
        this.payloadBytes += this.remaining;
        if (splitHeader.length > 0) {
          // Its header is not in this chunk: hold a copy of it, the body follows from `pos`.
          flushRun(completeEnd);
          this.held.push(splitHeader);
          runStart = pos;
        } else if (runStart < 0) {
          runStart = headerStart;
        }
        if (this.remaining === 0) completed(pos);
        continue;
      }

      // Any other message: everything before it is whole CopyData messages.
      flushRun(headerStart);
      if (this.code === COPY_DONE || this.code === ERROR_RESPONSE) {
        this.ended = true;
        if (this.code === COPY_DONE) return { messages, end: { kind: "done", rest: chunk.subarray(pos) } };
        const rest = splitHeader.length > 0 ? Buffer.concat([splitHeader, chunk.subarray(pos)]) : chunk.subarray(headerStart);
        return { messages, end: { kind: "error", rest } };
      }
      // NoticeResponse, ParameterStatus, CopyOutResponse…: skipped with their body.
    }

    if (runStart >= 0) {
      // Hand out the whole messages; hold the start of one whose end is in a later chunk.
      // (A header split at the end of the chunk is kept in `header`.)
      const wholeEnd = Math.max(runStart, completeEnd);
      flushRun(wholeEnd);
      if (this.code === COPY_DATA && this.remaining > 0) this.held.push(chunk.subarray(wholeEnd));
    }
    return { messages };
  }
}
