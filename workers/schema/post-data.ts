import type pg from "pg";
import type { TableMapping } from "@/lib/mirrors/table-mapping";
import { quoteIdent, quoteQualified } from "@/lib/pg/quote";
import { commentSql } from "@/lib/pg/schema-objects/comments";
import { addConstraintSql, constraintExists, uniqueUsingIndexSql, validateConstraintSql } from "@/lib/pg/schema-objects/constraints";
import { ensureExtensions } from "@/lib/pg/schema-objects/extensions";
import { attachIndexSql, type IndexObject, relationExists } from "@/lib/pg/schema-objects/indexes";
import { readRoleNames } from "@/lib/pg/schema-objects/privileges";
import { triggerExists } from "@/lib/pg/schema-objects/triggers";
import { prepareBuildSession } from "./build-session";
import { createFunctions } from "./pre-data";
import { applicablePrivileges, privilegePlans } from "./privilege-plans";
import { watchIndexBuilds } from "./index-progress";
import { type PostDataObjects, readPostData } from "./read-post-data";

/** Progress of a post-data build: objects done out of the total, and the index being built now. */
export interface PostDataProgress {
  total: number;
  done: number;
  /** What is being built: "indexes", "constraints", "foreign keys", "views", "triggers", "comments". */
  step?: string;
  current?: { name: string; percent: number | null };
}

export interface PostDataOptions {
  /** Indexes built at the same time. Default: 2 (needs `openTarget`; without it one at a time on `target`). */
  parallel?: number;
  /** Opens another connection to the target, for parallel index builds (closed here). Default: none. */
  openTarget?: () => Promise<pg.Client>;
  onProgress?: (p: PostDataProgress) => void;
  signal?: AbortSignal;
  /**
   * Give the target objects the source's owners and grants, where the same roles exist on the
   * target; the rest is reported as skipped. Default: true (the mirror setting reproduceGrants).
   */
  reproduceGrants?: boolean;
  /** maintenance_work_mem of each build, in MB (the mirror setting indexBuildMemoryMb). Default: the setting's default. */
  buildMemoryMb?: number;
}

export interface PostDataResult {
  /** Objects built now, e.g. `index public.orders_customer_idx`. */
  built: string[];
  /** Objects not reproduced, and why (a dependency that is not selected, an error on the target). */
  skipped: { object: string; reason: string }[];
}

/** Default: 2 indexes at once. */
export const DEFAULT_PARALLEL_INDEX_BUILDS = 2;

/** SQLSTATE classes that mean "try again later", not "this object cannot be built": connection, resources, shutdown. */
const TRANSIENT = /^(08|53|57|40)/;

/**
 * Builds on the target what the copy left out for speed (pg_dump's post-data, plus the views and
 * functions that need the tables): functions not created yet, views and materialized views,
 * secondary indexes (largest table first, `parallel` at once, with names), unique constraints
 * (CREATE UNIQUE INDEX, then ADD CONSTRAINT … USING INDEX), exclusion and check constraints,
 * foreign keys between selected tables (NOT VALID, then VALIDATE), triggers (as enabled as on the
 * source: ordinary ones do not fire for CDC's replica session), materialized view refresh, comments.
 *
 * Idempotent: what exists on the target (by name) is left alone and not counted as built. An object
 * that depends on something not selected, or that the target refuses, is skipped with the reason; a
 * lost connection or an abort throws. The source and target clients must be idle.
 */
export async function buildPostData(source: pg.Client, target: pg.Client, mapping: TableMapping[], options: PostDataOptions): Promise<PostDataResult> {
  const objects = await readPostData(source, mapping);
  const run = new PostDataRun(target, objects, options);
  await run.build();
  return { built: run.built, skipped: run.skipped };
}

class PostDataRun {
  readonly built: string[] = [];
  readonly skipped: { object: string; reason: string }[] = [];
  private done = 0;
  private readonly total: number;
  private step = "";

  constructor(
    private readonly target: pg.Client,
    private readonly objects: PostDataObjects,
    private readonly options: PostDataOptions,
  ) {
    const o = objects;
    this.total = o.views.length + o.indexes.length + o.constraints.length + o.triggers.length;
  }

