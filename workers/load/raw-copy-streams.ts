import { type Duplex, Readable, Writable } from "node:stream";
import { CopyOutFraming } from "@/lib/pg/copy-framing";

/**
 * node-postgres "submittables" (objects passed to client.query) that move a COPY between two
 * servers as whole protocol messages: `RawCopyOut` (COPY … TO STDOUT) yields the source's
 * CopyData messages with their framing, and `RawCopyIn` (COPY … FROM STDIN) writes them to the
 * target unchanged. Piping one into the other copies a table without decoding or re-framing a
 * single row — the cheapest way through Node (pg-copy-streams re-frames every chunk and walks
 * every row). Memory stays bounded by stream backpressure and one row.
 */

/** The parts of node-postgres' Connection these streams use (not in its public types). */
interface PgConnection {
  stream: Duplex;
  query(text: string): void;
}

const COPY_DONE = Buffer.from([0x63, 0, 0, 0, 4]);

/** Source side: COPY … TO STDOUT. `rows` counts rows as they pass (for progress). */
export class RawCopyOut extends Readable {
  private readonly framing = new CopyOutFraming();
  private connection: PgConnection | null = null;
  /** node-postgres' own socket reader, detached while the copy runs. */
  private pgReader: ((chunk: Buffer) => void) | null = null;
  private wantsMore = false;
  private pumping = false;
  private readonly onReadable = () => this.pump();

  constructor(
    private readonly text: string,
    /** Binary COPY sends a trailer as one more CopyData message. */
    private readonly binary: boolean,
  ) {
    super();
  }

  /** Rows received so far. */
  get rows(): number {
    return Math.max(0, this.framing.messages - (this.binary ? 1 : 0));
  }

  /** COPY payload bytes received so far. */
  get bytes(): number {
    return this.framing.payloadBytes;
  }

  /** Called by node-postgres when the query's turn comes. */
  submit(connection: PgConnection): void {
    this.connection = connection;
    const socket = connection.stream;
    const readers = socket.listeners("data") as ((chunk: Buffer) => void)[];
    if (readers.length !== 1) throw new Error("unexpected node-postgres connection state: expected one data listener");
    this.pgReader = readers[0];
    socket.removeListener("data", this.pgReader);
    socket.pause();
    socket.on("readable", this.onReadable);
    connection.query(this.text);
  }

  override _read(): void {
    this.wantsMore = true;
    this.pump();
  }

  /** Moves socket chunks into this stream while the consumer wants more. */
  private pump(): void {
    if (this.pumping || !this.connection) return;
    this.pumping = true;
    try {
      let chunk: Buffer | null;
      while (this.wantsMore && this.connection && (chunk = this.connection.stream.read() as Buffer | null) !== null) {
        const { messages, end } = this.framing.feed(chunk);
        for (const message of messages) this.wantsMore = this.push(message);
        if (end) this.giveBack(end.rest, end.kind === "done");
      }
    } finally {
      this.pumping = false;
    }
  }

  /** Returns the socket to node-postgres with the bytes after the copy (result or error). */
  private giveBack(rest: Buffer, done: boolean): void {
    const socket = this.connection!.stream;
    const pgReader = this.pgReader!;
    socket.removeListener("readable", this.onReadable);
    socket.on("data", pgReader);
    this.connection = null;
    if (done) this.push(null);
    // An ErrorResponse reaches handleError through node-postgres' parser.
    if (rest.length > 0) pgReader(rest);
    // Resume after the current read loop; the reader may have paused the socket meanwhile.
    process.nextTick(() => socket.resume());
  }

  handleError(error: Error): void {
    this.destroy(error);
  }

  handleCommandComplete(): void {}

  handleReadyForQuery(): void {}
}

/** Target side: COPY … FROM STDIN fed with whole CopyData messages (see RawCopyOut). */
export class RawCopyIn extends Writable {
  /** The target's own row count, known when the stream finishes. */
  rowCount = 0;
  private connection: PgConnection | null = null;
  private ready = false;
  private whenReady: (() => void) | null = null;
  private finished: ((error?: Error | null) => void) | null = null;

  constructor(private readonly text: string) {
    super();
  }

  submit(connection: PgConnection): void {
    this.connection = connection;
    connection.query(this.text);
  }

  /** node-postgres overwrites this with its query_timeout handling; it must exist. */
  callback(): void {}

  handleCopyInResponse(): void {
    this.ready = true;
    const go = this.whenReady;
    this.whenReady = null;
    go?.();
  }

  override _writev(chunks: { chunk: Buffer }[], callback: (error?: Error | null) => void): void {
    this.afterReady(() => this.send(chunks.map((c) => c.chunk), callback));
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.afterReady(() => this.send([chunk], callback));
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.afterReady(() => {
      this.finished = callback;
      this.connection?.stream.write(COPY_DONE);
    });
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    // Whole messages only were written, so CopyFail ends the COPY cleanly; the caller's
    // transaction then fails and rolls back.
    if (this.ready && this.connection && !this.finished) this.connection.stream.write(copyFail(error?.message ?? "copy aborted"));
    callback(error);
  }

  handleCommandComplete(message: { text?: string }): void {
    const match = /COPY (\d+)/.exec(message?.text ?? "");
    if (match) this.rowCount = Number(match[1]);
  }

  handleReadyForQuery(): void {
    this.callback();
    this.connection = null;
    const done = this.finished;
    this.finished = null;
    done?.();
  }

  handleError(error: Error): void {
    this.callback();
    this.connection = null;
    const done = this.finished;
    this.finished = null;
    if (done) done(error);
    else this.destroy(error);
  }

  private afterReady(go: () => void): void {
    if (this.ready) go();
    else this.whenReady = go;
  }

  private send(buffers: Buffer[], callback: (error?: Error | null) => void): void {
    const socket = this.connection?.stream;
    if (!socket) return callback(new Error("the target connection ended during the copy"));
    let flowing = true;
    for (const buffer of buffers) flowing = socket.write(buffer);
    if (flowing) callback();
    else socket.once("drain", () => callback());
  }
}

function copyFail(reason: string): Buffer {
  const text = Buffer.from(`${reason}\0`);
  const header = Buffer.alloc(5);
  header.write("f", 0, "latin1");
  header.writeUInt32BE(text.length + 4, 1);
  return Buffer.concat([header, text]);
}
