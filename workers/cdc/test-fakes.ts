/**
 * Small fakes for the pure unit tests beside this file (applier.test.ts, dispatcher.test.ts); no
 * production code imports it. FakeTarget answers like a PostgreSQL apply connection in pipeline
 * mode would: in order, inside BEGIN ... COMMIT, with "current transaction is aborted" behind a
 * failed statement and a COMMIT answered ROLLBACK after one; and it keeps what it has durably
 * stored (the progress row), which is what acknowledgements are checked against.
 */
import type pg from "pg";
import type { TableMapping } from "@/lib/mirrors/table-mapping";
import { type Lsn, parseLsn } from "@/lib/pg/lsn";
import type { RelationMessage } from "@/lib/pg/pgoutput";
import { buildPlan, type TablePlan } from "@/workers/cdc/apply-plan";
import type { TargetClient, TargetAnswer } from "@/workers/cdc/target-pipeline";
import type { TargetColumn, TargetTable } from "@/workers/cdc/target-tables";

/** A statement as the fake target saw it, in the order sent. */
export interface SentStatement {
  /** Which fake target (when several share a log). */
  target: string;
  /** "BEGIN", "COMMIT", "ROLLBACK", "progress 0/200", "INSERT public.a", "UPDATE public.a", ... */
  label: string;
  values: unknown[];
  answered: boolean;
}

interface Waiting {
  statement: SentStatement;
  query: pg.QueryConfig;
  resolve(answer: TargetAnswer): void;
  reject(error: unknown): void;
}

export class FakeTarget implements TargetClient {
  /** Answer each statement on the next turn of the event loop; false: only when answer() is called. */
  autoAnswer = true;
  /** Position in the committed progress row (what a restart would resume from). */
  stored: Lsn | null = null;
  /** Labels of statements that fail when answered. */
  readonly failing = new Set<string>();
  private readonly waiting: Waiting[] = [];
  private inTransaction = false;
  private aborted = false;
  private storedInTransaction: Lsn | null = null;

  constructor(
    readonly name = "target",
    /** Every statement sent, in order; may be shared by several fakes to see the interleaving. */
    readonly log: SentStatement[] = [],
  ) {}

  /** Statements of this target, as labels, in the order sent. */
  get labels(): string[] {
    return this.log.filter((statement) => statement.target === this.name).map((statement) => statement.label);
  }

  get unanswered(): number {
    return this.waiting.length;
  }

  query(query: pg.QueryConfig): Promise<TargetAnswer> {
    const statement: SentStatement = { target: this.name, label: label(query), values: query.values ?? [], answered: false };
    this.log.push(statement);
    return new Promise<TargetAnswer>((resolve, reject) => {
      this.waiting.push({ statement, query, resolve, reject });
      if (this.autoAnswer) setImmediate(() => this.answer(1));
    });
  }

  /** Answers the oldest `count` unanswered statements (all by default), in order. */
  answer(count = Infinity): void {
    for (let i = 0; i < count && this.waiting.length; i++) this.answerOne(this.waiting.shift()!);
  }

  /** Answers everything until nothing is left, letting the code under test send more meanwhile. */
  async settle(): Promise<void> {
    for (let round = 0; round < 100; round++) {
      await new Promise((resolve) => setImmediate(resolve));
      if (this.waiting.length === 0) return;
      this.answer();
    }
  }

  private answerOne({ statement, query, resolve, reject }: Waiting): void {
    statement.answered = true;
    const text = statement.label;
    if (text === "BEGIN") {
      this.inTransaction = true;
      this.aborted = false;
      this.storedInTransaction = null;
      resolve({ command: "BEGIN", rowCount: null });
      return;
    }
    if (text === "COMMIT" || text === "ROLLBACK") {
      const committed = text === "COMMIT" && !this.aborted;
      if (committed && this.storedInTransaction !== null) this.stored = this.storedInTransaction;
      this.inTransaction = false;
      resolve({ command: committed ? "COMMIT" : "ROLLBACK", rowCount: null });
      return;
    }
    if (this.inTransaction && this.aborted) {
      reject(new Error("current transaction is aborted, commands ignored until end of transaction block"));
      return;
    }
    if (this.failing.has(text)) {
      if (this.inTransaction) this.aborted = true;
      reject(Object.assign(new Error(`${text} failed`), { code: "23505" }));
      return;
    }
    if (text.startsWith("progress ")) {
      const lsn = parseLsn(String(query.values![1]));
      if (this.inTransaction) this.storedInTransaction = lsn;
      else this.stored = lsn;
    }
    resolve({ command: text.split(" ")[0], rowCount: 1_000_000 });
  }
}

function label(query: pg.QueryConfig): string {
  const text = query.text.trim();
  if (query.name === "pgferry_cdc_progress") return `progress ${String(query.values![1])}`;
  const table = /(?:INTO|UPDATE|FROM|TABLE ONLY|TABLE)\s+"([^"]+)"\."([^"]+)"/.exec(text);
  const verb = text.split(/\s+/)[0].toUpperCase();
  return table ? `${verb} ${table[1]}.${table[2]}` : text;
}

/** The text array literal `{1,2,3}` of a multi-row statement's first parameter, as its elements. */
export function firstColumn(statement: SentStatement): string[] {
  const literal = String(statement.values[0]);
  return literal.slice(1, -1).split(",").map((value) => value.replace(/^"|"$/g, ""));
}

const INT: Omit<TargetColumn, "name"> = { type: "integer", typeOid: 23, typeMod: -1, generated: false, hasEquality: true, enumOid: null, enumArray: false };
const TEXT: Omit<TargetColumn, "name"> = { ...INT, type: "text", typeOid: 25 };

/** Relation message of a source table `public.<name>` (id integer key, v text). */
export function relationMessage(relationId: number, name: string): RelationMessage {
  return {
    tag: "relation",
    relationId,
    namespace: "public",
    name,
    replicaIdentity: "default",
    columns: [
      { name: "id", isKey: true, typeOid: 23, typeMod: -1 },
      { name: "v", isKey: false, typeOid: 25, typeMod: -1 },
    ],
  };
}

/** The apply plan of `public.<name>` -> the same target table with a primary key on id. */
export function tablePlan(relationId: number, name: string): TablePlan {
  const mapping: TableMapping = { source: { schema: "public", name }, target: { schema: "public", name }, excludeColumns: [] };
  const target: TargetTable = {
    name: mapping.target,
    sql: `"public"."${name}"`,
    columns: new Map([
      ["id", { name: "id", ...INT }],
      ["v", { name: "v", ...TEXT }],
    ]),
    uniqueKey: ["id"],
  };
  return buildPlan(relationMessage(relationId, name), mapping, target);
}