  async build(): Promise<void> {
    const { target, objects } = this;
    await prepareBuildSession(target, { memoryMb: this.options.buildMemoryMb, catalogSearchPath: true });
    for (const fn of objects.functions.filter((f) => f.skipReason)) this.skip(`${fn.kind} ${fn.signature}`, fn.skipReason as string);
    await this.inTransaction(async () => {
      for (const problem of await ensureExtensions(target, objects.extensions)) this.skip("extension", problem);
      const failures: string[] = [];
      for (const signature of await createFunctions(target, objects.functions, failures)) this.built.push(`function ${signature}`);
      for (const failure of failures) this.skip(failure.slice(0, failure.indexOf(" was not created")), failure.slice(failure.indexOf(": ") + 2));
    });
    await this.buildViews();
    await this.buildIndexes();
    await this.buildConstraints();
    await this.buildTriggers();
    await this.refreshMaterializedViews();
    await this.buildComments();
    if (this.options.reproduceGrants !== false) await this.buildPrivileges();
    this.done = this.total;
    this.report();
  }

  private async buildViews(): Promise<void> {
    this.step = "views";
    for (const view of this.objects.views) {
      const label = `${view.materialized ? "materialized view" : "view"} ${view.printed}`;
      if (view.skipReason) this.skip(label, view.skipReason);
      else if (!(await relationExists(this.target, view.source))) {
        await this.attempt(label, [`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(view.source.schema)}`, view.sql]);
      }
      this.advance();
    }
  }

  /** Partitioned parents (ON ONLY: instant) first, then the real builds in parallel, then attach children to parents. */
  private async buildIndexes(): Promise<void> {
    this.step = "indexes";
    const { indexes, selection, constraints } = this.objects;
    const isParent = (index: IndexObject) => selection.byOid.get(index.tableOid)?.partitioned === true;
    const tasks: { label: string; bytes: number; sql: string[]; name: string }[] = [];
    for (const index of indexes.filter(isParent)) await this.buildIndexAlone(index);
    for (const index of indexes.filter((i) => !isParent(i))) {
      const label = `index ${quoteQualified(index.target.schema, index.name)}`;
      if (!index.sql) this.skip(label, "its definition could not be adapted to the target's names");
      else if (!(await relationExists(this.target, index.target))) tasks.push({ label, bytes: index.tableBytes, sql: [index.sql], name: index.name });
      else this.advance();
      if (!index.sql) this.advance();
    }
    // Unique constraints build their index here too; exclusion constraints and a partitioned table's unique constraint build theirs in ADD CONSTRAINT.
    for (const constraint of constraints.filter((c) => !c.skipReason && (c.kind === "unique" || c.kind === "exclusion"))) {
      if (await constraintExists(this.target, constraint)) continue;
      const sql = constraint.indexSql && constraint.indexName ? [constraint.indexSql] : [addConstraintSql(constraint, { notValid: false })];
      if (constraint.indexSql && constraint.indexName) {
        const indexName = { schema: schemaOf(constraint.table, this.objects), name: constraint.indexName };
        if (await relationExists(this.target, indexName)) continue;
      }
      tasks.push({ label: `constraint ${quoteIdent(constraint.name)} on ${constraint.table}`, bytes: constraint.tableBytes, sql, name: constraint.indexName ?? constraint.name });
    }
    tasks.sort((a, b) => b.bytes - a.bytes);
    await this.runPool(tasks);
    const depth = (index: IndexObject): number => (index.parentOid === null ? 0 : 1 + depth(indexes.find((i) => i.oid === index.parentOid) as IndexObject));
    for (const child of indexes.filter((i) => i.parentOid !== null).sort((a, b) => depth(b) - depth(a))) {
      const parent = indexes.find((i) => i.oid === child.parentOid) as IndexObject;
      const attached = await this.target.query("SELECT 1 FROM pg_catalog.pg_inherits WHERE inhrelid = pg_catalog.to_regclass($1)", [quoteQualified(child.target.schema, child.target.name)]);
      if (attached.rows.length === 0) await this.attempt(`index ${quoteQualified(child.target.schema, child.name)} (attach)`, [attachIndexSql(parent.target, child.target)], { record: false });
    }
  }

  private async buildIndexAlone(index: IndexObject): Promise<void> {
    const label = `index ${quoteQualified(index.target.schema, index.name)}`;
    if (!index.sql) this.skip(label, "its definition could not be adapted to the target's names");
    else if (!(await relationExists(this.target, index.target))) await this.attempt(label, [index.sql]);
    this.advance();
  }

