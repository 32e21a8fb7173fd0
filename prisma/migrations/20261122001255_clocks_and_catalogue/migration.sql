-- CreateTable
CREATE TABLE "CatalogueItem" (
    "code" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "departmentId" TEXT,
    "departmentHint" TEXT,
    "policy" JSONB NOT NULL,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "changedBy" TEXT NOT NULL,
    "note" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,

    PRIMARY KEY ("code", "version")
);

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Case" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "workflowId" TEXT NOT NULL,
    "townId" TEXT NOT NULL,
    "areaId" TEXT NOT NULL,
    "buildingId" TEXT NOT NULL,
    "enterpriseId" TEXT NOT NULL,
    "category" TEXT NOT NULL,
    "urgency" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "description" TEXT NOT NULL,
    "contactName" TEXT,
    "contactPhone" TEXT,
    "stage" TEXT NOT NULL,
    "outcome" TEXT,
    "satisfaction" TEXT,
    "ownerLevel" INTEGER NOT NULL,
    "ownerStewardId" TEXT NOT NULL,
    "departmentId" TEXT,
    "responseDueAt" DATETIME NOT NULL,
    "resolutionDueAt" DATETIME NOT NULL,
    "currentDueAt" DATETIME,
    "overdue" BOOLEAN NOT NULL DEFAULT false,
    "overdueSince" DATETIME,
    "atRisk" BOOLEAN NOT NULL DEFAULT false,
    "paused" BOOLEAN NOT NULL DEFAULT false,
    "calendarUnknown" BOOLEAN NOT NULL DEFAULT false,
    "catalogueVersion" INTEGER NOT NULL DEFAULT 0,
    "escalations" INTEGER NOT NULL DEFAULT 0,
    "reminders" INTEGER NOT NULL DEFAULT 0,
    "openedAt" DATETIME NOT NULL,
    "acknowledgedAt" DATETIME,
    "resolvedAt" DATETIME,
    "closedAt" DATETIME,
    "version" INTEGER NOT NULL,
    "snapshot" JSONB NOT NULL,
    "updatedAt" DATETIME NOT NULL
);
INSERT INTO "new_Case" ("acknowledgedAt", "areaId", "buildingId", "category", "closedAt", "contactName", "contactPhone", "currentDueAt", "departmentId", "description", "enterpriseId", "escalations", "id", "openedAt", "outcome", "overdue", "overdueSince", "ownerLevel", "ownerStewardId", "reminders", "resolutionDueAt", "resolvedAt", "responseDueAt", "satisfaction", "snapshot", "stage", "title", "townId", "updatedAt", "urgency", "version", "workflowId") SELECT "acknowledgedAt", "areaId", "buildingId", "category", "closedAt", "contactName", "contactPhone", "currentDueAt", "departmentId", "description", "enterpriseId", "escalations", "id", "openedAt", "outcome", "overdue", "overdueSince", "ownerLevel", "ownerStewardId", "reminders", "resolutionDueAt", "resolvedAt", "responseDueAt", "satisfaction", "snapshot", "stage", "title", "townId", "updatedAt", "urgency", "version", "workflowId" FROM "Case";
DROP TABLE "Case";
ALTER TABLE "new_Case" RENAME TO "Case";
CREATE UNIQUE INDEX "Case_workflowId_key" ON "Case"("workflowId");
CREATE INDEX "Case_stage_idx" ON "Case"("stage");
CREATE INDEX "Case_overdue_ownerLevel_idx" ON "Case"("overdue", "ownerLevel");
CREATE INDEX "Case_atRisk_idx" ON "Case"("atRisk");
CREATE INDEX "Case_buildingId_idx" ON "Case"("buildingId");
CREATE INDEX "Case_areaId_idx" ON "Case"("areaId");
CREATE INDEX "Case_ownerStewardId_idx" ON "Case"("ownerStewardId");
CREATE INDEX "Case_enterpriseId_idx" ON "Case"("enterpriseId");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;
