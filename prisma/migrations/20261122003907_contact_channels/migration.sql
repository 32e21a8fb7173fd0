-- AlterTable
ALTER TABLE "Department" ADD COLUMN "channels" JSONB;

-- AlterTable
ALTER TABLE "Enterprise" ADD COLUMN "channels" JSONB;

-- AlterTable
ALTER TABLE "Steward" ADD COLUMN "channels" JSONB;

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Notification" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "caseId" TEXT NOT NULL,
    "eventSeq" INTEGER NOT NULL,
    "recipientId" TEXT NOT NULL,
    "channel" TEXT NOT NULL,
    "template" TEXT NOT NULL,
    "payload" JSONB NOT NULL,
    "status" TEXT NOT NULL,
    "address" TEXT NOT NULL DEFAULT '',
    "sendAfter" DATETIME,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "lastError" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "sentAt" DATETIME
);
INSERT INTO "new_Notification" ("attempts", "caseId", "channel", "createdAt", "eventSeq", "id", "lastError", "payload", "recipientId", "sentAt", "status", "template") SELECT "attempts", "caseId", "channel", "createdAt", "eventSeq", "id", "lastError", "payload", "recipientId", "sentAt", "status", "template" FROM "Notification";
DROP TABLE "Notification";
ALTER TABLE "new_Notification" RENAME TO "Notification";
CREATE INDEX "Notification_caseId_idx" ON "Notification"("caseId");
CREATE INDEX "Notification_recipientId_status_idx" ON "Notification"("recipientId", "status");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;
