/**
 * Human-readable numbers and times for every console page (one module, so a duration or a size
 * reads the same on the peer and the mirror pages). Pure functions, safe on server and client; they
 * format with a fixed locale ("en-US") so the server's render and the browser's agree (no
 * hydration mismatch when the two run with different locales).
 */

const LOCALE = "en-US";

export function formatCount(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return "—";
  return Math.round(value).toLocaleString(LOCALE);
}

const BYTE_UNITS = ["B", "kB", "MB", "GB", "TB", "PB"];

/** Powers of 1024 with the short units DBAs read in PostgreSQL's pg_size_pretty ("8192 bytes" aside). */
export function formatBytes(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return "—";
  let amount = Math.max(0, value);
  let unit = 0;
  while (amount >= 1024 && unit < BYTE_UNITS.length - 1) {
    amount /= 1024;
    unit++;
  }
  const digits = unit === 0 || amount >= 100 ? 0 : 1;
  return `${amount.toFixed(digits)} ${BYTE_UNITS[unit]}`;
}

/**
 * Megabytes with one decimal, for the paused-mirror WAL warning where one fixed unit reads best;
 * under 0.1 MB it says so rather than "0.0 MB", which would read as "nothing retained".
 */
export function formatMegabytes(value: number): string {
  const mb = Math.max(0, value) / (1024 * 1024);
  if (mb < 0.1) return "< 0.1 MB";
  return `${mb.toLocaleString(LOCALE, { maximumFractionDigits: 1, minimumFractionDigits: 1 })} MB`;
}

/** "850 ms", "42 s", "3 min 5 s", "2 h 10 min", "3 d 4 h". */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return "—";
  if (ms < 1000) return `${Math.max(0, Math.round(ms))} ms`;
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${seconds % 60} s`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours} h ${minutes % 60} min`;
  return `${Math.floor(hours / 24)} d ${hours % 24} h`;
}

export function formatRate(rowsPerSecond: number | null | undefined): string {
  if (rowsPerSecond === null || rowsPerSecond === undefined || !Number.isFinite(rowsPerSecond)) return "—";
  return `${formatCount(rowsPerSecond)} rows/s`;
}

/** "2026-05-01 14:03:07" in UTC: unambiguous for people in different time zones reading the same mirror. */
export function formatTime(iso: string | null | undefined): string {
  if (!iso) return "—";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return "—";
  return `${date.toISOString().slice(0, 19).replace("T", " ")} UTC`;
}

export function formatPercent(percent: number): string {
  const clamped = Math.min(100, Math.max(0, percent));
  return `${clamped >= 10 || clamped === 0 ? Math.floor(clamped) : clamped.toFixed(1)} %`;
}

/** CDC lag as "12.0 kB · 1.4 s behind", or what is known of it. */
export function formatLag(bytes: number | null | undefined, seconds: number | null | undefined): string {
  const parts: string[] = [];
  if (bytes !== null && bytes !== undefined) parts.push(formatBytes(bytes));
  if (seconds !== null && seconds !== undefined) parts.push(`${seconds < 10 ? seconds.toFixed(1) : Math.round(seconds)} s`);
  return parts.length ? parts.join(" · ") : "—";
}
