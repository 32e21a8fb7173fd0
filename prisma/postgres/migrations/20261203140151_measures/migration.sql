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
CREATE INDEX "Case_responseSettledAt_idx" ON "Case"("responseSettledAt");

-- CreateIndex
CREATE INDEX "Case_resolvedAt_idx" ON "Case"("resolvedAt");

-- CreateIndex
CREATE INDEX "Case_resolutionSettledAt_idx" ON "Case"("resolutionSettledAt");

-- CreateIndex
CREATE INDEX "Case_followUpAt_idx" ON "Case"("followUpAt");

-- CreateIndex
CREATE INDEX "Case_closedAt_idx" ON "Case"("closedAt");

-- CreateIndex
CREATE INDEX "Case_measured_idx" ON "Case"("measured");

-- CreateIndex
CREATE INDEX "DepartmentTask_dispatchedAt_idx" ON "DepartmentTask"("dispatchedAt");
