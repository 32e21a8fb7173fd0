-- AlterTable
ALTER TABLE "Incident" ADD COLUMN     "resolution" TEXT,
ADD COLUMN     "resolvedBy" TEXT;
