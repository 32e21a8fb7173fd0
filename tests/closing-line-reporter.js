/**
 * Prints the run's closing line in the plain form CI reads ("N passed, N failed", then skipped):
 * Jest's own summary ("Tests: 412 passed, 412 total") is not one it recognises.
 */
class ClosingLineReporter {
  onRunComplete(_contexts, results) {
    const skipped = results.numPendingTests + results.numTodoTests;
    const failed = results.numFailedTests + results.numRuntimeErrorTestSuites;
    process.stdout.write(`\njest: ${results.numPassedTests} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}\n`);
  }
}
module.exports = ClosingLineReporter;
