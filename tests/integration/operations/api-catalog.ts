import type { MirrorStatus } from "@/lib/mirrors/status";
import { afterAll, beforeAll } from "vitest";
import { createTestCatalog, type TestCatalog } from "@/tests/support/catalog";
import { createPeerRow } from "@/tests/support/pgferry";

/** A test file's own catalog, with the sign-in password the route handlers check; `catalog` is set once the file's beforeAll hooks run. */
export interface ApiCatalog {
  catalog: TestCatalog;
}

/**
 * Registers the hooks that give a test file a fresh catalog and the sign-in password, and take both
 * away afterwards. Call it at the top of a `describe`, before hooks that use the catalog.
 */
export function apiCatalogFixture(password: string): ApiCatalog {
  const fixture = {} as ApiCatalog;
  beforeAll(async () => {
    fixture.catalog = await createTestCatalog();
    process.env.DATABASE_URL = fixture.catalog.url;
    process.env.PGFERRY_PASSWORD = password;
  });
  afterAll(async () => {
    await fixture.catalog?.close();
    delete process.env.PGFERRY_PASSWORD;
  });
  return fixture;
}

export interface HistoryMirror extends ApiCatalog {
  mirrorId: string;
}

/**
 * apiCatalogFixture plus peer "src" and CDC mirror "h" from it to itself, in `status`: enough for tests
 * that only read and write a mirror's history rows. `mirrorId` is set once the file's beforeAll hooks run.
 */
export function historyMirrorFixture(password: string, status: MirrorStatus): HistoryMirror {
  const fixture = apiCatalogFixture(password) as HistoryMirror;
  beforeAll(async () => {
    const { prisma } = fixture.catalog;
    await createPeerRow(prisma, "src", "source", "postgres");
    const peer = await prisma.peer.findUniqueOrThrow({ where: { name: "src" } });
    const mirror = await prisma.mirror.create({
      data: { name: "h", sourcePeerId: peer.id, targetPeerId: peer.id, mode: "cdc", status, settings: {}, publicationName: "p", slotName: "s" },
    });
    fixture.mirrorId = mirror.id;
  });
  return fixture;
}
