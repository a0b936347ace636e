import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { describeTable } from "@/lib/pg/describe";
import { EarlyBuilds } from "@/workers/load/early-builds";
import { finishLoad } from "@/workers/load/finish-load";
import { ensureTargetTables } from "@/workers/load/target-ddl";
import { type LoadEnv, loadEnv, mapping, q } from "./helpers";

let env: LoadEnv;

beforeAll(async () => {
  env = await loadEnv("early");
  await env.source.query(`
    CREATE TABLE public.done_early (id int PRIMARY KEY, code int NOT NULL);
    CREATE INDEX done_early_code_idx ON public.done_early (code);
    CREATE TABLE public.done_late (id int PRIMARY KEY, code int NOT NULL);`);
});

afterAll(() => env?.close());

/** pg_class.reltuples: -1 until the table's first ANALYZE (or VACUUM), then the row count it saw. */
async function reltuples(table: string): Promise<number> {
  const { rows } = await env.target.query<{ n: number }>("SELECT reltuples::float8 AS n FROM pg_class WHERE oid = $1::regclass", [table]);
  return rows[0].n;
}

describe("early builds and the load's end", () => {
  it("builds a finished table's key and indexes, analyzes it, and the load's end analyzes only the others", async () => {
    const tables = [mapping(q("public", "done_early")), mapping(q("public", "done_late"))];
    const { plans } = await ensureTargetTables(env.source, env.target, tables, { deferPrimaryKey: true });
    await env.target.query(`
      INSERT INTO public.done_early SELECT g, g % 7 FROM generate_series(1, 3000) g;
      INSERT INTO public.done_late SELECT g, g FROM generate_series(1, 500) g;`);
    expect([await reltuples("public.done_early"), await reltuples("public.done_late")]).toEqual([-1, -1]);

    const builds = new EarlyBuilds({ mirror: "early", target: env.targetPeer, indexesFrom: { source: env.sourcePeer, mapping: tables } });
    builds.add([plans[0]]);
    const analyzed = await builds.drain();
    expect([...analyzed]).toEqual(['"public"."done_early"']);
    expect((await describeTable(env.target, q("public", "done_early"))).primaryKey).toEqual(["id"]);
    const index = await env.target.query("SELECT 1 FROM pg_indexes WHERE indexname = 'done_early_code_idx'");
    expect(index.rowCount).toBe(1);
    expect(await reltuples("public.done_early")).toBe(3000);

    // An ANALYZE now would show the rows added since: the load's end leaves the early table alone.
    await env.target.query("INSERT INTO public.done_early SELECT g, 0 FROM generate_series(3001, 4000) g");
    await finishLoad(env.targetPeer, plans, "early", { analyzed });
    expect(await reltuples("public.done_early")).toBe(3000);
    expect(await reltuples("public.done_late")).toBe(500);
    expect((await describeTable(env.target, q("public", "done_late"))).primaryKey).toEqual(["id"]);
  });
});
