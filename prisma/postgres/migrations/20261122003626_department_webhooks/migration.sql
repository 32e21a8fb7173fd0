-- AlterTable
ALTER TABLE "Department" ADD COLUMN     "webhookSecret" TEXT,
ADD COLUMN     "webhookUrl" TEXT;
