import path from "node:path";
import { z } from "zod";

/**
 * pgferry's environment, parsed once. Every variable is documented in README.md.
 * Defaults are given here, where they are defined.
 */
/** See PGFERRY_PEER_DENY. */
export const DEFAULT_PEER_DENY = "169.254.0.0/16,fe80::/10,@catalog";

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
  /**
   * Where peers may point: comma-separated CIDRs (10.0.0.0/8, fd00::/8), addresses, host names
   * (db.example.com, *.internal) and unix-socket folders (/var/run/postgresql). When set, every
   * address a peer's host resolves to must match an entry. Default: unset — any address not denied.
   */
  PGFERRY_PEER_ALLOW: z.string().optional(),
  /**
   * Where peers may not point, checked before PGFERRY_PEER_ALLOW; same entries, plus `@catalog` for
   * the catalog's own host and port (from DATABASE_URL).
   * Default: `169.254.0.0/16,fe80::/10,@catalog` (link-local, where cloud metadata services answer, and the catalog).
   */
  PGFERRY_PEER_DENY: z.string().default(DEFAULT_PEER_DENY),
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

/**
 * The peer address settings alone, so that a connection to a peer does not depend on the rest of
 * the environment being valid.
 */
export function peerAddressEnv(): Pick<Env, "PGFERRY_PEER_ALLOW" | "PGFERRY_PEER_DENY" | "DATABASE_URL"> {
  const set = Object.fromEntries(Object.entries(process.env).filter(([, value]) => value !== ""));
  return envSchema.pick({ PGFERRY_PEER_ALLOW: true, PGFERRY_PEER_DENY: true, DATABASE_URL: true }).parse(set);
}
