-- CreateTable
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

    CONSTRAINT "events_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "visits" (
    "visitor_id" TEXT NOT NULL,
    "started_at" TIMESTAMPTZ(3) NOT NULL,
    "ended_at" TIMESTAMPTZ(3) NOT NULL,
    "events" INTEGER NOT NULL,
    "operations" INTEGER NOT NULL,
    "user_id" TEXT,

    CONSTRAINT "visits_pkey" PRIMARY KEY ("visitor_id","started_at")
);

-- CreateTable
CREATE TABLE "activity_slots" (
    "slot" TIMESTAMPTZ(3) NOT NULL,
    "tag" TEXT NOT NULL,
    "visitor_id" TEXT NOT NULL,
    "events" INTEGER NOT NULL,

    CONSTRAINT "activity_slots_pkey" PRIMARY KEY ("slot","tag","visitor_id")
);

-- CreateIndex
CREATE INDEX "events_at_idx" ON "events" USING BRIN ("at");

-- CreateIndex
CREATE INDEX "events_visitor_id_at_idx" ON "events"("visitor_id", "at");

-- CreateIndex
CREATE INDEX "events_tag_at_idx" ON "events"("tag", "at");

-- CreateIndex
CREATE INDEX "visits_started_at_idx" ON "visits"("started_at");

-- CreateIndex
CREATE INDEX "visits_ended_at_idx" ON "visits"("ended_at");
