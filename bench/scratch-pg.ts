/**
 * `tsx bench/scratch-pg.ts <command…>` — runs a bench against a throwaway PostgreSQL cluster set up the
 * way deploy/README.md ("PostgreSQL settings") tells an operator to, instead of this machine's shared
 * server with the package's defaults (shared_buffers 128 MB).
 *
 * Why: with 128 MB of shared buffers the 100k-listing catalog (table ~160 MB, text indexes ~130 MB) does
 * not stay in PostgreSQL's memory: a search reading 12,919 listings took 330 ms when its pages had been
 * pushed out (by other benches' databases) and 16 ms with all of them in shared buffers. Under the search
 * load the difference is smaller (bench/RESULTS.md: 5–10 % more queries per second), but a benchmark on
 * an untuned server partly measures the configuration, not the code.
 *
 * The cluster lives in a temporary folder on a free port on 127.0.0.1, is started with `pg_ctl` from the
 * Debian PostgreSQL install (as the `postgres` user when this runs as root: initdb refuses root), gets
 * BENCH_DATABASE_URL pointing at it, and is stopped and deleted when the command ends, also on Ctrl-C.
 * The machine's shared server is not touched.
 *
 * Knobs: BENCH_PG_BIN (folder of initdb/pg_ctl; the newest /usr/lib/postgresql/N/bin by default),
 * BENCH_PG_SHARED_BUFFERS (4GB), BENCH_PG_EFFECTIVE_CACHE (12GB).
 */
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../core/src/faults/core-process';

const command = process.argv.slice(2);
if (command.length === 0) {
  console.error('usage: tsx bench/scratch-pg.ts <command…>   (e.g. npx tsx bench/core/run.ts)');
  process.exit(2);
}

function pgBin(): string {
  const chosen = process.env['BENCH_PG_BIN'];
  if (chosen) return chosen;
  const root = '/usr/lib/postgresql';
  const versions = fs.existsSync(root)
    ? fs
        .readdirSync(root)
        .filter((v) => fs.existsSync(path.join(root, v, 'bin', 'initdb')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (!versions[0]) throw new Error(`no PostgreSQL server binaries under ${root}: set BENCH_PG_BIN`);
  return path.join(root, versions[0], 'bin');
}

const asRoot = process.getuid?.() === 0;
/**
 * Runs a PostgreSQL tool as `postgres` when we are root (initdb and postgres refuse root). Its output is
 * shown only when it fails.
 */
function runPg(tool: string, args: string[]): void {
  const file = path.join(pgBin(), tool);
  const [cmd, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', file, ...args]] : [file, args];
  try {
    execFileSync(cmd, argv, { stdio: 'pipe' });
  } catch (err) {
    const e = err as { stdout?: Buffer; stderr?: Buffer; message: string };
    throw new Error(
      `${tool} failed: ${e.message}\n${e.stdout?.toString() ?? ''}${e.stderr?.toString() ?? ''}`,
    );
  }
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jx-scratch-pg-'));
const data = path.join(dir, 'data');
if (asRoot) execFileSync('chown', ['postgres:postgres', dir]);
let started = false;
const stop = () => {
  if (started) {
    started = false;
    try {
      runPg('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']);
    } catch (err) {
      console.error('scratch-pg: stopping the cluster failed:', (err as Error).message);
    }
  }
  fs.rmSync(dir, { recursive: true, force: true });
};

async function main(): Promise<number> {
  const port = await freePort();
  runPg('initdb', [
    '-D',
    data,
    '-U',
    'postgres',
    '--auth=trust',
    '-E',
    'UTF8',
    '--locale=C.UTF-8',
    '--no-sync',
  ]);
  const settings = [
    `port=${port}`,
    `listen_addresses='127.0.0.1'`,
    `unix_socket_directories='${dir}'`,
    `shared_buffers=${process.env['BENCH_PG_SHARED_BUFFERS'] || '4GB'}`,
    `effective_cache_size=${process.env['BENCH_PG_EFFECTIVE_CACHE'] || '12GB'}`,
    'max_connections=200',
  ];
  fs.appendFileSync(path.join(data, 'postgresql.conf'), `\n# bench/scratch-pg.ts\n${settings.join('\n')}\n`);
  runPg('pg_ctl', ['-D', data, '-l', path.join(dir, 'server.log'), '-w', 'start']);
  started = true;
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  console.log(`[scratch-pg] ${url} (${settings.slice(3).join(', ')})`);
  const child = spawn(command[0]!, command.slice(1), {
    stdio: 'inherit',
    env: { ...process.env, BENCH_DATABASE_URL: url },
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => child.kill(signal));
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve(code ?? (signal ? 130 : 1))));
}

main()
  .then((code) => {
    stop();
    process.exit(code);
  })
  .catch((err) => {
    console.error('scratch-pg:', err);
    stop();
    process.exit(1);
  });
