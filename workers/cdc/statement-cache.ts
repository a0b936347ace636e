/**
 * Named statements of one apply connection. A statement is parsed and planned by the target once
 * per connection and then only bound and executed, which matters when a busy stream sends the same
 * few statement shapes thousands of times a second. A plan's id is part of the key, so a table whose
 * shape changed (a new Relation message, a new plan) gets new statements.
 */
import type pg from "pg";
import type { TablePlan } from "@/workers/cdc/apply-plan";

export class StatementCache {
  private readonly statements = new Map<string, { name: string; text: string }>();

  /** The named statement for this plan and statement shape, built on first use, bound to `values`. */
  query(plan: TablePlan, shape: string, build: () => string, values: unknown[]): pg.QueryConfig {
    const cacheKey = `${plan.id}:${shape}`;
    let statement = this.statements.get(cacheKey);
    if (!statement) {
      statement = { name: `pgferry_cdc_${this.statements.size + 1}`, text: build() };
      this.statements.set(cacheKey, statement);
    }
    return { name: statement.name, text: statement.text, values };
  }
}
