-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateTable
CREATE TABLE "box_types" (
    "id" UUID NOT NULL,
    "title" TEXT NOT NULL,
    "key_count" INTEGER NOT NULL,

    CONSTRAINT "box_types_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "switches" (
    "id" UUID NOT NULL,
    "title" TEXT NOT NULL,
    "file_name" TEXT NOT NULL,

    CONSTRAINT "switches_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "keyboards" (
    "id" UUID NOT NULL,
    "owner_id" UUID,
    "title" TEXT NOT NULL,
    "box_type_id" UUID NOT NULL,
    "switch_id" UUID NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "keyboards_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "box_types_title_key" ON "box_types"("title");

-- CreateIndex
CREATE UNIQUE INDEX "switches_title_key" ON "switches"("title");

-- CreateIndex
CREATE INDEX "keyboards_owner_id_created_at_id_idx" ON "keyboards"("owner_id", "created_at", "id");

-- AddForeignKey
ALTER TABLE "keyboards" ADD CONSTRAINT "keyboards_box_type_id_fkey" FOREIGN KEY ("box_type_id") REFERENCES "box_types"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "keyboards" ADD CONSTRAINT "keyboards_switch_id_fkey" FOREIGN KEY ("switch_id") REFERENCES "switches"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
