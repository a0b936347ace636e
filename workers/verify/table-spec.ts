import { buildTablePlans } from "@/lib/mirrors/table-plan";
import type { TableMapping } from "@/lib/mirrors/table-mapping";
import { connectPeer } from "@/lib/pg/connect";
import type { PeerConnection } from "@/lib/pg/connection";
import { describeTables } from "@/lib/pg/describe";
import type { VerifyTableSpec } from "./types";

/**
 * What to compare for one mapped table, read from the source as it is now: every column the
 * mirror copies (excluded ones left out, generated ones kept: they are compared as values), the
 * primary key, and the row estimate. Target names come from the mapping, so renamed tables work.
 */
export async function describeVerifyTable(source: PeerConnection, mapping: TableMapping): Promise<VerifyTableSpec> {
  const client = await connectPeer(source, "verify:describe");
  try {
    const description = await describeTables(client, [mapping.source]);
    const [plan] = buildTablePlans(description, [mapping]);
    return {
      source: mapping.source,
      target: mapping.target,
      columns: plan.columns.map((c) => c.name),
      key: plan.primaryKey,
      estimatedRows: Math.max(0, plan.estimatedRows),
    };
  } finally {
    await client.end().catch(() => {});
  }
}
