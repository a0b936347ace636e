/**
 * One-line structured logs on stdout/stderr. Never pass secrets in `fields`: peer passwords
 * stay inside lib/peers and lib/secrets.
 *
 * Two formats, chosen by PGFERRY_LOG_FORMAT:
 * - `text` (default): `2026-11-26T10:00:00.000Z INFO  [worker:mirrors] message {"mirror":"orders"}`, for people.
 * - `json`: one JSON object per line — time, level, component, mirror (when the fields name one),
 *   message, then the other fields — for log collectors (Loki, CloudWatch, Datadog, …).
 * Debug lines are written only with PGFERRY_DEBUG=1.
 */
export type LogLevel = "debug" | "info" | "warn" | "error";

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  child(scope: string): Logger;
}

export type LogFormat = "text" | "json";

export interface LogOptions {
  /** Default: PGFERRY_LOG_FORMAT, else "text". */
  format?: LogFormat;
  /** Default: PGFERRY_DEBUG === "1". */
  debug?: boolean;
  /** Where lines go. Default: stderr for warn and error, stdout otherwise. */
  write?: (level: LogLevel, line: string) => void;
}

const defaultWrite = (level: LogLevel, line: string) => (level === "error" || level === "warn" ? process.stderr : process.stdout).write(`${line}\n`);

export function createLogger(scope: string, options: LogOptions = {}): Logger {
  const format = options.format ?? (process.env.PGFERRY_LOG_FORMAT === "json" ? "json" : "text");
  const debug = options.debug ?? process.env.PGFERRY_DEBUG === "1";
  const out = options.write ?? defaultWrite;
  const write = (level: LogLevel, message: string, fields?: Record<string, unknown>) => {
    if (level === "debug" && !debug) return;
    out(level, format === "json" ? jsonLine(level, scope, message, fields) : textLine(level, scope, message, fields));
  };
  return {
    debug: (m, f) => write("debug", m, f),
    info: (m, f) => write("info", m, f),
    warn: (m, f) => write("warn", m, f),
    error: (m, f) => write("error", m, f),
    child: (child) => createLogger(`${scope}:${child}`, options),
  };
}

function textLine(level: LogLevel, scope: string, message: string, fields?: Record<string, unknown>): string {
  const extra = fields && Object.keys(fields).length ? ` ${JSON.stringify(fields, errorReplacer)}` : "";
  return `${new Date().toISOString()} ${level.toUpperCase().padEnd(5)} [${scope}] ${message}${extra}`;
}

function jsonLine(level: LogLevel, scope: string, message: string, fields: Record<string, unknown> = {}): string {
  const { mirror, ...rest } = fields;
  // The fixed keys come last so that a field can never overwrite them.
  return JSON.stringify({ ...rest, time: new Date().toISOString(), level, component: scope, mirror: mirror ?? null, message }, errorReplacer);
}

/** Errors serialise to {} by default; keep their message and code. */
function errorReplacer(_key: string, value: unknown) {
  if (value instanceof Error) {
    return { name: value.name, message: value.message, code: (value as { code?: unknown }).code };
  }
  if (typeof value === "bigint") return value.toString();
  return value;
}
