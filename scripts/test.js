#!/usr/bin/env node
/**
 * Runs Jest and then prints the run's closing line, "jest: N passed, N failed[, N skipped]", as the very
 * last line of the output: CI reads the plain closing line only there, and Jest's own summary
 * ("Tests: 594 passed, 594 total") is not a form it recognises. Jest's exit code is kept.
 */
const { spawnSync } = require('node:child_process');
const { mkdirSync, readFileSync, rmSync } = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
// one file per run: two runs at once must not read each other's results
const results = path.join(root, 'test-output', `jest-results-${process.pid}.json`);
mkdirSync(path.dirname(results), { recursive: true });
rmSync(results, { force: true });

const jest = require.resolve('jest/bin/jest', { paths: [root] });
const run = spawnSync(process.execPath, [jest, '--runInBand', '--json', `--outputFile=${results}`, ...process.argv.slice(2)], {
  cwd: root,
  stdio: 'inherit',
});

let line = 'jest: 0 passed, 1 failed';
try {
  const r = JSON.parse(readFileSync(results, 'utf8'));
  const skipped = r.numPendingTests + r.numTodoTests;
  const failed = r.numFailedTests + r.numRuntimeErrorTestSuites;
  line = `jest: ${r.numPassedTests} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`;
  rmSync(results, { force: true });
} catch (e) {
  process.stderr.write(`jest wrote no results (${e.message})\n`);
  process.stdout.write(`\n${line}\n`);
  process.exit(run.status || 1);
}
process.stdout.write(`\n${line}\n`);
process.exit(run.status ?? 1);
