-- AlterTable
ALTER TABLE "files" ADD COLUMN     "attached_at" TIMESTAMPTZ(3);
