import type { TableMapping } from "@/lib/mirrors/table-mapping";
import { type Queryable, withCatalogSearchPath } from "@/lib/pg/describe-session";
import { quoteQualified } from "@/lib/pg/quote";
import { readSelection } from "@/lib/pg/schema-objects/selection";
import { readSequences, readSequenceValue, type SequenceValue, setvalSql } from "@/lib/pg/schema-objects/sequences";

/**
 * Moves each target sequence of the mapped tables up to the source's position, never back (a target
 * already past it keeps its value). Returns what it did per sequence. The clients must be idle.
 */
export async function syncSequencesForward(source: Queryable, target: Queryable, mapping: Pick<TableMapping, "source" | "target">[]): Promise<{ sequence: string; value: string | null }[]> {
  const sequences = await withCatalogSearchPath(source, async () => readSequences(source, await readSelection(source, mapping)));
  const report: { sequence: string; value: string | null }[] = [];
  for (const sequence of sequences) {
    const value = await readSequenceValue(source, sequence.source);
    const label = `${sequence.target.schema}.${sequence.target.name}`;
    if (!value || !value.isCalled) {
      report.push({ sequence: label, value: null });
      continue;
    }
    const { rows } = await target.query<{ exists: boolean }>("SELECT pg_catalog.to_regclass($1) IS NOT NULL AS exists", [quoteQualified(sequence.target.schema, sequence.target.name)]);
    if (!rows[0].exists) continue;
    const current: SequenceValue | null = await readSequenceValue(target, sequence.target);
    if (current?.isCalled && BigInt(current.lastValue) * sign(sequence.options) >= BigInt(value.lastValue) * sign(sequence.options)) {
      report.push({ sequence: label, value: current.lastValue });
      continue;
    }
    await target.query(setvalSql(sequence.target, value));
    report.push({ sequence: label, value: value.lastValue });
  }
  return report;
}

/** Descending sequences count down: "past" means smaller. */
function sign(options: string): bigint {
  return /INCREMENT BY -/.test(options) ? -1n : 1n;
}
