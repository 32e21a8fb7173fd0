-- CreateTable
CREATE TABLE "DepartmentTask" (
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
    "updatedAt" DATETIME NOT NULL,

    PRIMARY KEY ("caseId", "no")
);

-- CreateIndex
CREATE INDEX "DepartmentTask_departmentId_status_idx" ON "DepartmentTask"("departmentId", "status");
