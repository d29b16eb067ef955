-- AlterTable
ALTER TABLE "keyboards" ADD COLUMN     "model_id" UUID,
ADD COLUMN     "preview_id" UUID,
ADD COLUMN     "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP;

-- AlterTable
ALTER TABLE "switches" ADD COLUMN     "model_id" UUID,
ADD COLUMN     "preview_id" UUID,
ADD COLUMN     "sound_id" UUID;

-- CreateTable
CREATE TABLE "boxes" (
    "id" UUID NOT NULL,
    "owner_id" UUID,
    "box_type_id" UUID NOT NULL,
    "title" TEXT NOT NULL,
    "model_id" UUID,
    "preview_id" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "boxes_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "kits" (
    "id" UUID NOT NULL,
    "owner_id" UUID,
    "box_type_id" UUID NOT NULL,
    "title" TEXT NOT NULL,
    "preview_id" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "kits_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "keycaps" (
    "id" UUID NOT NULL,
    "kit_id" UUID NOT NULL,
    "title" TEXT NOT NULL,
    "file_name" TEXT NOT NULL,
    "model_id" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "keycaps_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "files" (
    "id" UUID NOT NULL,
    "kind" TEXT NOT NULL,
    "storage_key" TEXT NOT NULL,
    "content_type" TEXT NOT NULL,
    "byte_size" INTEGER NOT NULL,
    "sha256" TEXT NOT NULL,
    "vertex_count" INTEGER,
    "triangle_count" INTEGER,
    "bounding_box" JSONB,
    "owner_id" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "files_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "boxes_owner_id_box_type_id_created_at_id_idx" ON "boxes"("owner_id", "box_type_id", "created_at", "id");

-- CreateIndex
CREATE UNIQUE INDEX "boxes_owner_id_title_key" ON "boxes"("owner_id", "title");

-- CreateIndex
CREATE INDEX "kits_owner_id_box_type_id_created_at_id_idx" ON "kits"("owner_id", "box_type_id", "created_at", "id");

-- CreateIndex
CREATE UNIQUE INDEX "kits_owner_id_title_key" ON "kits"("owner_id", "title");

-- CreateIndex
CREATE UNIQUE INDEX "keycaps_kit_id_title_key" ON "keycaps"("kit_id", "title");

-- CreateIndex
CREATE INDEX "files_sha256_idx" ON "files"("sha256");

-- CreateIndex
CREATE UNIQUE INDEX "keyboards_owner_id_title_key" ON "keyboards"("owner_id", "title");

-- AddForeignKey
ALTER TABLE "boxes" ADD CONSTRAINT "boxes_box_type_id_fkey" FOREIGN KEY ("box_type_id") REFERENCES "box_types"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "kits" ADD CONSTRAINT "kits_box_type_id_fkey" FOREIGN KEY ("box_type_id") REFERENCES "box_types"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "keycaps" ADD CONSTRAINT "keycaps_kit_id_fkey" FOREIGN KEY ("kit_id") REFERENCES "kits"("id") ON DELETE CASCADE ON UPDATE CASCADE;
