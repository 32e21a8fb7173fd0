-- AlterTable
ALTER TABLE "Case" ADD COLUMN     "currentWarnAt" TIMESTAMP(3);

-- DropTable
DROP TABLE "IdempotencyKey";

-- CreateTable
CREATE TABLE "IntakeKey" (
    "ownerId" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "caseId" TEXT NOT NULL,
    "fingerprint" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "IntakeKey_pkey" PRIMARY KEY ("ownerId","key")
);

-- CreateTable
CREATE TABLE "CallbackReceipt" (
    "departmentId" TEXT NOT NULL,
    "signature" TEXT NOT NULL,
    "expiresAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "CallbackReceipt_pkey" PRIMARY KEY ("departmentId","signature")
);

-- CreateTable
CREATE TABLE "Incident" (
    "id" SERIAL NOT NULL,
    "kind" TEXT NOT NULL,
    "caseId" TEXT,
    "message" TEXT NOT NULL,
    "detail" JSONB,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "resolvedAt" TIMESTAMP(3),

    CONSTRAINT "Incident_pkey" PRIMARY KEY ("id")
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
