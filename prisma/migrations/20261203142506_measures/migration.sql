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
    "currentWarnAt" DATETIME,
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
    "respondedAt" DATETIME,
    "responseSettledAt" DATETIME,
    "responseOnTime" BOOLEAN NOT NULL DEFAULT false,
    "resolvedOnTime" BOOLEAN NOT NULL DEFAULT false,
    "resolutionSettledAt" DATETIME,
    "followUpAt" DATETIME,
    "ackWorkingMs" INTEGER,
    "resolveWorkingMs" INTEGER,
    "escalationsToArea" INTEGER NOT NULL DEFAULT 0,
    "escalationsToChief" INTEGER NOT NULL DEFAULT 0,
    "measured" BOOLEAN NOT NULL DEFAULT false,
    "version" INTEGER NOT NULL,
    "snapshot" JSONB NOT NULL,
    "updatedAt" DATETIME NOT NULL
);
INSERT INTO "new_Case" ("acknowledgedAt", "areaId", "atRisk", "buildingId", "calendarUnknown", "catalogueVersion", "category", "closedAt", "contactName", "contactPhone", "currentDueAt", "currentWarnAt", "departmentId", "description", "enterpriseId", "escalations", "id", "openedAt", "outcome", "overdue", "overdueSince", "ownerLevel", "ownerStewardId", "paused", "reminders", "resolutionDueAt", "resolvedAt", "responseDueAt", "satisfaction", "snapshot", "stage", "title", "townId", "updatedAt", "urgency", "version", "workflowId") SELECT "acknowledgedAt", "areaId", "atRisk", "buildingId", "calendarUnknown", "catalogueVersion", "category", "closedAt", "contactName", "contactPhone", "currentDueAt", "currentWarnAt", "departmentId", "description", "enterpriseId", "escalations", "id", "openedAt", "outcome", "overdue", "overdueSince", "ownerLevel", "ownerStewardId", "paused", "reminders", "resolutionDueAt", "resolvedAt", "responseDueAt", "satisfaction", "snapshot", "stage", "title", "townId", "updatedAt", "urgency", "version", "workflowId" FROM "Case";
DROP TABLE "Case";
ALTER TABLE "new_Case" RENAME TO "Case";
CREATE UNIQUE INDEX "Case_workflowId_key" ON "Case"("workflowId");
CREATE INDEX "Case_openedAt_id_idx" ON "Case"("openedAt", "id");
CREATE INDEX "Case_townId_openedAt_id_idx" ON "Case"("townId", "openedAt", "id");
CREATE INDEX "Case_areaId_openedAt_id_idx" ON "Case"("areaId", "openedAt", "id");
CREATE INDEX "Case_buildingId_openedAt_id_idx" ON "Case"("buildingId", "openedAt", "id");
CREATE INDEX "Case_ownerStewardId_openedAt_id_idx" ON "Case"("ownerStewardId", "openedAt", "id");
CREATE INDEX "Case_enterpriseId_openedAt_id_idx" ON "Case"("enterpriseId", "openedAt", "id");
CREATE INDEX "Case_overdue_overdueSince_id_idx" ON "Case"("overdue", "overdueSince", "id");
CREATE INDEX "Case_overdue_paused_currentDueAt_id_idx" ON "Case"("overdue", "paused", "currentDueAt", "id");
CREATE INDEX "Case_atRisk_overdue_paused_currentDueAt_id_currentWarnAt_idx" ON "Case"("atRisk", "overdue", "paused", "currentDueAt", "id", "currentWarnAt");
CREATE INDEX "Case_id_townId_areaId_idx" ON "Case"("id", "townId", "areaId");
CREATE INDEX "Case_responseSettledAt_responseOnTime_townId_areaId_buildingId_ownerStewardId_departmentId_category_urgency_ownerLevel_ackWorkingMs_idx" ON "Case"("responseSettledAt", "responseOnTime", "townId", "areaId", "buildingId", "ownerStewardId", "departmentId", "category", "urgency", "ownerLevel", "ackWorkingMs");
CREATE INDEX "Case_resolvedAt_resolvedOnTime_townId_areaId_buildingId_ownerStewardId_departmentId_category_urgency_ownerLevel_resolveWorkingMs_idx" ON "Case"("resolvedAt", "resolvedOnTime", "townId", "areaId", "buildingId", "ownerStewardId", "departmentId", "category", "urgency", "ownerLevel", "resolveWorkingMs");
CREATE INDEX "Case_resolutionSettledAt_resolvedAt_townId_areaId_buildingId_ownerStewardId_departmentId_category_urgency_ownerLevel_idx" ON "Case"("resolutionSettledAt", "resolvedAt", "townId", "areaId", "buildingId", "ownerStewardId", "departmentId", "category", "urgency", "ownerLevel");
CREATE INDEX "Case_followUpAt_satisfaction_townId_areaId_buildingId_ownerStewardId_departmentId_category_urgency_ownerLevel_idx" ON "Case"("followUpAt", "satisfaction", "townId", "areaId", "buildingId", "ownerStewardId", "departmentId", "category", "urgency", "ownerLevel");
CREATE INDEX "Case_closedAt_outcome_townId_areaId_buildingId_ownerStewardId_departmentId_category_urgency_ownerLevel_idx" ON "Case"("closedAt", "outcome", "townId", "areaId", "buildingId", "ownerStewardId", "departmentId", "category", "urgency", "ownerLevel");
CREATE INDEX "Case_measured_idx" ON "Case"("measured");
CREATE INDEX "Case_stage_ownerStewardId_idx" ON "Case"("stage", "ownerStewardId");
CREATE TABLE "new_DepartmentTask" (
    "caseId" TEXT NOT NULL,
    "no" INTEGER NOT NULL,
    "departmentId" TEXT NOT NULL,
    "role" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "dispatchedAt" DATETIME NOT NULL,
    "dueAt" DATETIME NOT NULL,
    "overdue" BOOLEAN NOT NULL DEFAULT false,
    "overdueSince" DATETIME,
    "overdueMs" INTEGER NOT NULL DEFAULT 0,
    "reminders" INTEGER NOT NULL DEFAULT 0,
    "repliedAt" DATETIME,
    "repliedOnTime" BOOLEAN NOT NULL DEFAULT false,
    "returnedAt" DATETIME,
    "returnReason" TEXT,
    "updatedAt" DATETIME NOT NULL,

    PRIMARY KEY ("caseId", "no"),
    CONSTRAINT "DepartmentTask_caseId_fkey" FOREIGN KEY ("caseId") REFERENCES "Case" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);
