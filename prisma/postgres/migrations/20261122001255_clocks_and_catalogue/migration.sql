-- AlterTable
ALTER TABLE "Case" ADD COLUMN     "atRisk" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "calendarUnknown" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "catalogueVersion" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "paused" BOOLEAN NOT NULL DEFAULT false;

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
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "CatalogueItem_pkey" PRIMARY KEY ("code","version")
);

-- CreateIndex
CREATE INDEX "Case_atRisk_idx" ON "Case"("atRisk");
