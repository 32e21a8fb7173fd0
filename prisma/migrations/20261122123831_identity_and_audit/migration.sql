-- CreateTable
CREATE TABLE "Person" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "subject" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "kind" TEXT NOT NULL DEFAULT 'person',
    "active" BOOLEAN NOT NULL DEFAULT true,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "RoleGrant" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "personId" TEXT NOT NULL,
    "role" TEXT NOT NULL,
    "scopeId" TEXT,
    "grantedBy" TEXT NOT NULL,
    "grantedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "revokedAt" DATETIME,
    "revokedBy" TEXT,
    CONSTRAINT "RoleGrant_personId_fkey" FOREIGN KEY ("personId") REFERENCES "Person" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "CaseSteward" (
    "caseId" TEXT NOT NULL,
    "stewardId" TEXT NOT NULL,

    PRIMARY KEY ("caseId", "stewardId"),
    CONSTRAINT "CaseSteward_caseId_fkey" FOREIGN KEY ("caseId") REFERENCES "Case" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "AuditLog" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "personId" TEXT,
    "subject" TEXT,
    "action" TEXT NOT NULL,
    "target" TEXT NOT NULL,
    "status" INTEGER NOT NULL,
    "ip" TEXT,
    "requestId" TEXT,
    "townId" TEXT,
    "detail" JSONB
);

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
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
    "updatedAt" DATETIME NOT NULL,

    PRIMARY KEY ("caseId", "no"),
    CONSTRAINT "DepartmentTask_caseId_fkey" FOREIGN KEY ("caseId") REFERENCES "Case" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);
INSERT INTO "new_DepartmentTask" ("caseId", "departmentId", "dispatchedAt", "dueAt", "no", "overdue", "overdueMs", "overdueSince", "reminders", "role", "status", "updatedAt") SELECT "caseId", "departmentId", "dispatchedAt", "dueAt", "no", "overdue", "overdueMs", "overdueSince", "reminders", "role", "status", "updatedAt" FROM "DepartmentTask";
DROP TABLE "DepartmentTask";
ALTER TABLE "new_DepartmentTask" RENAME TO "DepartmentTask";
CREATE INDEX "DepartmentTask_departmentId_status_idx" ON "DepartmentTask"("departmentId", "status");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateIndex
CREATE UNIQUE INDEX "Person_subject_key" ON "Person"("subject");

-- CreateIndex
CREATE INDEX "RoleGrant_personId_idx" ON "RoleGrant"("personId");

-- CreateIndex
CREATE INDEX "RoleGrant_role_scopeId_idx" ON "RoleGrant"("role", "scopeId");

-- CreateIndex
CREATE INDEX "CaseSteward_stewardId_idx" ON "CaseSteward"("stewardId");

-- CreateIndex
CREATE INDEX "AuditLog_at_idx" ON "AuditLog"("at");

-- CreateIndex
CREATE INDEX "AuditLog_target_at_idx" ON "AuditLog"("target", "at");

-- CreateIndex
CREATE INDEX "AuditLog_personId_at_idx" ON "AuditLog"("personId", "at");

-- CreateIndex
CREATE INDEX "AuditLog_townId_at_idx" ON "AuditLog"("townId", "at");

-- The audit log is append-only: refuse every UPDATE and DELETE, whoever connects.
CREATE TRIGGER "AuditLog_no_update" BEFORE UPDATE ON "AuditLog"
BEGIN
    SELECT RAISE(ABORT, 'AuditLog is append-only');
END;

CREATE TRIGGER "AuditLog_no_delete" BEFORE DELETE ON "AuditLog"
BEGIN
    SELECT RAISE(ABORT, 'AuditLog is append-only');
END;
