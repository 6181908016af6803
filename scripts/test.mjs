#!/usr/bin/env node
// `npm test`: type-check, lint, then every Vitest project, and a closing line with the counts.
// Says which database backends ran: PGlite always; PostgreSQL and Redis when TEST_DATABASE_URL /
// TEST_REDIS_URL point at servers (.ci/run sets both).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const run = (cmd, args) => {
  const r = spawnSync(cmd, args, { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
};
const redact = (url) => url.replace(/\/\/[^@/]*@/, '//');

const backends = ['PGlite (embedded)'];
if (process.env.TEST_DATABASE_URL) backends.push(`PostgreSQL ${redact(process.env.TEST_DATABASE_URL)}`);
console.log(`\n== Jiangxin tests — database backends: ${backends.join(' + ')}`);
if (!process.env.TEST_DATABASE_URL)
  console.log(
    '   PostgreSQL suites not run: set TEST_DATABASE_URL=postgres://… to run every core suite on it too',
  );
console.log(
  `   Redis scale-out suite: ${process.env.TEST_REDIS_URL ? redact(process.env.TEST_REDIS_URL) : 'not run (set TEST_REDIS_URL=redis://…)'}\n`,
);

run('npx', ['tsc', '-p', 'shared']);
run('npx', ['tsc', '-p', 'core']);
run('npx', ['tsc', '-p', 'electron']);
run('npx', ['tsc', '-p', 'electron/tsconfig.main.json']);
run('npx', ['tsc', '-p', 'renderer']);
run('npx', ['tsc', '-p', 'bench/engine']);
run('npx', ['tsc', '-p', 'bench/ui']);
run('npx', ['tsc', '-p', 'client']);
run('npx', ['biome', 'check', '--error-on-warnings', '.']);

// The API document, linted: written by the core without a server or database (core/src/main/openapi.ts)
// and held to redocly.yaml; any error fails the run. Redocly sends no telemetry and checks no updates.
const apiDoc = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'jx-openapi-')), 'openapi.json');
run('npx', ['tsx', 'core/src/main/openapi.ts', apiDoc]);
const lint = spawnSync('npx', ['redocly', 'lint', apiDoc, '--config', 'redocly.yaml', '--format=summary'], {
  stdio: 'inherit',
  env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
});
if (lint.status !== 0) process.exit(lint.status ?? 1);

const report = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'jx-vitest-')), 'report.json');
const vitest = spawnSync(
  'npx',
  [
    'vitest',
    'run',
    '--reporter=default',
    '--reporter=json',
    `--outputFile.json=${report}`,
    ...process.argv.slice(2),
  ],
  {
    stdio: 'inherit',
  },
);
let counts = null;
let slowest = [];
try {
  const r = JSON.parse(fs.readFileSync(report, 'utf8'));
  counts = {
    passed: r.numPassedTests,
    failed: r.numFailedTests,
    skipped: r.numPendingTests + r.numTodoTests,
  };
  // The files that set the suite's length (two run at once), so a slow newcomer is seen in every log.
  slowest = r.testResults
    .map((f) => ({ file: path.relative(process.cwd(), f.name), s: (f.endTime - f.startTime) / 1000 }))
    .sort((a, b) => b.s - a.s)
    .slice(0, 8);
} catch {
  /* no report: vitest failed before running */
}
if (slowest.length > 0) {
  console.log('\n== slowest test files');
  for (const f of slowest) console.log(`${f.s.toFixed(0).padStart(6)} s  ${f.file}`);
}
console.log(`\n== backends that ran: ${backends.join(' + ')}`);
if (counts) console.log(`${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped`);
process.exit(vitest.status ?? 1);
