import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMirrorTestbed, type MirrorTestbed, waitForMirrorStatus } from "@/tests/support/pgferry";

/**
 * Issue 12, section 1: owners and grants are reproduced where the same roles exist on the target,
 * reported where they do not, and left alone when the mirror's reproduceGrants setting is off.
 * Roles belong to a whole server and the test servers are shared, so each run names its own.
 */
const run = Math.random().toString(36).slice(2, 8);
const OWNER = `owner_${run}`;
const READER = `reader_${run}`;
const WRITER = `writer_${run}`;
/** Exists on the source only. */
const GHOST = `ghost_${run}`;

const ROLES = `CREATE ROLE ${OWNER}; CREATE ROLE ${READER}; CREATE ROLE ${WRITER};`;

const SOURCE = `
  ${ROLES} CREATE ROLE ${GHOST};
  CREATE SCHEMA app;
  GRANT USAGE ON SCHEMA app TO ${READER}, ${GHOST};
  CREATE TABLE app.accounts (id serial PRIMARY KEY, name text, secret text);
  ALTER TABLE app.accounts OWNER TO ${OWNER};
  GRANT SELECT ON app.accounts TO ${READER}, ${GHOST};
  GRANT INSERT ON app.accounts TO ${WRITER} WITH GRANT OPTION;
  GRANT UPDATE (name) ON app.accounts TO ${WRITER};
  GRANT USAGE ON SEQUENCE app.accounts_id_seq TO ${WRITER};
  CREATE TABLE app.events (id int, at date) PARTITION BY RANGE (at);
  CREATE TABLE app.events_2024 PARTITION OF app.events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
  ALTER TABLE app.events OWNER TO ${OWNER};
  ALTER TABLE app.events_2024 OWNER TO ${OWNER};
  GRANT SELECT ON app.events TO ${READER};
  CREATE TABLE app.orphans (id int PRIMARY KEY);
  ALTER TABLE app.orphans OWNER TO ${GHOST};
  CREATE VIEW app.names AS SELECT id, name FROM app.accounts;
  ALTER VIEW app.names OWNER TO ${OWNER};
  GRANT SELECT ON app.names TO ${READER};
  CREATE FUNCTION app.account_count() RETURNS bigint LANGUAGE sql STABLE AS $$ SELECT count(*) FROM app.accounts $$;
  ALTER FUNCTION app.account_count() OWNER TO ${OWNER};
  REVOKE ALL ON FUNCTION app.account_count() FROM PUBLIC;
  GRANT EXECUTE ON FUNCTION app.account_count() TO ${READER};
  INSERT INTO app.accounts (name, secret) SELECT 'a' || g, 's' || g FROM generate_series(1, 100) g;
  INSERT INTO app.events VALUES (1, '2024-05-01');
  INSERT INTO app.orphans VALUES (1);

  CREATE SCHEMA other;
  CREATE TABLE other.plain (id int PRIMARY KEY);
  ALTER TABLE other.plain OWNER TO ${OWNER};
  GRANT SELECT ON other.plain TO ${READER};
`;

/** Owner and privileges (sorted, grantor left out) of every object in `schema`, grants to the ghost role left out. */
const PRIVILEGES = (schema: string) => `
  SELECT kind, name, owner, ARRAY(SELECT g FROM unnest(acl) g WHERE g NOT LIKE '${GHOST}:%' ORDER BY g) AS acl FROM (
    SELECT 'relation' AS kind, c.relname::text AS name, pg_get_userbyid(c.relowner) AS owner,
           ARRAY(SELECT coalesce(nullif(x.grantee, 0)::regrole::text, 'PUBLIC') || ':' || x.privilege_type || ':' || x.is_grantable FROM aclexplode(c.relacl) x) AS acl
      FROM pg_class c WHERE c.relnamespace = '${schema}'::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm', 'S')
    UNION ALL
    SELECT 'column', c.relname || '.' || a.attname, NULL,
           ARRAY(SELECT coalesce(nullif(x.grantee, 0)::regrole::text, 'PUBLIC') || ':' || x.privilege_type || ':' || x.is_grantable FROM aclexplode(a.attacl) x)
      FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid WHERE c.relnamespace = '${schema}'::regnamespace AND a.attacl IS NOT NULL
    UNION ALL
    SELECT 'routine', p.proname::text, pg_get_userbyid(p.proowner),
           ARRAY(SELECT coalesce(nullif(x.grantee, 0)::regrole::text, 'PUBLIC') || ':' || x.privilege_type || ':' || x.is_grantable FROM aclexplode(p.proacl) x)
      FROM pg_proc p WHERE p.pronamespace = '${schema}'::regnamespace
  ) o WHERE name <> 'orphans' ORDER BY 1, 2`;

