import type { TableMapping } from "@/lib/mirrors/table-mapping";
import { type Queryable, withCatalogSearchPath } from "@/lib/pg/describe-session";
import { quoteQualified } from "@/lib/pg/quote";
import { readComments, type SourceComment } from "@/lib/pg/schema-objects/comments";
import { type ConstraintObject, readConstraints } from "@/lib/pg/schema-objects/constraints";
import { type ExtensionNeed, readExtensionNeeds } from "@/lib/pg/schema-objects/extensions";
import { type FunctionObject, readFunctions } from "@/lib/pg/schema-objects/functions";
import { type IndexObject, readIndexes } from "@/lib/pg/schema-objects/indexes";
import { readPrivileges, type SourcePrivileges } from "@/lib/pg/schema-objects/privileges";
import { readSelection, type Selection } from "@/lib/pg/schema-objects/selection";
import { readSequences, type SequenceObject } from "@/lib/pg/schema-objects/sequences";
import { readTriggers, type TriggerObject } from "@/lib/pg/schema-objects/triggers";
import { readViews, type ViewObject } from "@/lib/pg/schema-objects/views";

/** Everything post-data builds, read from the source in one catalog transaction. */
export interface PostDataObjects {
  selection: Selection;
  extensions: ExtensionNeed[];
  functions: FunctionObject[];
  views: ViewObject[];
  indexes: IndexObject[];
  constraints: ConstraintObject[];
  triggers: TriggerObject[];
  sequences: SequenceObject[];
  comments: SourceComment[];
  /** Owners and grants of the selected relations, views, sequences, functions and their schemas. */
  privileges: SourcePrivileges[];
}

/** Reads the post-data objects of the mapped tables. The source client must be idle. */
export async function readPostData(source: Queryable, mapping: Pick<TableMapping, "source" | "target" | "flatten">[]): Promise<PostDataObjects> {
  return withCatalogSearchPath(source, async () => {
    const selection = await readSelection(source, mapping);
    const functions = await readFunctions(source, selection);
    const views = await readViews(source, selection);
    const kept = views.filter((v) => !v.skipReason);
    const matviews = kept.filter((v) => v.materialized);
    const indexes = await readIndexes(source, selection, matviews);
    const constraints = await readConstraints(source, selection);
    const triggerRelations = new Map<number, { printed: string; target: string }>([
      ...selection.relations.map((r) => [r.oid, { printed: r.printed, target: selection.names.quoted(r.source) }] as const),
      ...kept.map((v) => [v.oid, { printed: v.printed, target: quoteQualified(v.source.schema, v.source.name) }] as const),
    ]);
    const triggers = await readTriggers(source, triggerRelations);
    const sequences = await readSequences(source, selection);
    const extensions = await readExtensionNeeds(source, selection, functions.map((f) => f.oid), kept.map((v) => v.oid));
    const comments = await readComments(source, {
      relations: [...selection.relations.map((r) => r.oid), ...kept.map((v) => v.oid), ...indexes.map((i) => i.oid), ...sequences.map((s) => s.oid)],
      constraints: constraints.map((c) => c.oid),
      triggers: triggers.map((t) => t.oid),
      functions: functions.map((f) => f.oid),
    });
    const privileges = await readPrivileges(source, {
      relations: [...selection.relations.map((r) => r.oid), ...kept.map((v) => v.oid), ...sequences.map((s) => s.oid)],
      functions: functions.filter((f) => f.sql).map((f) => f.oid),
      schemas: [...new Set([...selection.relations.map((r) => r.source.schema), ...kept.map((v) => v.source.schema), ...functions.map((f) => f.schema)])],
    });
    return { selection, extensions, functions, views, indexes, constraints, triggers, sequences, comments, privileges };
  });
}