  /** Runs the builds `parallel` at once on their own connections (or one at a time on the main one), watching their progress. */
  private async runPool(tasks: { label: string; sql: string[]; name: string }[]): Promise<void> {
    if (tasks.length === 0) return;
    const { openTarget } = this.options;
    const parallel = openTarget ? Math.max(1, this.options.parallel ?? DEFAULT_PARALLEL_INDEX_BUILDS) : 1;
    const queue = [...tasks];
    const building = new Map<number, string>();
    const stopWatching = openTarget
      ? watchIndexBuilds(this.target, () => building, (name, percent) => this.report({ name, percent }))
      : () => {};
    try {
      await Promise.all(
        Array.from({ length: Math.min(parallel, tasks.length) }, async () => {
          const client = openTarget ? await openTarget() : this.target;
          try {
            if (client !== this.target) await prepareBuildSession(client, { memoryMb: this.options.buildMemoryMb, catalogSearchPath: true });
            const pid = (await client.query<{ pid: number }>("SELECT pg_catalog.pg_backend_pid() AS pid")).rows[0].pid;
            for (let task = queue.shift(); task; task = queue.shift()) {
              this.throwIfAborted();
              building.set(pid, task.name);
              this.report({ name: task.name, percent: null });
              await this.attempt(task.label, task.sql, { client });
              building.delete(pid);
              this.advance();
            }
          } finally {
            if (client !== this.target) await client.end().catch(() => {});
          }
        }),
      );
    } finally {
      stopWatching();
    }
  }

  private async buildConstraints(): Promise<void> {
    this.step = "constraints";
    for (const constraint of this.objects.constraints) {
      const label = `constraint ${quoteIdent(constraint.name)} on ${constraint.table}`;
      if (constraint.skipReason) {
        this.skip(label, constraint.skipReason);
      } else if (!(await constraintExists(this.target, constraint))) {
        if (constraint.kind === "unique" && constraint.indexSql) {
          await this.attempt(label, [uniqueUsingIndexSql(constraint)], { record: false });
        } else if (constraint.kind === "check") {
          await this.attempt(label, [addConstraintSql(constraint, { notValid: false })]);
        } else if (constraint.kind === "foreign_key") {
          this.step = "foreign keys";
          // NOT VALID then VALIDATE: the check scans without blocking writes to the referenced table.
          // Before PostgreSQL 18 a partitioned table cannot take a NOT VALID foreign key.
          const twoSteps = !constraint.tablePartitioned && !constraint.notValid;
          await this.attempt(label, twoSteps ? [addConstraintSql(constraint, { notValid: true }), validateConstraintSql(constraint)] : [addConstraintSql(constraint, { notValid: false })]);
        }
      }
      if (constraint.kind !== "unique" && constraint.kind !== "exclusion") this.advance();
    }
  }

  private async buildTriggers(): Promise<void> {
    this.step = "triggers";
    for (const trigger of this.objects.triggers) {
      const label = `trigger ${quoteIdent(trigger.name)} on ${trigger.table}`;
      if (!trigger.sql) this.skip(label, trigger.skipReason ?? "unknown definition");
      else if (!(await triggerExists(this.target, trigger))) await this.attempt(label, trigger.stateSql ? [trigger.sql, trigger.stateSql] : [trigger.sql]);
      this.advance();
    }
  }

  private async refreshMaterializedViews(): Promise<void> {
    this.step = "materialized views";
    for (const view of this.objects.views.filter((v) => v.materialized && !v.skipReason)) {
      const { rows } = await this.target.query<{ populated: boolean }>(
        "SELECT relispopulated AS populated FROM pg_catalog.pg_class WHERE oid = pg_catalog.to_regclass($1)",
        [quoteQualified(view.source.schema, view.source.name)],
      );
      if (rows[0] && !rows[0].populated) await this.attempt(`materialized view ${view.printed} (refresh)`, [`REFRESH MATERIALIZED VIEW ${quoteQualified(view.source.schema, view.source.name)}`], { record: false });
    }
  }

