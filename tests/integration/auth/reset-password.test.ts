import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PASSWORD_HASH_KEY } from "@/lib/web/auth/credentials";
import { verifyPassword } from "@/lib/web/auth/password";
import { type EmbeddedServer, startEmbeddedServer } from "@/lib/catalog/embedded";

/** `npm run reset-password` without DATABASE_URL: the embedded catalog, whether pgferry runs or not. */
describe("reset-password with the embedded catalog", () => {
  let dataDir: string;
  const catalogFolder = () => path.join(dataDir, "catalog");

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), "pgferry-reset-"));
  });
  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  const resetPassword = async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, PGFERRY_DATA_DIR: dataDir };
    delete env.DATABASE_URL;
    delete env.PGFERRY_PASSWORD;
    const { stdout } = await promisify(execFile)(process.execPath, ["--import", "tsx", "scripts/reset-password.ts"], { env });
    return /New sign-in password: (\S+)/.exec(stdout)?.[1] as string;
  };

  async function storedHash(server: EmbeddedServer): Promise<string> {
    const client = new pg.Client({ connectionString: server.url });
    await client.connect();
    try {
      const { rows } = await client.query("SELECT value FROM settings WHERE key = $1", [PASSWORD_HASH_KEY]);
      return rows[0].value as string;
    } finally {
      await client.end();
    }
  }

  it("starts the catalog for the moment when pgferry is not running, and stops it again", async () => {
    const password = await resetPassword();
    expect(password).toMatch(/^[\w-]{24}$/);
    expect(existsSync(path.join(catalogFolder(), "data", "postmaster.pid"))).toBe(false);
    const server = await startEmbeddedServer(catalogFolder(), { database: "pgferry" });
    try {
      expect(await verifyPassword(password, await storedHash(server))).toBe(true);
    } finally {
      await server.stop();
    }
  });

  it("leaves a running catalog (pgferry up) running", async () => {
    const server = await startEmbeddedServer(catalogFolder(), { database: "pgferry" });
    try {
      const password = await resetPassword();
      expect(await verifyPassword(password, await storedHash(server))).toBe(true);
    } finally {
      await server.stop();
    }
  });
});
