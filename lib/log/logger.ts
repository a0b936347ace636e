/**
 * One-line structured logs on stdout/stderr. Never pass secrets in `fields`: peer passwords
 * stay inside lib/peers and lib/secrets.
 */
export type LogLevel = "debug" | "info" | "warn" | "error";

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  child(scope: string): Logger;
}

const DEBUG = process.env.PGFERRY_DEBUG === "1";

export function createLogger(scope: string): Logger {
  const write = (level: LogLevel, message: string, fields?: Record<string, unknown>) => {
    if (level === "debug" && !DEBUG) return;
    const extra = fields && Object.keys(fields).length ? ` ${JSON.stringify(fields, errorReplacer)}` : "";
    const line = `${new Date().toISOString()} ${level.toUpperCase().padEnd(5)} [${scope}] ${message}${extra}`;
    (level === "error" || level === "warn" ? process.stderr : process.stdout).write(`${line}\n`);
  };
  return {
    debug: (m, f) => write("debug", m, f),
    info: (m, f) => write("info", m, f),
    warn: (m, f) => write("warn", m, f),
    error: (m, f) => write("error", m, f),
    child: (child) => createLogger(`${scope}:${child}`),
  };
}

/** Errors serialise to {} by default; keep their message and code. */
function errorReplacer(_key: string, value: unknown) {
  if (value instanceof Error) {
    return { name: value.name, message: value.message, code: (value as { code?: unknown }).code };
  }
  return value;
}
