-- CreateTable
CREATE TABLE "sign_ups" (
    "user_id" TEXT NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL,
    "visitor_id" TEXT,

    CONSTRAINT "sign_ups_pkey" PRIMARY KEY ("user_id")
);

-- CreateIndex
CREATE INDEX "sign_ups_at_idx" ON "sign_ups"("at");

-- CreateIndex
CREATE INDEX "sign_ups_visitor_id_at_idx" ON "sign_ups"("visitor_id", "at");
