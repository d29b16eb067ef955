-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateTable
CREATE TABLE "activity_kinds" (
    "tag" TEXT NOT NULL,
    "title_en" TEXT NOT NULL,
    "title_ru" TEXT NOT NULL,

    CONSTRAINT "activity_kinds_pkey" PRIMARY KEY ("tag")
);
