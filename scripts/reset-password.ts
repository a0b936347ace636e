import path from "node:path";
import { resetSignInPassword } from "@/lib/web/auth/credentials";
import { db } from "@/lib/catalog/db";
import { type EmbeddedServer, startEmbeddedServer } from "@/lib/catalog/embedded";
import { migrateCatalog } from "@/lib/catalog/migrate";
import { dataDir, env } from "@/lib/config/env";

/**
 * `npm run reset-password`: replaces the sign-in password with a new one, printed once, and signs
 * every session out. Works whether pgferry is running or not: it uses DATABASE_URL, or the embedded
 * catalog (started for the moment if pgferry is not running, and stopped again).
 */
async function main(): Promise<void> {
  let catalog: EmbeddedServer | null = null;
  if (!env().DATABASE_URL) {
    catalog = await startEmbeddedServer(path.join(dataDir(), "catalog"), { database: "pgferry", preferredPort: 54329 });
    process.env.DATABASE_URL = catalog.url;
  }
  try {
    await migrateCatalog(process.env.DATABASE_URL as string);
    const password = await resetSignInPassword();
    process.stdout.write(`New sign-in password: ${password}\nEvery session is signed out; sign in again with this password.\n`);
  } finally {
    await db().$disconnect();
    if (catalog?.startedHere) await catalog.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`reset-password failed: ${(error as Error).message}\n`);
  process.exit(1);
});
