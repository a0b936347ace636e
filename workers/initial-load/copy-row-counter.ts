import { Transform, type TransformCallback } from "node:stream";

export type CopyFormat = "binary" | "text";

/**
 * A pass-through stream that counts bytes and rows of a COPY data stream while forwarding every
 * chunk untouched, so progress is exact without decoding any value.
 *
 * - text: every row ends with exactly one newline byte (COPY escapes newlines inside values as
 *   `\n`), so rows = newline bytes.
 * - binary: walks only the framing — per tuple a 16-bit field count, per field a 32-bit length
 *   and that many bytes to skip — across chunk boundaries; the -1 field count is the trailer.
 */
export class CopyRowCounter extends Transform {
  bytes = 0;
  private readonly binary: BinaryFraming | null;
  private textRows = 0;

  constructor(readonly format: CopyFormat) {
    super();
    this.binary = format === "binary" ? new BinaryFraming() : null;
  }

  get rows(): number {
    return this.binary ? this.binary.rows : this.textRows;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.binary) this.binary.feed(chunk);
    else this.textRows += countNewlines(chunk);
    callback(null, chunk);
  }
}

function countNewlines(chunk: Buffer): number {
  let n = 0;
  for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) n++;
  return n;
}

/** Signature (11 bytes) + flags (4) + header extension length (4). */
const HEADER_BYTES = 19;

type State = "header" | "tuple" | "field" | "trailer";

/** Incremental parser of COPY BINARY framing; see CopyRowCounter. */
export class BinaryFraming {
  rows = 0;
  private state: State = "header";
  /** Bytes of payload still to skip (header extension or a field value). */
  private skip = 0;
  private fieldsLeft = 0;
  /** A fixed-size integer split across chunks. */
  private partial = Buffer.alloc(0);

  feed(chunk: Buffer): void {
    let pos = 0;
    const end = chunk.length;
    while (pos < end && this.state !== "trailer") {
      if (this.skip > 0) {
        const n = Math.min(this.skip, end - pos);
        this.skip -= n;
        pos += n;
        continue;
      }
      const size = this.state === "header" ? HEADER_BYTES : this.state === "tuple" ? 2 : 4;
      // Hot path: the word lies whole in this chunk; read it in place (no Buffer per field).
      if (this.partial.length === 0 && end - pos >= size) {
        this.step(chunk, pos);
        pos += size;
        continue;
      }
      const n = Math.min(size - this.partial.length, end - pos);
      this.partial = Buffer.concat([this.partial, chunk.subarray(pos, pos + n)]);
      pos += n;
      if (this.partial.length < size) return;
      const word = this.partial;
      this.partial = Buffer.alloc(0);
      this.step(word, 0);
    }
  }

  /** Consumes the word (header, field count or field length) that starts at `at` in `buffer`. */
  private step(buffer: Buffer, at: number): void {
    switch (this.state) {
      case "header":
        this.skip = buffer.readUInt32BE(at + 15);
        this.state = "tuple";
        break;
      case "tuple": {
        const fields = buffer.readInt16BE(at);
        if (fields === -1) {
          this.state = "trailer";
          break;
        }
        this.rows++;
        this.fieldsLeft = fields;
        this.state = fields > 0 ? "field" : "tuple";
        break;
      }
      case "field": {
        const length = buffer.readInt32BE(at);
        if (length > 0) this.skip = length;
        if (--this.fieldsLeft === 0) this.state = "tuple";
        break;
      }
      default:
        break;
    }
  }
}
