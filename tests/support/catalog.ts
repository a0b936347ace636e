import { createClient } from "@/lib/catalog/db";
import type { PrismaClient } from "@/lib/catalog/generated/client";
import { CATALOG_TEMPLATE } from "./global-setup";
import { clusterInfo, createDatabase, databaseUrl } from "./databases";

export interface TestCatalog {
  url: string;
  prisma: PrismaClient;
  close(): Promise<void>;
}

/** A fresh, migrated catalog database (a clone of the template migrated once per run). */
export async function createTestCatalog(): Promise<TestCatalog> {
  const database = await createDatabase("catalog", "catalog", CATALOG_TEMPLATE);
  const url = databaseUrl(clusterInfo("catalog"), database);
  const prisma = createClient(url);
  return { url, prisma, close: () => prisma.$disconnect() };
}
