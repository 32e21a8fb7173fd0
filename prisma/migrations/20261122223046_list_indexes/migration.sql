-- DropIndex
DROP INDEX "Case_currentWarnAt_idx";

-- DropIndex
DROP INDEX "Case_currentDueAt_idx";

-- DropIndex
DROP INDEX "Case_enterpriseId_idx";

-- DropIndex
DROP INDEX "Case_ownerStewardId_idx";

-- DropIndex
DROP INDEX "Case_areaId_idx";

-- DropIndex
DROP INDEX "Case_buildingId_idx";

-- DropIndex
DROP INDEX "Case_atRisk_idx";

-- DropIndex
DROP INDEX "Case_overdue_ownerLevel_idx";

-- DropIndex
DROP INDEX "Case_stage_idx";

-- DropIndex
DROP INDEX "CaseSteward_stewardId_idx";

-- DropIndex
DROP INDEX "DepartmentTask_departmentId_status_idx";

-- CreateIndex
CREATE INDEX "Case_openedAt_id_idx" ON "Case"("openedAt", "id");

-- CreateIndex
CREATE INDEX "Case_townId_openedAt_id_idx" ON "Case"("townId", "openedAt", "id");

-- CreateIndex
CREATE INDEX "Case_areaId_openedAt_id_idx" ON "Case"("areaId", "openedAt", "id");

-- CreateIndex
CREATE INDEX "Case_buildingId_openedAt_id_idx" ON "Case"("buildingId", "openedAt", "id");

-- CreateIndex
CREATE INDEX "Case_ownerStewardId_openedAt_id_idx" ON "Case"("ownerStewardId", "openedAt", "id");

-- CreateIndex
CREATE INDEX "Case_enterpriseId_openedAt_id_idx" ON "Case"("enterpriseId", "openedAt", "id");

-- CreateIndex
CREATE INDEX "Case_overdue_overdueSince_id_idx" ON "Case"("overdue", "overdueSince", "id");

-- CreateIndex
CREATE INDEX "Case_overdue_paused_currentDueAt_id_idx" ON "Case"("overdue", "paused", "currentDueAt", "id");

-- CreateIndex
CREATE INDEX "Case_atRisk_overdue_paused_currentDueAt_id_currentWarnAt_idx" ON "Case"("atRisk", "overdue", "paused", "currentDueAt", "id", "currentWarnAt");

-- CreateIndex
CREATE INDEX "Case_id_townId_areaId_idx" ON "Case"("id", "townId", "areaId");

-- CreateIndex
CREATE INDEX "CaseSteward_stewardId_caseId_idx" ON "CaseSteward"("stewardId", "caseId");

-- CreateIndex
CREATE INDEX "DepartmentTask_departmentId_status_overdue_dueAt_caseId_no_idx" ON "DepartmentTask"("departmentId", "status", "overdue", "dueAt", "caseId", "no");

-- CreateIndex
CREATE INDEX "DepartmentTask_caseId_departmentId_idx" ON "DepartmentTask"("caseId", "departmentId");
