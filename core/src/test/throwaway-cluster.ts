import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { freePort } from '../faults/core-process';

/**
 * A PostgreSQL cluster of a test's own: `initdb` into a temporary folder, started with `pg_ctl` on a free
 * port of 127.0.0.1, removed by `destroy()`. Tests that need to break or rebuild a server (a streaming
 * replica, a backup restored to a point in time) use one, never the shared server on 5432.
 *
 * PostgreSQL refuses to run as root, so when the tests run as root (CI) every server command runs as the
 * `postgres` user and the folders belong to it.
 */

const run = promisify(execFile);

/** Debian's server binaries (`/usr/lib/postgresql/<major>/bin`), the newest installed; PG_BIN overrides. */
export function pgBinDir(): string | null {
  if (process.env['PG_BIN']) return process.env['PG_BIN'];
  const root = '/usr/lib/postgresql';
  if (!fs.existsSync(root)) return null;
  const majors = fs
    .readdirSync(root)
    .filter((d) => fs.existsSync(path.join(root, d, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return majors[0] ? path.join(root, majors[0], 'bin') : null;
}

const asRoot = process.getuid?.() === 0;

/** Runs a PostgreSQL command (as `postgres` when we are root); resolves with its output, rejects with it. */
export async function pgCommand(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<string> {
  const bin = path.join(pgBinDir() ?? '', command);
  const full = fs.existsSync(bin) ? bin : command;
  const [file, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', full, ...args]] : [full, args];
  try {
    const { stdout, stderr } = await run(file, argv, {
      env: { ...process.env, ...env },
      cwd: os.tmpdir(),
      maxBuffer: 16 * 1024 * 1024,
    });
    return stdout + stderr;
  } catch (err) {
    const e = err as Error & { stdout?: string; stderr?: string };
    throw new Error(`${command} ${args.join(' ')} failed: ${e.message}\n${e.stdout ?? ''}${e.stderr ?? ''}`);
  }
}

/** A temporary folder the server user may write (PostgreSQL wants its data folder mode 0700). */
export function serverDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  fs.chmodSync(dir, 0o700);
  if (asRoot) {
    const { uid, gid } = postgresUser();
    fs.chownSync(dir, uid, gid);
  }
  return dir;
}

let pgUser: { uid: number; gid: number } | null = null;
function postgresUser(): { uid: number; gid: number } {
  if (!pgUser) {
    const line = fs
      .readFileSync('/etc/passwd', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('postgres:'));
    if (!line) throw new Error('running as root needs a postgres user to run the server as');
    const [, , uid, gid] = line.split(':');
    pgUser = { uid: Number(uid), gid: Number(gid) };
  }
  return pgUser;
}

/** Why a throwaway cluster cannot run here, or null when it can. */
export function throwawayClusterUnavailable(): string | null {
  const bin = pgBinDir();
  if (!bin) return 'the PostgreSQL server binaries are not installed (Debian package postgresql)';
  if (asRoot && !fs.readFileSync('/etc/passwd', 'utf8').includes('\npostgres:'))
    return 'running as root without a postgres user';
  return null;
}

export class ThrowawayCluster {
  private constructor(
    /** The data folder. */
    readonly dataDir: string,
    readonly port: number,
    /** Where the server's log goes. */
    readonly logFile: string,
  ) {}

  /** `initdb` (trust auth, UTF8) and start; `settings` go into postgresql.conf (e.g. `wal_level = replica`). */
  static async create(opts: { settings?: string[]; name?: string } = {}): Promise<ThrowawayCluster> {
    const root = serverDir(`jx-${opts.name ?? 'cluster'}-`);
    const dataDir = path.join(root, 'data');
    await pgCommand('initdb', ['-D', dataDir, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--no-sync']);
    const cluster = new ThrowawayCluster(dataDir, await freePort(), path.join(root, 'server.log'));
    cluster.configure(opts.settings ?? []);
    await cluster.start();
    return cluster;
  }

  /**
   * A cluster over an existing data folder (a base backup, a restore) that has not started yet: `configure`
   * it, then `start()`.
   */
  static async adopt(dataDir: string): Promise<ThrowawayCluster> {
    return new ThrowawayCluster(
      dataDir,
      await freePort(),
      path.join(path.dirname(dataDir), `server-${path.basename(dataDir)}.log`),
    );
  }

  /** Appends settings to postgresql.auto.conf (read last, so they win); the port and socket are always ours. */
  configure(settings: string[]): void {
    const file = path.join(this.dataDir, 'postgresql.auto.conf');
    const lines = [
      `port = ${this.port}`,
      `listen_addresses = '127.0.0.1'`,
      `unix_socket_directories = ''`,
      'fsync = off',
      ...settings,
    ];
    fs.appendFileSync(file, `\n${lines.join('\n')}\n`);
  }

  url(database = 'postgres'): string {
    return `postgres://postgres@127.0.0.1:${this.port}/${database}`;
  }

  async start(): Promise<void> {
    await pgCommand('pg_ctl', ['-D', this.dataDir, '-l', this.logFile, '-w', '-t', '60', 'start']);
  }

  /** `fast` rolls back open transactions; `immediate` is a crash (recovery on the next start). */
  async stop(mode: 'fast' | 'immediate' = 'fast'): Promise<void> {
    await pgCommand('pg_ctl', ['-D', this.dataDir, '-m', mode, '-w', '-t', '60', 'stop']);
  }

  async running(): Promise<boolean> {
    try {
      await pgCommand('pg_ctl', ['-D', this.dataDir, 'status']);
      return true;
    } catch {
      return false;
    }
  }

  /** One query on a fresh connection (for setup and checks, not for the code under test). */
  async query<R extends pg.QueryResultRow = pg.QueryResultRow>(
    text: string,
    params: unknown[] = [],
    database = 'postgres',
  ): Promise<R[]> {
    const client = new pg.Client({ connectionString: this.url(database) });
    await client.connect();
    try {
      return (await client.query<R>(text, params)).rows;
    } finally {
      await client.end();
    }
  }

  log(): string {
    return fs.existsSync(this.logFile) ? fs.readFileSync(this.logFile, 'utf8') : '';
  }

  /** Stops the server if it runs and removes its folder. */
  async destroy(): Promise<void> {
    if (await this.running()) await this.stop('immediate').catch(() => {});
    fs.rmSync(path.dirname(this.dataDir), { recursive: true, force: true });
  }
}
