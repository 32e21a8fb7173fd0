-- AlterTable
ALTER TABLE "Steward" ADD COLUMN     "channels" JSONB;

-- AlterTable
ALTER TABLE "Department" ADD COLUMN     "channels" JSONB;

-- AlterTable
ALTER TABLE "Enterprise" ADD COLUMN     "channels" JSONB;

-- AlterTable
ALTER TABLE "Notification" ADD COLUMN     "address" TEXT NOT NULL DEFAULT '',
ADD COLUMN     "sendAfter" TIMESTAMP(3);
