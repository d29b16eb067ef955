-- Issue 15: raw events partitioned by month (UTC), so that retention drops whole partitions while the rollups
-- stay, and rollups for every admin figure (minute slots, visits signed in and with a sign-up, item views,
-- operations by name), so that no admin query reads raw events or visits.

-- Raw events, partitioned by month of at (UTC). A redelivered event has the same id and the same at, so the
-- key (id, at) still keeps every event once.
DROP INDEX "events_at_idx";
DROP INDEX "events_visitor_id_at_idx";
DROP INDEX "events_tag_at_idx";
ALTER TABLE "events" RENAME TO "events_unpartitioned";
ALTER TABLE "events_unpartitioned" RENAME CONSTRAINT "events_pkey" TO "events_unpartitioned_pkey";

CREATE TABLE "events" (
    "id" UUID NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL,
    "tag" TEXT NOT NULL,
    "visitor_id" TEXT,
    "user_id" TEXT,
    "item_id" TEXT,
    "operation_name" TEXT,
    "operation_type" TEXT,
    "duration_ms" INTEGER,
    "outcome" TEXT,
    "error_code" TEXT,

    CONSTRAINT "events_pkey" PRIMARY KEY ("id", "at")
) PARTITION BY RANGE ("at");

CREATE INDEX "events_at_idx" ON "events" USING BRIN ("at");
CREATE INDEX "events_visitor_id_at_idx" ON "events"("visitor_id", "at");

-- The partitions of the months (UTC) from lo to hi, each named events_pYYYYMM, created when missing. The
-- consumer calls it for every batch before writing, under its lock, so no event lacks a partition.
CREATE FUNCTION events_partitions_for(lo TIMESTAMPTZ, hi TIMESTAMPTZ) RETURNS INTEGER LANGUAGE plpgsql AS $$
DECLARE
  month TIMESTAMP;
  created INTEGER := 0;
BEGIN
  FOR month IN SELECT generate_series(date_trunc('month', lo AT TIME ZONE 'UTC'), date_trunc('month', hi AT TIME ZONE 'UTC'), INTERVAL '1 month') LOOP
    IF to_regclass(format('events_p%s', to_char(month, 'YYYYMM'))) IS NULL THEN
      EXECUTE format('CREATE TABLE %I PARTITION OF events FOR VALUES FROM (%L) TO (%L)',
                     format('events_p%s', to_char(month, 'YYYYMM')), month AT TIME ZONE 'UTC', (month + INTERVAL '1 month') AT TIME ZONE 'UTC');
      created := created + 1;
    END IF;
  END LOOP;
  RETURN created;
END
$$;

SELECT events_partitions_for(min("at"), max("at")) FROM "events_unpartitioned" HAVING count(*) > 0;
INSERT INTO "events" SELECT * FROM "events_unpartitioned" ORDER BY "at";
DROP TABLE "events_unpartitioned";

-- Visits: whether the visitor signed up during the visit (from its start to the timeout after its last event).
ALTER TABLE "visits" ADD COLUMN "signed_up" BOOLEAN NOT NULL DEFAULT false;
UPDATE "visits" v SET "signed_up" = true
WHERE EXISTS (SELECT 1 FROM "sign_ups" s WHERE s."visitor_id" = v."visitor_id" AND s."at" >= v."started_at" AND s."at" < v."ended_at" + INTERVAL '30 minutes');

-- Visit rollups: visits signed in and visits with a sign-up, and no sketch (visitors come from the activity rollups).
ALTER TABLE "visit_rollups" DROP COLUMN "visitors";
ALTER TABLE "visit_rollups" ADD COLUMN "signed_in" INTEGER NOT NULL DEFAULT 0;
ALTER TABLE "visit_rollups" ADD COLUMN "sign_up_visits" INTEGER NOT NULL DEFAULT 0;
ALTER TABLE "visit_rollups" ALTER COLUMN "signed_in" DROP DEFAULT;
ALTER TABLE "visit_rollups" ALTER COLUMN "sign_up_visits" DROP DEFAULT;

