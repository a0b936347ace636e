/**
 * The session's knowledge of source relations: for each relation id that pgoutput described, the
 * apply plan of its target table, or null when the relation is not one of the mirror's tables
 * (published for another reason; its changes are ignored). A Relation message with a new shape
 * reconciles the target first (schema-changes.ts) and loads its enum labels (enum-labels.ts).
 */
import type { QualifiedName, TableMapping } from "@/lib/mirrors/table-mapping";
import type { RelationMessage, Tuple } from "@/lib/pg/pgoutput";
import type { TablePlan } from "@/workers/cdc/apply-plan";
import type { EnumLabels } from "@/workers/cdc/enum-labels";
import type { SchemaSync } from "@/workers/cdc/schema-changes";

/** What the dispatcher needs to know about relations (a fake in unit tests). */
export interface Relations {
  /** Takes a Relation message into account (may change the target's DDL inside the open batch). */
  describe(message: RelationMessage): Promise<void>;
  /** The plan for a relation's changes; null: not a mirrored table. Throws for a relation never described. */
  plan(relationId: number): TablePlan | null;
  /** True when this Relation message will change what the session knows (and maybe the target's DDL). */
  changesSchema(message: RelationMessage): boolean;
  /** Adds enum labels that `tuple` uses and the target lacks, before the change is applied. */
  ensureEnumLabels(plan: TablePlan, tuple: Tuple): Promise<void>;
}

function tableKey(schema: string, name: string): string {
  return `${schema}\u0000${name}`;
}

export class RelationPlans implements Relations {
  private readonly mappings: Map<string, TableMapping>;
  private readonly plans = new Map<number, TablePlan | null>();

  constructor(
    tables: TableMapping[],
    private readonly publicationName: string,
    private readonly schema: SchemaSync,
    private readonly enums: EnumLabels,
    private readonly warnOnce: (key: string, message: string) => void,
    ignored: QualifiedName[] = [],
  ) {
    this.mappings = new Map(tables.map((table) => [tableKey(table.source.schema, table.source.name), table]));
    this.ignored = new Set(ignored.map((table) => tableKey(table.schema, table.name)));
  }

  /** Tables of the mirror that another stream applies for now: ignored without a warning. */
  private readonly ignored: Set<string>;

  async describe(message: RelationMessage): Promise<void> {
    const mapping = this.mappings.get(tableKey(message.namespace, message.name));
    if (!mapping) {
      this.plans.set(message.relationId, null);
      if (this.ignored.has(tableKey(message.namespace, message.name))) return;
      this.warnOnce(
        `unmapped:${message.namespace}.${message.name}`,
        `Publication ${this.publicationName} sends changes of ${message.namespace}.${message.name}, which is not one of the mirror's tables; they are ignored.`,
      );
      return;
    }
    const previous = this.plans.get(message.relationId);
    if (previous && sameShape(previous, message)) return;
    const built = await this.schema.reconcile(message, mapping);
    await this.enums.load(built);
    this.plans.set(message.relationId, built);
  }

  plan(relationId: number): TablePlan | null {
    const found = this.plans.get(relationId);
    if (found === undefined) throw new Error(`pgoutput: change for relation ${relationId} before its Relation message`);
    return found;
  }

  changesSchema(message: RelationMessage): boolean {
    const previous = this.plans.get(message.relationId);
    return this.mappings.has(tableKey(message.namespace, message.name)) && !(previous && sameShape(previous, message));
  }

  async ensureEnumLabels(plan: TablePlan, tuple: Tuple): Promise<void> {
    if (plan.enumColumns.length) await this.enums.ensure(plan, tuple);
  }
}

/** Same columns, types and identity as the plan was built for: no need to look at the target again. */
function sameShape(plan: TablePlan, message: RelationMessage): boolean {
  const before = plan.relation;
  return (
    before.replicaIdentity === message.replicaIdentity &&
    before.columns.length === message.columns.length &&
    before.columns.every((column, i) => {
      const now = message.columns[i];
      return column.name === now.name && column.typeOid === now.typeOid && column.typeMod === now.typeMod && column.isKey === now.isKey;
    })
  );
}
