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
  /** HTTP port of the web app. Default: 3000 */
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  /** Sign-in password. Default: unset — a password is generated on first start and only its hash is kept. */
  PGFERRY_PASSWORD: z.string().min(1).optional(),
});

export type Env = z.infer<typeof envSchema>;

export function env(): Env {
  return envSchema.parse(process.env);
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