describe("owners and grants on the target", () => {
  let bed: MirrorTestbed;

  beforeAll(async () => {
    bed = await createMirrorTestbed(SOURCE);
    await bed.target.query(ROLES);
    bed.startWorker();
    await bed.createMirror({
      name: "grants",
      mode: "initial_load_only",
      tables: [{ source: "app.accounts" }, { source: "app.events" }, { source: "app.orphans" }],
    });
    await bed.createMirror({ name: "no_grants", mode: "initial_load_only", tables: [{ source: "other.plain" }], settings: { reproduceGrants: false } });
    await Promise.all([waitForMirrorStatus(bed.catalog.prisma, "grants", "completed"), waitForMirrorStatus(bed.catalog.prisma, "no_grants", "completed")]);
  }, 180_000);

  afterAll(() => bed?.close());

  it("gives tables, partitions, sequences, views, functions and columns the source's owners and grants", async () => {
    const [source, target] = await Promise.all([bed.source.query(PRIVILEGES("app")), bed.target.query(PRIVILEGES("app"))]);
    expect(source.rows.map((r) => r.name)).toEqual(["accounts.name", "accounts", "accounts_id_seq", "events", "events_2024", "names", "account_count"]);
    expect(target.rows).toEqual(source.rows);
    const usage = await bed.target.query("SELECT has_schema_privilege($1, 'app', 'USAGE') AS usage", [READER]);
    expect(usage.rows[0].usage).toBe(true);
    // What the grants are for: the application's roles can work on the target.
    await bed.target.query(`SET ROLE ${READER}`);
    try {
      const { rows } = await bed.target.query("SELECT app.account_count()::int AS n, (SELECT count(*)::int FROM app.names) AS names");
      expect(rows[0]).toEqual({ n: 100, names: 100 });
    } finally {
      await bed.target.query("RESET ROLE");
    }
  });

  it("reports the owner and grants whose role the target lacks", async () => {
    const mirror = await bed.catalog.prisma.mirror.findUniqueOrThrow({ where: { name: "grants" }, include: { events: true } });
    const warnings = mirror.events.filter((e) => e.level === "warn").map((e) => e.message);
    const missing = `role "${GHOST}" does not exist on the target`;
    expect(warnings.filter((m) => m.includes(missing)).sort()).toEqual(
      [
        `Not reproduced on the target: owner of table "app"."orphans" — ${missing}.`,
        `Not reproduced on the target: grants on table "app"."accounts" to "${GHOST}" — ${missing}.`,
        `Not reproduced on the target: grants on schema "app" to "${GHOST}" — ${missing}.`,
      ].sort(),
    );
    expect(warnings).toHaveLength(3);
    const { rows } = await bed.target.query("SELECT pg_get_userbyid(relowner) AS owner FROM pg_class WHERE oid = 'app.orphans'::regclass");
    expect(rows[0].owner).toBe("postgres");
  });

  it("leaves owners and grants alone when reproduceGrants is off", async () => {
    const { rows } = await bed.target.query("SELECT pg_get_userbyid(relowner) AS owner, relacl FROM pg_class WHERE oid = 'other.plain'::regclass");
    expect(rows[0]).toEqual({ owner: "postgres", relacl: null });
  });
});
