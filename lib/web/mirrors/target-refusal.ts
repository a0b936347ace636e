import type { PrismaClient } from "@/lib/catalog/generated/client";
import { targetTableOwners } from "@/lib/catalog/target-table-owners";
import { UserFacingError } from "@/lib/errors/user-facing-error";
import type { TargetProblems } from "@/lib/mirrors/target-check";
import { formatQualifiedName, type TableMapping } from "@/lib/mirrors/table-mapping";

/**
 * The create check's refusal about target tables, said once per table at the field the form shows
 * beside that table (`tables.N.target`), with a one-line summary as the message.
 */

/** For each mapped table, the other mirror that already writes its target table on this peer, or null. */
export async function targetOwners(catalog: PrismaClient, targetPeerId: string, mapping: TableMapping[]): Promise<(string | null)[]> {
  const owners = await targetTableOwners(catalog, targetPeerId);
  return mapping.map((m) => owners.get(formatQualifiedName(m.target))?.[0] ?? null);
}

/** The error to refuse the mirror with, or null when every target table is fine. */
export function targetRefusal(mapping: TableMapping[], owners: (string | null)[], problems: TargetProblems | null): UserFacingError | null {
  const fields: Record<string, string> = {};
  mapping.forEach((m, index) => {
    const target = formatQualifiedName(m.target);
    const reasons = [
      ...(owners[index] ? [`Mirror ${owners[index]} already writes ${target} on this target peer`] : []),
      ...(problems?.tables[index]?.problems ?? []).map((p) => `Target table ${target} ${p}`),
    ];
    if (reasons.length) fields[`tables.${index}.target`] = `${reasons.join(". ")}.`;
  });
  const general = problems?.general ?? [];
  const count = Object.keys(fields).length;
  if (count === 0 && general.length === 0) return null;
  if (general.length) fields.tables = capitalize(general.join("; "));
  // Names only, so that API clients see which tables without the reasons being said twice in the form.
  const names = mapping.filter((_, index) => fields[`tables.${index}.target`]).map((m) => formatQualifiedName(m.target));
  const listed = names.length > 3 ? `${names.slice(0, 3).join(", ")} and ${names.length - 3} more` : names.join(", ");
  const summary = count === 0 ? "" : count === 1 ? `Target table ${listed} is not ready for this mirror; the reason is shown at the table.` : `${count} target tables are not ready for this mirror (${listed}); each reason is shown at its table.`;
  return new UserFacingError([summary, general.length ? `${capitalize(general.join("; "))}.` : ""].filter(Boolean).join(" "), "target_not_ready", fields);
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
