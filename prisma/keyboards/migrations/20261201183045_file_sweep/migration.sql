-- AlterTable
ALTER TABLE "files" ADD COLUMN     "unreferenced_since" TIMESTAMPTZ(3);

-- CreateTable
CREATE TABLE "file_reclaims" (
    "storage_key" TEXT NOT NULL,
    "queued_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "file_reclaims_pkey" PRIMARY KEY ("storage_key")
);

-- CreateIndex
CREATE INDEX "boxes_model_id_idx" ON "boxes"("model_id");

-- CreateIndex
CREATE INDEX "boxes_preview_id_idx" ON "boxes"("preview_id");

-- CreateIndex
CREATE INDEX "files_storage_key_idx" ON "files"("storage_key");

-- CreateIndex
CREATE INDEX "files_owner_id_attached_at_idx" ON "files"("owner_id", "attached_at");

-- CreateIndex
CREATE INDEX "files_attached_at_created_at_idx" ON "files"("attached_at", "created_at");

-- CreateIndex
CREATE INDEX "files_unreferenced_since_idx" ON "files"("unreferenced_since");

-- CreateIndex
CREATE INDEX "keyboards_model_id_idx" ON "keyboards"("model_id");

-- CreateIndex
CREATE INDEX "keyboards_preview_id_idx" ON "keyboards"("preview_id");

-- CreateIndex
CREATE INDEX "keycaps_model_id_idx" ON "keycaps"("model_id");

-- CreateIndex
CREATE INDEX "kits_preview_id_idx" ON "kits"("preview_id");

-- CreateIndex
CREATE INDEX "switches_model_id_idx" ON "switches"("model_id");

-- CreateIndex
CREATE INDEX "switches_sound_id_idx" ON "switches"("sound_id");

-- CreateIndex
CREATE INDEX "switches_preview_id_idx" ON "switches"("preview_id");
