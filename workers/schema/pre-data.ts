import type { TableMapping } from "@/lib/mirrors/table-mapping";
import { type Queryable, withCatalogSearchPath } from "@/lib/pg/describe-session";
import { quoteIdent, quoteQualified } from "@/lib/pg/quote";
import { type ColumnExtra, columnExtraSql, readColumnExtras } from "@/lib/pg/schema-objects/columns";
import { ensureExtensions, type ExtensionNeed, readExtensionNeeds } from "@/lib/pg/schema-objects/extensions";
import { type FunctionObject, functionExists, readFunctions } from "@/lib/pg/schema-objects/functions";
import type { RelationName } from "@/lib/pg/schema-objects/name-map";
import { readSelection, type SelectedRelation, type Selection } from "@/lib/pg/schema-objects/selection";
import { createSequenceSql, ownedBySql, readSequences, type SequenceObject } from "@/lib/pg/schema-objects/sequences";

/**
 * Pre-data: what the target tables need before rows arrive, as pg_dump's pre-data section has it —
 * extensions, partitions with their bounds, sequences, functions, column defaults and identities.
 * Indexes, constraints, triggers and views come after the copy (post-data.ts).
 */
export interface PreData {
  selection: Selection;
  extensions: ExtensionNeed[];
  sequences: SequenceObject[];
  columns: ColumnExtra[];
  functions: FunctionObject[];
}

/** Reads the pre-data of the mapped tables from the source. The source client must be idle. */
export async function readPreData(source: Queryable, mapping: Pick<TableMapping, "source" | "target" | "flatten">[]): Promise<PreData> {
  return withCatalogSearchPath(source, async () => {
    const selection = await readSelection(source, mapping);
    const sequences = await readSequences(source, selection);
    const columns = await readColumnExtras(source, selection, sequences);
    const functions = await readFunctions(source, selection);
    const extensions = await readExtensionNeeds(source, selection, functions.map((f) => f.oid), []);
    return { selection, extensions, sequences, columns, functions };
  });
}

/** Creates the needed extensions the target lacks (inside the caller's transaction); returns what could not be created. */
export function ensurePreDataExtensions(target: Queryable, preData: PreData): Promise<string[]> {
  return ensureExtensions(target, preData.extensions);
}

/** `PARTITION BY …` for a selected table that is partitioned on the source; null otherwise. */
export function partitionClause(preData: PreData, table: RelationName): string | null {
  const relation = findRoot(preData.selection, table);
  return relation?.partitionKey ? `PARTITION BY ${relation.partitionKey}` : null;
}

/**
 * Creates the partitions of a just-created partitioned table, with the source's names and bounds,
 * sub-partitioned the same way. Runs in the caller's DDL transaction.
 */
export async function createPartitions(target: Queryable, preData: PreData, table: RelationName): Promise<void> {
  const root = findRoot(preData.selection, table);
  if (!root?.partitioned) return;
  const { names } = preData.selection;
  for (const partition of preData.selection.relations.filter((r) => r.rootOid === root.oid && r.parentOid !== null)) {
    const parent = preData.selection.byOid.get(partition.parentOid as number) as SelectedRelation;
    const name = names.object(partition.source);
    await target.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(name.schema)}`);
    const by = partition.partitionKey ? ` PARTITION BY ${partition.partitionKey}` : "";
    try {
      await target.query(`CREATE TABLE ${quoteQualified(name.schema, name.name)} PARTITION OF ${names.quoted(parent.source)} ${partition.bound}${by}`);
    } catch (error) {
      throw new Error(`creating partition ${name.schema}.${name.name} of ${table.schema}.${table.name} failed: ${(error as Error).message}`, { cause: error });
    }
  }
}

/**
 * Sequences, functions, defaults and identities of the tables just created (`created`: their
 * source names), in the caller's DDL transaction. A function that cannot be created yet (it needs a
 * view or a type that is not there) is left for post-data; its message goes to `warnings`.
 */
export async function applyPreData(target: Queryable, preData: PreData, created: RelationName[], warnings: string[]): Promise<void> {
  const { selection } = preData;
  const createdOids = new Set(created.map((t) => findRoot(selection, t)?.oid).filter((oid): oid is number => oid !== undefined));
  if (createdOids.size === 0) return;
  const sequences = preData.sequences.filter((s) => s.owner === null || createdOids.has(s.owner.tableOid));
  for (const sequence of sequences.filter((s) => s.owner?.kind !== "identity")) {
    await target.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(sequence.target.schema)}`);
    await target.query(createSequenceSql(sequence));
  }
  await createFunctions(target, preData.functions, warnings);
  for (const extra of preData.columns.filter((c) => createdOids.has(c.tableOid))) {
    const table = selection.byOid.get(extra.tableOid) as SelectedRelation;
    for (const sql of columnExtraSql(selection.names.quoted(table.source), extra, preData.sequences)) {
      try {
        await target.query(sql);
      } catch (error) {
        throw new Error(`setting the default of ${table.source.schema}.${table.source.name}.${extra.column} on the target failed: ${(error as Error).message}`, { cause: error });
      }
    }
  }
  for (const sequence of sequences) {
    const table = sequence.owner ? selection.byOid.get(sequence.owner.tableOid) : undefined;
    const sql = table ? ownedBySql(sequence, selection.names.object(table.source)) : null;
    if (sql) await target.query(sql);
  }
}

/**
 * Creates the functions the target lacks, each behind a savepoint and with body checks off (as
 * pg_dump restores them: a body may name tables created later). Returns the signatures created.
 */
export async function createFunctions(target: Queryable, functions: FunctionObject[], failures: string[]): Promise<string[]> {
  const created: string[] = [];
  await target.query("SET LOCAL check_function_bodies = off");
  for (const fn of functions) {
    if (!fn.sql || (await functionExists(target, fn))) continue;
    await target.query("SAVEPOINT pgferry_function");
    try {
      await target.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(fn.schema)}`);
      await target.query(fn.sql);
      await target.query("RELEASE SAVEPOINT pgferry_function");
      created.push(fn.signature);
    } catch (error) {
      await target.query("ROLLBACK TO SAVEPOINT pgferry_function");
      failures.push(`${fn.kind} ${fn.signature} was not created before the copy: ${(error as Error).message}`);
    }
  }
  return created;
}

function findRoot(selection: Selection, table: RelationName): SelectedRelation | undefined {
  return selection.relations.find((r) => r.parentOid === null && r.source.schema === table.schema && r.source.name === table.name);
}
