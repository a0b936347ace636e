import path from "node:path";
import { z } from "zod";

/**
 * pgferry's environment, parsed once. Every variable is documented in README.md.
 * Defaults are given here, where they are defined.
 */
const envSchema = z.object({
  /** Catalog connection. Default: unset — `npm start` then starts an embedded catalog and sets it for its children. */
  DATABASE_URL: z.string().min(1).optional(),
  /** Folder for the embedded catalog, the secret key file and build stamps. Default: ./.pgferry */
  PGFERRY_DATA_DIR: z.string().min(1).default(".pgferry"),
  /** Address the web app listens on. Default: 127.0.0.1 (loopback only); docker-compose sets 0.0.0.0. */
  HOST: z.string().min(1).default("127.0.0.1"),
  /** HTTP port of the web app. Default: 3000 */
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  /** Workers that `npm start` runs beside the web app. Default: 1 (0 in docker-compose, where workers are their own service). */
  PGFERRY_WORKERS: z.coerce.number().int().min(0).max(64).default(1),
  /**
   * Sign-in password, at least 16 characters (a short one falls to guessing however slow each guess is).
   * Default: unset — a password is generated on first start and only its hash is kept.
   */
  PGFERRY_PASSWORD: z.string().min(16, "PGFERRY_PASSWORD must have at least 16 characters").optional(),
  /** "1" when a reverse proxy in front of pgferry sets X-Forwarded-For/-Proto/-Host truthfully. Default: unset (not trusted). */
  PGFERRY_TRUST_PROXY: z.enum(["0", "1"]).optional(),
});

export type Env = z.infer<typeof envSchema>;

export function env(): Env {
  // An empty variable means unset, as in most shells' `VAR= command`.
  const set = Object.fromEntries(Object.entries(process.env).filter(([, value]) => value !== ""));
  return envSchema.parse(set);
}

export function dataDir(): string {
  return path.resolve(env().PGFERRY_DATA_DIR);
}

/** The catalog URL; the launcher sets DATABASE_URL for every process it starts. */
export function catalogUrl(): string {
  const url = env().DATABASE_URL;
  if (!url) {
    throw new Error("DATABASE_URL is not set: start pgferry with `npm start`, or point DATABASE_URL at the catalog database");
  }
  return url;
}
