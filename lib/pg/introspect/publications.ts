import type { Queryable } from "@/lib/pg/introspect/queryable";

export interface Publication {
  name: string;
  owner: string;
  /** FOR ALL TABLES: then `tables` lists every table it currently covers. */
  allTables: boolean;
  /** Which operations it publishes. */
  operations: { insert: boolean; update: boolean; delete: boolean; truncate: boolean };
  /** Tables as "schema.table" parts, sorted. */
  tables: { schema: string; name: string }[];
}

/**
 * Publications in the peer's database (publications are per database) with the tables each covers,
 * in two queries. Read-only; PostgreSQL 11+ (pubtruncate).
 */
export async function publications(client: Queryable): Promise<Publication[]> {
  const pubs = await client.query<{
    name: string;
    owner: string;
    all_tables: boolean;
    ins: boolean;
    upd: boolean;
    del: boolean;
    trunc: boolean;
  }>(`
    select p.pubname as name, pg_get_userbyid(p.pubowner) as owner, p.puballtables as all_tables,
           p.pubinsert as ins, p.pubupdate as upd, p.pubdelete as del, p.pubtruncate as trunc
    from pg_publication p
    order by p.pubname`);
  const members = await client.query<{ pubname: string; schemaname: string; tablename: string }>(`
    select pubname, schemaname, tablename from pg_publication_tables order by pubname, schemaname, tablename`);

  const byPublication = new Map<string, { schema: string; name: string }[]>();
  for (const m of members.rows) {
    const list = byPublication.get(m.pubname) ?? [];
    list.push({ schema: m.schemaname, name: m.tablename });
    byPublication.set(m.pubname, list);
  }
  return pubs.rows.map((p) => ({
    name: p.name,
    owner: p.owner,
    allTables: p.all_tables,
    operations: { insert: p.ins, update: p.upd, delete: p.del, truncate: p.trunc },
    tables: byPublication.get(p.name) ?? [],
  }));
}
