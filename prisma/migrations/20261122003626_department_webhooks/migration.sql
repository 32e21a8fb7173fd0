-- AlterTable
ALTER TABLE "Department" ADD COLUMN "webhookSecret" TEXT;
ALTER TABLE "Department" ADD COLUMN "webhookUrl" TEXT;
