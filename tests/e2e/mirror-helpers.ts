import { randomBytes } from "node:crypto";
import { type APIRequestContext, expect, type Page, type PlaywrightWorkerArgs, test } from "@playwright/test";
import pg from "pg";
import { E2E_PASSWORD } from "./global-setup";
import { type E2eCluster, e2eClusters } from "./support";

/**
 * Shared by the mirror end-to-end specs: fresh databases on the e2e servers, peers made through the
 * API, and checks of what pgferry leaves on the source.
 */

export type ClusterName = "source" | "target";

export function cluster(name: ClusterName): E2eCluster {
  return e2eClusters()[name];
}

export async function connect(name: ClusterName, database: string): Promise<pg.Client> {
  const client = new pg.Client({ ...cluster(name), database, application_name: "e2e-test" });
  await client.connect();
  return client;
}

/** Runs SQL in one database and closes the connection. */
export async function sql<T extends pg.QueryResultRow = pg.QueryResultRow>(name: ClusterName, database: string, text: string, values?: unknown[]): Promise<T[]> {
  const client = await connect(name, database);
  try {
    return (await client.query<T>(text, values)).rows;
  } finally {
    await client.end();
  }
}

/** A new empty database on the server, unique to this run: `${prefix}_<random>`. */
export async function freshDatabase(name: ClusterName, prefix: string): Promise<string> {
  const database = `${prefix}_${randomBytes(4).toString("hex")}`;
  await sql(name, "postgres", `CREATE DATABASE ${database}`);
  return database;
}

/** An API client signed in with the bearer password (for setup and cleanup, not for what is under test). */
export async function apiContext(playwright: PlaywrightWorkerArgs["playwright"]): Promise<APIRequestContext> {
  return playwright.request.newContext({
    baseURL: `http://127.0.0.1:${process.env.PGFERRY_E2E_PORT ?? 3107}`,
    extraHTTPHeaders: { authorization: `Bearer ${E2E_PASSWORD}` },
  });
}

export async function createPeer(api: APIRequestContext, peer: string, server: ClusterName, database: string): Promise<void> {
  const { host, port, user, password } = cluster(server);
  const response = await api.post("/api/v1/peers", { data: { name: peer, host, port, database, user, password, tlsMode: "disable" } });
  expect(response.status(), await response.text()).toBe(201);
}

/** What a mirror spec works with; set before its first test runs. */
export interface MirrorScenario {
  mirror: string;
  sourcePeer: string;
  targetPeer: string;
  api: APIRequestContext;
  sourceDb: string;
  targetDb: string;
}

/**
 * Registers a mirror spec's setup and cleanup: fresh source and target databases (the source
 * filled by `sourceSql`) and peers `<mirror>_src` and `<mirror>_tgt` made through the API before
 * the tests; afterwards the mirror and both peers are deleted, even after a failure, so that the
 * other specs find pgferry as they expect it (no mirrors, no extra peers).
 */
export function mirrorScenario(mirror: string, sourceSql: string): MirrorScenario {
  const scenario = { mirror, sourcePeer: `${mirror}_src`, targetPeer: `${mirror}_tgt` } as MirrorScenario;
  test.beforeAll(async ({ playwright }) => {
    scenario.api = await apiContext(playwright);
    scenario.sourceDb = await freshDatabase("source", scenario.sourcePeer);
    scenario.targetDb = await freshDatabase("target", scenario.targetPeer);
    await sql("source", scenario.sourceDb, sourceSql);
    await createPeer(scenario.api, scenario.sourcePeer, "source", scenario.sourceDb);
    await createPeer(scenario.api, scenario.targetPeer, "target", scenario.targetDb);
  });
  test.afterAll(async () => {
    await deleteMirrorIfAny(scenario.api, mirror);
    await deletePeerIfAny(scenario.api, scenario.sourcePeer);
    await deletePeerIfAny(scenario.api, scenario.targetPeer);
    await scenario.api.dispose();
  });
  return scenario;
}

/** Creates the scenario's mirror of `tables` (source names, e.g. "public.items") through the API. */
export async function createScenarioMirror(scenario: MirrorScenario, mode: "cdc" | "initial_load_only", tables: string[]): Promise<void> {
  const created = await scenario.api.post("/api/v1/mirrors", {
    data: { name: scenario.mirror, source: scenario.sourcePeer, target: scenario.targetPeer, mode, tables: tables.map((source) => ({ source })) },
  });
  expect(created.status(), await created.text()).toBe(201);
}

/** Polls the scenario's mirror through the API until its status is `status`; `message` names the wait when it times out. */
export async function pollMirrorStatus(scenario: MirrorScenario, status: string, message: string): Promise<void> {
  await expect
    .poll(async () => ((await (await scenario.api.get(`/api/v1/mirrors/${scenario.mirror}`)).json()) as { status: string }).status, { timeout: 120_000, message })
    .toBe(status);
}

/** Deletes a mirror if it exists and waits until the worker has removed it (cleanup after a failed test). */
export async function deleteMirrorIfAny(api: APIRequestContext, mirror: string): Promise<void> {
  const found = await api.get(`/api/v1/mirrors/${mirror}`);
  if (found.status() === 404) return;
  await api.delete(`/api/v1/mirrors/${mirror}`);
  await expect.poll(async () => (await api.get(`/api/v1/mirrors/${mirror}`)).status(), { timeout: 60_000 }).toBe(404);
}

export async function deletePeerIfAny(api: APIRequestContext, peer: string): Promise<void> {
  await api.delete(`/api/v1/peers/${peer}`);
}

/** Replication slots and publications named like pgferry's on the source database. */
export async function pgferryLeftovers(database: string): Promise<{ slots: string[]; publications: string[] }> {
  const slots = await sql<{ slot_name: string }>("source", "postgres", "SELECT slot_name FROM pg_replication_slots WHERE database = $1", [database]);
  const publications = await sql<{ pubname: string }>("source", database, "SELECT pubname FROM pg_publication");
  return { slots: slots.map((s) => s.slot_name), publications: publications.map((p) => p.pubname) };
}

/** The mirror's events, for a failure message that says what the backend did. */
export async function mirrorEvents(api: APIRequestContext, mirror: string): Promise<string> {
  const response = await api.get(`/api/v1/mirrors/${mirror}/events`);
  if (!response.ok()) return `(events: HTTP ${response.status()})`;
  const { events } = (await response.json()) as { events: { level: string; message: string; createdAt: string }[] };
  return events
    .reverse()
    .map((e) => `${e.createdAt} ${e.level} ${e.message}`)
    .join("\n");
}

/** Waits for the status badge, and on timeout fails with the mirror's events so the cause is visible. */
export async function expectStatus(page: Page, api: APIRequestContext, mirror: string, label: string, timeout: number): Promise<void> {
  try {
    await expect(page.getByTestId("mirror-status")).toHaveText(label, { timeout });
  } catch (error) {
    throw new Error(`${(error as Error).message}\n\nEvents of ${mirror}:\n${await mirrorEvents(api, mirror)}`);
  }
}
