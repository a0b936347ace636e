import { expect, test } from "@playwright/test";
import { connect, createScenarioMirror, expectStatus, mirrorScenario, sql } from "./mirror-helpers";
import { signIn } from "./support";

/**
 * The Initial load tab names the phase while the primary key is built, not only a percentage.
 * A 300,000-row table's key takes well under the tab's 2 s refresh, so the test holds the build up:
 * once a copy session is on the target (pre-data is done), it takes an ACCESS SHARE lock on the
 * target table, which the copies' ROW EXCLUSIVE ignores and ADD PRIMARY KEY's ACCESS EXCLUSIVE waits
 * for. The phase is then on screen for as long as the test needs, and the lock is let go.
 */
const SOURCE_SQL = `CREATE TABLE public.big (id bigint PRIMARY KEY, note text NOT NULL);
    INSERT INTO public.big SELECT g, 'row ' || g FROM generate_series(1, 300000) g;
    ANALYZE;`;
const scenario = mirrorScenario("e2e_phase", SOURCE_SQL);

test("the Initial load tab says it is building the primary key before the copy completes", async ({ page }) => {
  test.setTimeout(240_000);
  await createScenarioMirror(scenario, "initial_load_only", ["public.big"]);

  await expect
    .poll(
      async () => {
        const copying = await sql("target", "postgres", "SELECT 1 FROM pg_stat_activity WHERE datname = $1 AND application_name LIKE 'pgferry:copy:%'", [scenario.targetDb]);
        return copying.length > 0;
      },
      { timeout: 120_000, intervals: [50], message: "a copy session reaches the target" },
    )
    .toBe(true);
  const holder = await connect("target", scenario.targetDb);
  try {
    await holder.query("BEGIN");
    await holder.query("LOCK TABLE public.big IN ACCESS SHARE MODE");

    await signIn(page, `/mirrors/${scenario.mirror}?tab=load`);
    await expect(page.getByTestId("load-phase")).toHaveText("building primary keys", { timeout: 120_000 });
    await expect(page.getByTestId("mirror-status")).not.toHaveText("Completed");
    // The worker is at the key build, waiting for this lock, with every row already copied.
    const waiting = await sql("target", "postgres", "SELECT query FROM pg_stat_activity WHERE datname = $1 AND wait_event_type = 'Lock'", [scenario.targetDb]);
    expect(waiting.map((r) => r.query)).toEqual([expect.stringMatching(/ADD PRIMARY KEY/)]);
    await expect(page.getByTestId("overall-rows-copied")).toContainText("300,000 / ");
  } finally {
    await holder.query("COMMIT").catch(() => {});
    await holder.end();
  }

  await expectStatus(page, scenario.api, scenario.mirror, "Completed", 120_000);
  await expect(page.getByTestId("load-phase")).toBeHidden();
  const keys = await sql("target", scenario.targetDb, "SELECT 1 FROM pg_index WHERE indrelid = 'public.big'::regclass AND indisprimary");
  expect(keys).toHaveLength(1);
});
