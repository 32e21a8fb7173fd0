-- AlterTable
ALTER TABLE "Case" ADD COLUMN     "ackWorkingMs" INTEGER,
ADD COLUMN     "escalationsToArea" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "escalationsToChief" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "followUpAt" TIMESTAMP(3),
ADD COLUMN     "measured" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "resolutionSettledAt" TIMESTAMP(3),
ADD COLUMN     "resolveWorkingMs" INTEGER,
ADD COLUMN     "resolvedOnTime" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "respondedAt" TIMESTAMP(3),
ADD COLUMN     "responseOnTime" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "responseSettledAt" TIMESTAMP(3);

-- AlterTable
ALTER TABLE "DepartmentTask" ADD COLUMN     "repliedAt" TIMESTAMP(3),
ADD COLUMN     "repliedOnTime" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "returnReason" TEXT,
ADD COLUMN     "returnedAt" TIMESTAMP(3);

-- CreateIndex
CREATE INDEX "Case_responseSettledAt_responseOnTime_townId_areaId_buildin_idx" ON "Case"("responseSettledAt", "responseOnTime", "townId", "areaId", "buildingId", "ownerStewardId", "departmentId", "category", "urgency", "ownerLevel", "ackWorkingMs");

-- CreateIndex
CREATE INDEX "Case_resolvedAt_resolvedOnTime_townId_areaId_buildingId_own_idx" ON "Case"("resolvedAt", "resolvedOnTime", "townId", "areaId", "buildingId", "ownerStewardId", "departmentId", "category", "urgency", "ownerLevel", "resolveWorkingMs");

-- CreateIndex
CREATE INDEX "Case_resolutionSettledAt_resolvedAt_townId_areaId_buildingI_idx" ON "Case"("resolutionSettledAt", "resolvedAt", "townId", "areaId", "buildingId", "ownerStewardId", "departmentId", "category", "urgency", "ownerLevel");

-- CreateIndex
CREATE INDEX "Case_followUpAt_satisfaction_townId_areaId_buildingId_owner_idx" ON "Case"("followUpAt", "satisfaction", "townId", "areaId", "buildingId", "ownerStewardId", "departmentId", "category", "urgency", "ownerLevel");

-- CreateIndex
CREATE INDEX "Case_closedAt_outcome_townId_areaId_buildingId_ownerSteward_idx" ON "Case"("closedAt", "outcome", "townId", "areaId", "buildingId", "ownerStewardId", "departmentId", "category", "urgency", "ownerLevel");

-- CreateIndex
CREATE INDEX "Case_measured_idx" ON "Case"("measured");

-- CreateIndex
CREATE INDEX "Case_stage_ownerStewardId_idx" ON "Case"("stage", "ownerStewardId");

-- CreateIndex
CREATE INDEX "DepartmentTask_dispatchedAt_departmentId_idx" ON "DepartmentTask"("dispatchedAt", "departmentId");

-- CreateIndex
CREATE INDEX "DepartmentTask_repliedAt_repliedOnTime_departmentId_idx" ON "DepartmentTask"("repliedAt", "repliedOnTime", "departmentId");

-- CreateIndex
CREATE INDEX "DepartmentTask_returnedAt_departmentId_idx" ON "DepartmentTask"("returnedAt", "departmentId");

-- CreateIndex
CREATE INDEX "DepartmentTask_overdue_overdueSince_idx" ON "DepartmentTask"("overdue", "overdueSince");
