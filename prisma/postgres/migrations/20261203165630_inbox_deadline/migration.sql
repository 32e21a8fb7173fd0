-- CreateIndex
CREATE INDEX "Case_ownerStewardId_currentDueAt_id_idx" ON "Case"("ownerStewardId", "currentDueAt", "id");
