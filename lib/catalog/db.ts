import { PrismaPg } from "@prisma/adapter-pg";
import type pg from "pg";
import { PrismaClient } from "./generated/client";
import { catalogUrl } from "@/lib/config/env";

/** Most connections one process's catalog client opens. Default: 10. */
const CATALOG_POOL_MAX = 10;

/**
 * The catalog's Prisma client, one per process. Kept on globalThis so that Next.js hot
 * reload in development does not open a new pool on every edit.
 */
const globalForPrisma = globalThis as unknown as { pgferryPrisma?: PrismaClient };

export function db(): PrismaClient {
  globalForPrisma.pgferryPrisma ??= createClient(catalogUrl());
  return globalForPrisma.pgferryPrisma;
}

/** Each client's pg pool, once it connected: /metrics reports how busy it is. */
const pools = new WeakMap<PrismaClient, { pool?: pg.Pool }>();

/** The adapter that Prisma asks for connections, noting the pool it opens so it can be observed. */
class ObservedPrismaPg extends PrismaPg {
  constructor(
    config: pg.PoolConfig,
    private readonly seen: { pool?: pg.Pool },
  ) {
    super(config);
  }
  override async connect() {
    const adapter = await super.connect();
    this.seen.pool = adapter.underlyingDriver();
    return adapter;
  }
}

export function createClient(connectionString: string): PrismaClient {
  const seen: { pool?: pg.Pool } = {};
  const client = new PrismaClient({ adapter: new ObservedPrismaPg({ connectionString, application_name: "pgferry:catalog", max: CATALOG_POOL_MAX }, seen) });
  pools.set(client, seen);
  return client;
}

export interface CatalogPoolStats {
  /** Connections open (idle or in use). */
  total: number;
  idle: number;
  /** Queries waiting for a connection because all `max` are in use. */
  waiting: number;
  max: number;
}

/** How busy `client`'s pool is in this process; null before its first query. */
export function catalogPoolStats(client: PrismaClient): CatalogPoolStats | null {
  const pool = pools.get(client)?.pool;
  if (!pool) return null;
  return { total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount, max: pool.options.max ?? CATALOG_POOL_MAX };
}
