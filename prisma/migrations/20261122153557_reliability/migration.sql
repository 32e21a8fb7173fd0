/*
  Warnings:

  - You are about to drop the `IdempotencyKey` table. If the table is not empty, all the data it contains will be lost.

*/
-- AlterTable
ALTER TABLE "Case" ADD COLUMN "currentWarnAt" DATETIME;

-- DropTable
PRAGMA foreign_keys=off;
DROP TABLE "IdempotencyKey";
PRAGMA foreign_keys=on;

-- CreateTable
CREATE TABLE "IntakeKey" (
    "ownerId" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "caseId" TEXT NOT NULL,
    "fingerprint" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" DATETIME NOT NULL,

    PRIMARY KEY ("ownerId", "key")
);

-- CreateTable
CREATE TABLE "CallbackReceipt" (
    "departmentId" TEXT NOT NULL,
    "signature" TEXT NOT NULL,
    "expiresAt" DATETIME NOT NULL,

    PRIMARY KEY ("departmentId", "signature")
);

-- CreateTable
CREATE TABLE "Incident" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "kind" TEXT NOT NULL,
    "caseId" TEXT,
    "message" TEXT NOT NULL,
    "detail" JSONB,
    "at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "resolvedAt" DATETIME
);

-- CreateIndex
CREATE INDEX "IntakeKey_expiresAt_idx" ON "IntakeKey"("expiresAt");

-- CreateIndex
CREATE INDEX "CallbackReceipt_expiresAt_idx" ON "CallbackReceipt"("expiresAt");

-- CreateIndex
CREATE INDEX "Incident_at_idx" ON "Incident"("at");

-- CreateIndex
CREATE INDEX "Incident_caseId_idx" ON "Incident"("caseId");

-- CreateIndex
CREATE INDEX "Case_currentDueAt_idx" ON "Case"("currentDueAt");

-- CreateIndex
CREATE INDEX "Case_currentWarnAt_idx" ON "Case"("currentWarnAt");
