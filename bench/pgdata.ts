/**
 * The benchmark's table: public.events (id, created_at, payload) with `rows`
 * rows, a primary key and (unless `index` is false) an index on created_at. The oldest 60% (ids
 * 1..0.6·rows) are 30 days + 1 hour and older; the rest are 29 days 23 hours
 * to 1 day old, so a 30-day retention cutoff taken within the next hour
 * splits them exactly there. Rows are in time order, as in an append-only
 * table. Autovacuum is off on it so runs do not race a background vacuum.
 */
import type { Postgres } from "../test/support/postgres";

export const RETENTION_DAYS = 30;
export const OLD_SHARE = 0.6;

export function oldRows(rows: number): number {
  return Math.round(rows * OLD_SHARE);
}

export async function createEventsTable(pg: Postgres, db: string, rows: number, owner?: string, index = true): Promise<void> {
  const old = oldRows(rows);
  const fresh = rows - old;
  await pg.psql(
    `DROP TABLE IF EXISTS public.events;
     CREATE TABLE public.events (id bigserial PRIMARY KEY, created_at timestamptz NOT NULL, payload text NOT NULL)
       WITH (autovacuum_enabled = off);
     INSERT INTO public.events (id, created_at, payload)
       SELECT g,
              CASE WHEN g <= ${old}
                   THEN now() - interval '${RETENTION_DAYS} days 1 hour' - (${old} - g) * interval '6 seconds'
                   ELSE now() - interval '${RETENTION_DAYS - 1} days 23 hours' + (g - ${old} - 1) * (interval '28 days 23 hours' / ${Math.max(fresh, 1)})
              END,
              md5(g::text) || md5((g + 1)::text)
       FROM generate_series(1, ${rows}) g;
     SELECT setval('public.events_id_seq', ${rows});
     ${index ? "CREATE INDEX events_created_at_idx ON public.events (created_at);" : ""}
     ${owner ? `ALTER TABLE public.events OWNER TO ${owner};` : ""}`,
    db,
  );
  await pg.psql("VACUUM ANALYZE public.events", db);
}