  private async buildComments(): Promise<void> {
    this.step = "comments";
    const o = this.objects;
    const { names } = o.selection;
    const relations = new Map<number, { kind: string; name: string }>();
    for (const r of o.selection.relations) relations.set(r.oid, { kind: "TABLE", name: names.quoted(r.source) });
    for (const v of o.views.filter((v) => !v.skipReason)) relations.set(v.oid, { kind: v.materialized ? "MATERIALIZED VIEW" : "VIEW", name: quoteQualified(v.source.schema, v.source.name) });
    for (const i of o.indexes) relations.set(i.oid, { kind: "INDEX", name: quoteQualified(i.target.schema, i.target.name) });
    for (const s of o.sequences) relations.set(s.oid, { kind: "SEQUENCE", name: quoteQualified(s.target.schema, s.target.name) });
    const statements: string[] = [];
    for (const comment of o.comments) {
      let what: string | null = null;
      if (comment.catalog === "pg_class") {
        const relation = relations.get(comment.objectOid);
        if (relation) what = comment.column ? `COLUMN ${relation.name}.${quoteIdent(comment.column)}` : `${relation.kind} ${relation.name}`;
      } else if (comment.catalog === "pg_constraint") {
        const c = o.constraints.find((x) => x.oid === comment.objectOid);
        if (c && !c.skipReason) what = `CONSTRAINT ${quoteIdent(c.name)} ON ${c.table}`;
      } else if (comment.catalog === "pg_trigger") {
        const t = o.triggers.find((x) => x.oid === comment.objectOid);
        if (t?.sql) what = `TRIGGER ${quoteIdent(t.name)} ON ${t.table}`;
      } else {
        const f = o.functions.find((x) => x.oid === comment.objectOid);
        if (f?.sql) what = `${f.kind.toUpperCase()} ${f.signature}`;
      }
      if (what) statements.push(commentSql(what, comment.text));
    }
    // Comments are cheap and idempotent: set them all each time, each on its own so one missing object spoils nothing.
    for (const sql of statements) await this.attempt("comment", [sql], { record: false });
  }

  /** Last, so that ownership moves once every object exists and pgferry's own statements are done. */
  private async buildPrivileges(): Promise<void> {
    this.step = "owners and grants";
    const roles = await readRoleNames(this.target);
    for (const plan of privilegePlans(this.objects)) {
      if (!(await this.exists(plan.lookup))) continue; // not built: already reported
      const { statements, missing } = applicablePrivileges(plan, roles);
      for (const { what, role } of missing) this.skip(what, `role ${quoteIdent(role)} does not exist on the target`);
      if (statements.length) await this.attempt(`owner and grants of ${plan.label}`, statements, { record: false });
    }
  }

  private async exists(lookup: { kind: "relation" | "routine" | "schema"; name: string }): Promise<boolean> {
    const sql = {
      relation: "SELECT pg_catalog.to_regclass($1) IS NOT NULL AS found",
      routine: "SELECT pg_catalog.to_regprocedure($1) IS NOT NULL AS found",
      schema: "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = $1) AS found",
    }[lookup.kind];
    const { rows } = await this.target.query<{ found: boolean }>(sql, [lookup.name]);
    return rows[0].found;
  }

  /** Runs an object's statements in one transaction; a refusal by the target skips the object, a lost connection throws. */
  private async attempt(label: string, statements: string[], { client = this.target, record = true }: { client?: pg.Client; record?: boolean } = {}): Promise<boolean> {
    this.throwIfAborted();
    try {
      await client.query("BEGIN");
      for (const sql of statements) await client.query(sql);
      await client.query("COMMIT");
      if (record) this.built.push(label);
      return true;
    } catch (error) {
      await client.query("ROLLBACK").catch(() => {});
      const code = (error as { code?: string }).code;
      if (!code || TRANSIENT.test(code)) throw error;
      this.skip(label, `the target refused it: ${(error as Error).message}`);
      return false;
    }
  }

  private async inTransaction(fn: () => Promise<void>): Promise<void> {
    await this.target.query("BEGIN");
    try {
      await fn();
      await this.target.query("COMMIT");
    } catch (error) {
      await this.target.query("ROLLBACK").catch(() => {});
      throw error;
    }
  }

  private skip(object: string, reason: string): void {
    this.skipped.push({ object, reason });
  }

  private advance(): void {
    this.done = Math.min(this.total, this.done + 1);
    this.report();
  }

  private report(current?: PostDataProgress["current"]): void {
    this.options.onProgress?.({ total: this.total, done: this.done, step: this.step, ...(current ? { current } : {}) });
  }

  private throwIfAborted(): void {
    this.options.signal?.throwIfAborted();
  }
}

/** The target schema of a quoted target table, from the mapping. */
function schemaOf(quotedTable: string, objects: PostDataObjects): string {
  const relation = objects.selection.relations.find((r) => objects.selection.names.quoted(r.source) === quotedTable);
  return relation ? objects.selection.names.object(relation.source).schema : "public";
}
