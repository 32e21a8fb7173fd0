-- CreateTable
CREATE TABLE "DepartmentTask" (
    "caseId" TEXT NOT NULL,
    "no" INTEGER NOT NULL,
    "departmentId" TEXT NOT NULL,
    "role" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "dispatchedAt" TIMESTAMP(3) NOT NULL,
    "dueAt" TIMESTAMP(3) NOT NULL,
    "overdue" BOOLEAN NOT NULL DEFAULT false,
    "overdueSince" TIMESTAMP(3),
    "overdueMs" INTEGER NOT NULL DEFAULT 0,
    "reminders" INTEGER NOT NULL DEFAULT 0,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "DepartmentTask_pkey" PRIMARY KEY ("caseId","no")
);

-- CreateIndex
CREATE INDEX "DepartmentTask_departmentId_status_idx" ON "DepartmentTask"("departmentId", "status");
