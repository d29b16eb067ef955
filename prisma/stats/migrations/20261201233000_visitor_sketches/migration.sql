-- Unique visitors per slot in one sketch each, beside the visit counts: visitors with any event (attendance)
-- and with any catalogue activity (the activity series of every activity). A bucket then reads one sketch per
-- slot instead of the union of every tag, whose cost grows as sketches fill up with traffic.
ALTER TABLE "visit_rollups" ADD COLUMN "visitors" hll(14,5,-1,1) NOT NULL DEFAULT hll_empty(14, 5, -1, 1);
ALTER TABLE "visit_rollups" ADD COLUMN "activity_visitors" hll(14,5,-1,1) NOT NULL DEFAULT hll_empty(14, 5, -1, 1);

INSERT INTO "visit_rollups" ("width", "slot", "visits", "bounces", "duration_ms", "signed_in", "sign_up_visits", "visitors", "activity_visitors")
SELECT "width", "slot", 0, 0, 0, 0, 0, hll_union_agg("visitors"),
       coalesce(hll_union_agg("visitors") FILTER (WHERE "tag" <> 'operation'), hll_empty(14, 5, -1, 1))
FROM "activity_rollups"
GROUP BY 1, 2
ON CONFLICT ("width", "slot") DO UPDATE SET "visitors" = excluded."visitors", "activity_visitors" = excluded."activity_visitors";

ALTER TABLE "visit_rollups" ALTER COLUMN "visitors" DROP DEFAULT;
ALTER TABLE "visit_rollups" ALTER COLUMN "activity_visitors" DROP DEFAULT;
