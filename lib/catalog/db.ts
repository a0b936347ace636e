import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "./generated/client";
import { catalogUrl } from "@/lib/config/env";

/**
 * The catalog's Prisma client, one per process. Kept on globalThis so that Next.js hot
 * reload in development does not open a new pool on every edit.
 */
const globalForPrisma = globalThis as unknown as { pgferryPrisma?: PrismaClient };

export function db(): PrismaClient {
  globalForPrisma.pgferryPrisma ??= createClient(catalogUrl());
  return globalForPrisma.pgferryPrisma;
}

export function createClient(connectionString: string): PrismaClient {
  const adapter = new PrismaPg({ connectionString, application_name: "pgferry:catalog", max: 10 });
  return new PrismaClient({ adapter });
}
