import pg from "pg";

/**
 * A light, steady write load on the demo source so that a mirror's CDC has something to carry:
 * every tick one of new order (with its lines), order status change, page view, or customer
 * edit, a few per second in all. Runs until stop(); a lost connection is retried on the next tick.
 */

export interface WriteLoad {
  /** Writes committed so far. */
  writes(): number;
  /** Stops ticking, waits for the write in flight, closes the connection. Idempotent. */
  stop(): Promise<void>;
}

/** Default: a write every 400 ms, 2.5 per second. */
export const DEFAULT_INTERVAL_MS = 400;

const WRITES: ((client: pg.Client) => Promise<unknown>)[] = [
  // A new order for a random customer, with one to three lines, in one transaction.
  async (client) => {
    await client.query("BEGIN");
    try {
      // Random picks go through max(id) once per row wanted: TABLESAMPLE or OFFSET come up empty on small tables.
      const { rows } = await client.query<{ id: string }>(`
        WITH pick AS (SELECT 1 + floor(random() * (SELECT max(id) FROM shop.customers))::bigint AS id)
        INSERT INTO shop.orders (customer_id, status, total, shipping_address, placed_at)
        SELECT c.id, 'pending', round((10 + random() * 300)::numeric, 2),
               jsonb_build_object('street', floor(random() * 900)::int || ' Demo Street', 'city', 'Rotterdam'), now()
        FROM shop.customers c, pick WHERE c.id >= pick.id ORDER BY c.id LIMIT 1
        RETURNING id`);
      if (rows[0]) {
        await client.query(
          `INSERT INTO shop.order_items (order_id, line_no, product_id, quantity, unit_price)
           SELECT $1, l, p.id, 1 + floor(random() * 3)::int, p.price
           FROM generate_series(1, 1 + floor(random() * 3)::int) l
           CROSS JOIN LATERAL (SELECT 1 + floor(random() * max(id))::int AS want FROM shop.products WHERE l > 0) w
           CROSS JOIN LATERAL (SELECT id, price FROM shop.products WHERE id >= w.want ORDER BY id LIMIT 1) p`,
          [rows[0].id],
        );
      }
      await client.query("COMMIT");
    } catch (error) {
      await client.query("ROLLBACK").catch(() => {});
      throw error;
    }
  },
  // Move a recent order one step along its life.
  (client) =>
    client.query(`
      UPDATE shop.orders SET status = CASE status WHEN 'pending' THEN 'paid' WHEN 'paid' THEN 'shipped' ELSE 'delivered' END::shop.order_status,
                             updated_at = now()
      WHERE id = (SELECT id FROM shop.orders WHERE status IN ('pending', 'paid', 'shipped') ORDER BY id DESC OFFSET (random() * 50)::int LIMIT 1)`),
  (client) =>
    client.query(`
      INSERT INTO analytics.page_views (viewed_at, session_id, path, duration_ms, user_agent)
      VALUES (now(), gen_random_uuid(), '/products/' || (random() * 2000)::int, (random() * 30000)::int, 'Mozilla/5.0 (demo)')`),
  (client) =>
    client.query(`
      UPDATE shop.customers SET marketing_opt_in = NOT marketing_opt_in
      WHERE id = (SELECT 1 + floor(random() * (SELECT max(id) FROM shop.customers))::bigint)`),
];

/** `onError` hears about failed writes (the load keeps going); give it something that logs. */
export function startWriteLoad(
  connectionString: string,
  intervalMs = DEFAULT_INTERVAL_MS,
  onError: (error: unknown) => void = () => {},
): WriteLoad {
  let client: pg.Client | null = null;
  let inFlight: Promise<void> = Promise.resolve();
  let stopped = false;
  let count = 0;
  let tick = 0;

  async function connection(): Promise<pg.Client> {
    if (client) return client;
    const fresh = new pg.Client({ connectionString, application_name: "demo-shop-writer" });
    // Without a listener a dropped connection would crash the demo; the next query fails instead.
    fresh.on("error", () => {
      if (client === fresh) client = null;
    });
    await fresh.connect();
    client = fresh;
    return fresh;
  }

  async function writeOnce(): Promise<void> {
    try {
      const c = await connection();
      await WRITES[tick++ % WRITES.length](c);
      count++;
    } catch (error) {
      onError(error);
      // The server may be restarting or busy; the next tick tries again on a new connection.
      const broken = client;
      client = null;
      await broken?.end().catch(() => {});
    }
  }

  let busy = false;
  const timer = setInterval(() => {
    // One write at a time: a tick that finds the last write still running is skipped, so a slow
    // server gets fewer writes instead of a growing queue of them.
    if (busy || stopped) return;
    busy = true;
    inFlight = writeOnce().finally(() => {
      busy = false;
    });
  }, intervalMs);

  return {
    writes: () => count,
    stop: async () => {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      await inFlight;
      await client?.end().catch(() => {});
      client = null;
    },
  };
}
