/**
 * PostgreSQL log sequence numbers (LSNs): a 64-bit byte position in the write-ahead log, written as
 * two hexadecimal 32-bit halves ("16/B374D848"). pgferry keeps them as bigint so they compare and
 * subtract exactly (a JS number loses precision above 2^53).
 */

export type Lsn = bigint;

/** 0/0, PostgreSQL's InvalidXLogRecPtr; START_REPLICATION from 0/0 means "from the slot's position". */
export const ZERO_LSN: Lsn = 0n;

const MAX_LSN = (1n << 64n) - 1n;
const LSN_PATTERN = /^([0-9A-Fa-f]{1,8})\/([0-9A-Fa-f]{1,8})$/;

/** Parses "16/B374D848" into a bigint. Throws on anything that is not an LSN. */
export function parseLsn(text: string): Lsn {
  const match = LSN_PATTERN.exec(text.trim());
  if (!match) throw new Error(`not an LSN: ${JSON.stringify(text)}`);
  return (BigInt(`0x${match[1]}`) << 32n) | BigInt(`0x${match[2]}`);
}

/** Formats a bigint the way PostgreSQL prints a pg_lsn: upper-case hex halves, no padding ("16/B374D848"). */
export function formatLsn(lsn: Lsn): string {
  if (lsn < 0n || lsn > MAX_LSN) throw new Error(`LSN out of range: ${lsn}`);
  const high = lsn >> 32n;
  const low = lsn & 0xffffffffn;
  return `${high.toString(16).toUpperCase()}/${low.toString(16).toUpperCase()}`;
}

/** -1, 0 or 1, for sorting; accepts bigints or LSN strings. */
export function compareLsn(a: Lsn | string, b: Lsn | string): -1 | 0 | 1 {
  const x = typeof a === "string" ? parseLsn(a) : a;
  const y = typeof b === "string" ? parseLsn(b) : b;
  return x < y ? -1 : x > y ? 1 : 0;
}

/** The later of two LSNs. */
export function maxLsn(a: Lsn, b: Lsn): Lsn {
  return a > b ? a : b;
}

/** Reads an 8-byte big-endian LSN from a protocol buffer. */
export function readLsn(buffer: Buffer, offset: number): Lsn {
  return buffer.readBigUInt64BE(offset);
}

/** Writes an 8-byte big-endian LSN into a protocol buffer. */
export function writeLsn(buffer: Buffer, lsn: Lsn, offset: number): void {
  buffer.writeBigUInt64BE(lsn, offset);
}

/** Bytes between two LSNs (never negative: 0 when `ahead` is not ahead). */
export function lsnDistance(ahead: Lsn, behind: Lsn): bigint {
  return ahead > behind ? ahead - behind : 0n;
}