INSERT INTO "new_DepartmentTask" ("caseId", "departmentId", "dispatchedAt", "dueAt", "no", "overdue", "overdueMs", "overdueSince", "reminders", "role", "status", "updatedAt") SELECT "caseId", "departmentId", "dispatchedAt", "dueAt", "no", "overdue", "overdueMs", "overdueSince", "reminders", "role", "status", "updatedAt" FROM "DepartmentTask";
DROP TABLE "DepartmentTask";
ALTER TABLE "new_DepartmentTask" RENAME TO "DepartmentTask";
CREATE INDEX "DepartmentTask_dispatchedAt_departmentId_idx" ON "DepartmentTask"("dispatchedAt", "departmentId");
CREATE INDEX "DepartmentTask_repliedAt_repliedOnTime_departmentId_idx" ON "DepartmentTask"("repliedAt", "repliedOnTime", "departmentId");
CREATE INDEX "DepartmentTask_returnedAt_departmentId_idx" ON "DepartmentTask"("returnedAt", "departmentId");
CREATE INDEX "DepartmentTask_overdue_overdueSince_idx" ON "DepartmentTask"("overdue", "overdueSince");
CREATE INDEX "DepartmentTask_departmentId_status_overdue_dueAt_caseId_no_idx" ON "DepartmentTask"("departmentId", "status", "overdue", "dueAt", "caseId", "no");
CREATE INDEX "DepartmentTask_caseId_departmentId_idx" ON "DepartmentTask"("caseId", "departmentId");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;
