import type pg from "pg";
import type { Logger } from "@/lib/log/logger";
import type { TableMapping } from "@/lib/mirrors/table-mapping";
import type { TableLoadPlan } from "@/lib/mirrors/table-plan";
import { connectPeer } from "@/lib/pg/connect";
import type { PeerConnection } from "@/lib/pg/connection";
import { quoteQualified } from "@/lib/pg/quote";
import { relationExists } from "@/lib/pg/schema-objects/indexes";
import { openBuildSession } from "@/workers/schema/build-session";
import { type PostDataObjects, readPostData } from "@/workers/schema/read-post-data";
import { ensurePrimaryKeys } from "./target-ddl";

export interface EarlyBuildOptions {
  mirror: string;
  target: PeerConnection;
  /** Also build the tables' secondary indexes (the load builds post-data now), reading them from this source. Default: keys only. */
  indexesFrom?: { source: PeerConnection; mapping: TableMapping[] };
  logger?: Logger;
  /** maintenance_work_mem of each build, in MB (the mirror setting indexBuildMemoryMb). Default: the setting's default. */
  buildMemoryMb?: number;
}

/**
 * Builds a table's primary key and secondary indexes as soon as its own copy is done, then ANALYZEs
 * it, while other tables still copy — as pg_restore -j and pgcopydb do — on one target connection, one
 * table at a time, in the order tables finish. The load's end (finishLoad) then finds them built and
 * skips them (both sides are idempotent: a key or index that exists is left alone), and does not
 * ANALYZE the tables `drain` names again.
 *
 * Best effort: a build that fails is left for finishLoad, which builds it again and reports what
 * the target refuses. Only ordinary tables' own indexes are built early; partitioned tables,
 * unique and exclusion constraints, and everything else of post-data wait for the end.
 */
export class EarlyBuilds {
  private readonly queued = new Set<string>();
  /** Tables whose key, indexes and ANALYZE are all done. */
  private readonly analyzed = new Set<string>();
  private readonly queue: TableLoadPlan[] = [];
  private running: Promise<void> | null = null;
  private stopped = false;
  private target: pg.Client | null = null;
  private objects: Promise<PostDataObjects | null> | null = null;

  constructor(private readonly options: EarlyBuildOptions) {}

  /** Queues tables whose copy is done (a table queued before is ignored). */
  add(plans: TableLoadPlan[]): void {
    if (this.stopped) return;
    for (const plan of plans) {
      const key = quoteQualified(plan.target.schema, plan.target.name);
      if (this.queued.has(key)) continue;
      this.queued.add(key);
      this.queue.push(plan);
    }
    if (this.queue.length > 0 && !this.running) this.running = this.work().finally(() => (this.running = null));
  }

  /**
   * Waits until every queued table is built (or given up), then closes the connection. Returns the
   * tables (quoteQualified target names) that were built and analyzed.
   */
  async drain(): Promise<Set<string>> {
    while (this.running) await this.running;
    await this.close();
    return new Set(this.analyzed);
  }

  /** Drops what is still queued, waits for the build in progress, closes the connection. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.queue.length = 0;
    await this.drain();
  }

  private async work(): Promise<void> {
    for (let plan = this.queue.shift(); plan && !this.stopped; plan = this.queue.shift()) {
      try {
        await this.build(plan);
      } catch (error) {
        this.options.logger?.debug("early index build left for the load's end", { mirror: this.options.mirror, table: plan.target, error });
        // The connection's state is unknown after an error: the next table opens a new one.
        await this.close();
      }
    }
  }

  private async build(plan: TableLoadPlan): Promise<void> {
    const target = await this.connection();
    await ensurePrimaryKeys(target, [plan]);
    for (const sql of await this.indexesOf(plan)) {
      if (this.stopped) return;
      await target.query(sql.create);
    }
    if (this.stopped) return;
    // After its own indexes, so expression indexes get their statistics too.
    const name = quoteQualified(plan.target.schema, plan.target.name);
    await target.query(`ANALYZE ${name}`);
    this.analyzed.add(name);
  }

  /** CREATE INDEX statements of the table's own secondary indexes not on the target yet. */
  private async indexesOf(plan: TableLoadPlan): Promise<{ create: string }[]> {
    if (!this.options.indexesFrom) return [];
    const objects = await (this.objects ??= this.readObjects());
    if (!objects) return [];
    const relation = objects.selection.relations.find((r) => r.source.schema === plan.source.schema && r.source.name === plan.source.name);
    if (!relation || relation.partitioned || relation.parentOid !== null) return [];
    const target = await this.connection();
    const out: { create: string }[] = [];
    for (const index of objects.indexes.filter((i) => i.tableOid === relation.oid && i.parentOid === null && i.sql)) {
      if (!(await relationExists(target, index.target))) out.push({ create: index.sql as string });
    }
    return out;
  }

  private async readObjects(): Promise<PostDataObjects | null> {
    const { source: peer, mapping } = this.options.indexesFrom!;
    const source = await connectPeer(peer, `early-builds:${this.options.mirror}`);
    try {
      return await readPostData(source, mapping);
    } catch (error) {
      this.options.logger?.debug("could not read the source's indexes early; they are built at the load's end", { mirror: this.options.mirror, error });
      return null;
    } finally {
      await source.end().catch(() => {});
    }
  }

  private async connection(): Promise<pg.Client> {
    // As post-data builds them (definitions fully qualified under pg_catalog).
    this.target ??= await openBuildSession(this.options.target, `early-builds:${this.options.mirror}`, {
      memoryMb: this.options.buildMemoryMb,
      catalogSearchPath: true,
    });
    return this.target;
  }

  private async close(): Promise<void> {
    const client = this.target;
    this.target = null;
    await client?.end().catch(() => {});
  }
}