-- Item views per slot, tag and item, with a sketch of the viewers (15 minutes, an hour, a day).
CREATE TABLE "item_rollups" (
    "width" SMALLINT NOT NULL,
    "slot" TIMESTAMPTZ(3) NOT NULL,
    "tag" TEXT NOT NULL,
    "item_id" TEXT NOT NULL,
    "views" INTEGER NOT NULL,
    "visitors" hll(14,5,-1,1) NOT NULL,

    CONSTRAINT "item_rollups_pkey" PRIMARY KEY ("width", "slot", "tag", "item_id")
);

-- GraphQL operations per slot and operation name (an empty name for anonymous operations).
CREATE TABLE "operation_rollups" (
    "width" SMALLINT NOT NULL,
    "slot" TIMESTAMPTZ(3) NOT NULL,
    "name" TEXT NOT NULL,
    "operations" INTEGER NOT NULL,
    "errors" INTEGER NOT NULL,
    "duration_ms" BIGINT NOT NULL,

    CONSTRAINT "operation_rollups_pkey" PRIMARY KEY ("width", "slot", "name")
);

-- Every rollup again from the events and visits, now also at the width of a minute (as rebuildRollups does).
TRUNCATE "activity_rollups", "visit_rollups";

INSERT INTO "activity_rollups" ("width", "slot", "tag", "events", "visitors")
SELECT w.width, date_bin(w.width * INTERVAL '1 minute', m.slot, TIMESTAMPTZ '2000-01-01 00:00:00+00'), m.tag, sum(m.events)::int,
       hll_union_agg(m.visitors)
FROM (
  SELECT date_bin(INTERVAL '1 minute', "at", TIMESTAMPTZ '2000-01-01 00:00:00+00') AS slot, "tag", count(*) AS events,
         hll_add_agg(hll_hash_text("visitor_id"), 14, 5, -1, 1) AS visitors
  FROM "events" GROUP BY 1, 2
) m CROSS JOIN (VALUES (1), (15), (60), (1440)) AS w(width)
GROUP BY 1, 2, 3;

INSERT INTO "visit_rollups" ("width", "slot", "visits", "bounces", "duration_ms", "signed_in", "sign_up_visits")
SELECT w.width, date_bin(w.width * INTERVAL '1 minute', v."started_at", TIMESTAMPTZ '2000-01-01 00:00:00+00'),
       count(*)::int, (count(*) FILTER (WHERE v."operations" <= 1))::int,
       sum((extract(epoch FROM v."ended_at" - v."started_at") * 1000)::bigint)::bigint,
       (count(*) FILTER (WHERE v."user_id" IS NOT NULL))::int, (count(*) FILTER (WHERE v."signed_up"))::int
FROM "visits" v CROSS JOIN (VALUES (1), (15), (60), (1440)) AS w(width)
GROUP BY 1, 2;

INSERT INTO "item_rollups" ("width", "slot", "tag", "item_id", "views", "visitors")
SELECT w.width, date_bin(w.width * INTERVAL '1 minute', "at", TIMESTAMPTZ '2000-01-01 00:00:00+00'), "tag", "item_id", count(*)::int,
       hll_add_agg(hll_hash_text("visitor_id"), 14, 5, -1, 1)
FROM "events" CROSS JOIN (VALUES (15), (60), (1440)) AS w(width)
WHERE "item_id" IS NOT NULL
GROUP BY 1, 2, 3, 4;

INSERT INTO "operation_rollups" ("width", "slot", "name", "operations", "errors", "duration_ms")
SELECT w.width, date_bin(w.width * INTERVAL '1 minute', "at", TIMESTAMPTZ '2000-01-01 00:00:00+00'), coalesce("operation_name", ''),
       count(*)::int, (count(*) FILTER (WHERE "outcome" = 'error'))::int, coalesce(sum("duration_ms"), 0)::bigint
FROM "events" CROSS JOIN (VALUES (15), (60), (1440)) AS w(width)
WHERE "tag" = 'operation'
GROUP BY 1, 2, 3;
