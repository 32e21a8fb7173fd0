-- AlterTable
ALTER TABLE "Incident" ADD COLUMN "resolution" TEXT;
ALTER TABLE "Incident" ADD COLUMN "resolvedBy" TEXT;
