#!/usr/bin/env node
// `npm test`: type-check, lint, then every Vitest project. Says which database backends ran.
import { spawnSync } from 'node:child_process';

const run = (cmd, args) => {
  const r = spawnSync(cmd, args, { stdio: 'inherit', shell: false });
  if (r.status !== 0) process.exit(r.status ?? 1);
};

const backends = ['PGlite (embedded)'];
if (process.env.TEST_DATABASE_URL)
  backends.push(`PostgreSQL (${process.env.TEST_DATABASE_URL.replace(/\/\/[^@]*@/, '//')})`);
console.log(`\n== Jiangxin tests — database backends: ${backends.join(' + ')}`);
if (!process.env.TEST_DATABASE_URL)
  console.log('   (set TEST_DATABASE_URL=postgres://… to also run every core suite on PostgreSQL)');
console.log(
  `   Redis scale-out suite: ${process.env.TEST_REDIS_URL ? process.env.TEST_REDIS_URL : 'not run (set TEST_REDIS_URL)'}\n`,
);

run('npx', ['tsc', '-p', 'shared']);
run('npx', ['tsc', '-p', 'core']);
run('npx', ['biome', 'check', '.']);
run('npx', ['vitest', 'run', ...process.argv.slice(2)]);
console.log(`\n== backends that ran: ${backends.join(' + ')}`);
