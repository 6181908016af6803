import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, signUp } from '../../test/client';
import { insertPublishedService } from '../../test/factories/catalog';
import { signUpStaffTeam } from '../../test/factories/staff';
import { placePaidOrder } from '../../test/flows';
import { backend, startTestApp, type TestApp } from '../../test/harness';
import {
  pgBinDir,
  pgCommand,
  serverDir,
  ThrowawayCluster,
  throwawayClusterUnavailable,
} from '../../test/throwaway-cluster';
import { openDb } from './database';
import { migrateToLatest } from './migrate';

/**
 * The backup and restore drill of deploy/backup/README.md, on a throwaway cluster archiving its WAL with
 * pgBackRest through deploy/backup/pgbackrest.conf (only its paths and port replaced by temporary ones):
 * stanza-create and check; orders paid before a full backup, after it, then a moment noted on the server,
 * more orders, an incremental backup, one more order; then deploy/backup/restore-drill.sh restores to
 * that moment into a scratch server — the orders paid before it are there, the later ones are not, and
 * `ledger:check`, `audit:verify` and the files check (against a copy made by deploy/backup/files-backup.sh)
 * pass on it — and again to the end of the archived WAL, which has every order, the last one included.
 */
const run = promisify(execFile);
const repoRoot = path.resolve(__dirname, '../../../..');
const drill = path.join(repoRoot, 'deploy/backup/restore-drill.sh');
const filesBackup = path.join(repoRoot, 'deploy/backup/files-backup.sh');
const shippedConf = path.join(repoRoot, 'deploy/backup/pgbackrest.conf');
const STANZA = 'jiangxin';

const onPath = (cmd: string) =>
  (process.env['PATH'] ?? '').split(':').some((d) => fs.existsSync(path.join(d, cmd)));
const skip =
  backend !== 'postgres'
    ? 'runs in the postgres project only'
    : (throwawayClusterUnavailable() ??
      (!onPath('pgbackrest')
        ? 'pgbackrest is not installed (Debian package pgbackrest; .ci/run installs it)'
        : !onPath('rsync')
          ? 'rsync is not installed (Debian package rsync)'
          : null));

/** The shipped configuration with this test's repository, spool, log and lock folders and its cluster. */
function testConfig(dir: string, cluster: ThrowawayCluster, socketDir: string): string {
  const replace: Record<string, string> = {
    'repo1-path': path.join(dir, 'repo'),
    'spool-path': path.join(dir, 'spool'),
    'log-path': path.join(dir, 'log'),
    'pg1-path': cluster.dataDir,
    'pg1-port': String(cluster.port),
    'pg1-socket-path': socketDir,
  };
  const lines = fs
    .readFileSync(shippedConf, 'utf8')
    .split('\n')
    .map((line) => {
      const key = line.split('=')[0]!.trim();
      return key in replace && !line.startsWith('#') ? `${key}=${replace[key]}` : line;
    });
  const text = lines.join('\n').replace('[global]\n', `[global]\nlock-path=${path.join(dir, 'lock')}\n`);
  for (const key of Object.keys(replace))
    if (!text.includes(`\n${key}=${replace[key]}`)) throw new Error(`${shippedConf} has no ${key}`);
  return text;
}

describe.skipIf(skip !== null)(
  `backups with pgBackRest and the restore drill${skip ? ` (skipped: ${skip})` : ''}`,
  () => {
    let dir: string;
    let conf: string;
    let cluster: ThrowawayCluster | undefined;
    let t: TestApp | undefined;
    const drillDirs: string[] = [];

    const backrest = (...args: string[]) =>
      pgCommand('pgbackrest', [`--config=${conf}`, `--stanza=${STANZA}`, ...args]);

    beforeAll(async () => {
      dir = serverDir('jx-backup-');
      const socketDir = path.join(dir, 'sock');
      conf = path.join(dir, 'pgbackrest.conf');
      await pgCommand('mkdir', [
        '-p',
        ...['repo', 'spool', 'log', 'lock', 'sock'].map((d) => path.join(dir, d)),
      ]);
      cluster = await ThrowawayCluster.create({
        name: 'backup',
        settings: [
          'wal_level = replica',
          'archive_mode = on',
          `archive_command = 'pgbackrest --config=${conf} --stanza=${STANZA} archive-push %p'`,
          // pgBackRest talks to the server over its Unix socket.
          `unix_socket_directories = '${socketDir}'`,
        ],
      });
      fs.writeFileSync(conf, testConfig(dir, cluster, socketDir), { mode: 0o644 });
      await backrest('stanza-create');
      await backrest('check');

      await cluster.query('CREATE DATABASE jiangxin');
      const migrations = await openDb({ url: cluster.url('jiangxin'), poolSize: 1 });
      try {
        await migrateToLatest(migrations);
      } finally {
        await migrations.close();
      }
      t = await startTestApp({ payments: true, existingDbUrl: cluster.url('jiangxin') });
    }, 120_000);

    afterAll(async () => {
      await t?.close();
      for (const d of drillDirs) {
        if (fs.existsSync(path.join(d, 'data', 'postmaster.pid')))
          await pgCommand('pg_ctl', ['-D', path.join(d, 'data'), '-m', 'immediate', 'stop']).catch(() => {});
        fs.rmSync(d, { recursive: true, force: true });
      }
      await cluster?.destroy();
      if (dir) fs.rmSync(dir, { recursive: true, force: true });
    });

    /** Runs deploy/backup/restore-drill.sh as an operator would; resolves with its output (throws on exit ≠ 0). */
    async function restoreDrill(args: string[]): Promise<{ out: string; dir: string }> {
      const into = serverDir('jx-drill-');
      drillDirs.push(into);
      const started = Date.now();
      try {
        const { stdout, stderr } = await run(
          'bash',
          [drill, `--config=${conf}`, '--stanza', STANZA, '--db', 'jiangxin', '--dir', into, ...args],
          { cwd: repoRoot, env: { ...process.env, PG_BIN: pgBinDir()! }, maxBuffer: 16 * 1024 * 1024 },
        );
        console.log(`restore-drill ${args.join(' ')} (${Date.now() - started} ms):\n${stdout}${stderr}`);
        return { out: stdout + stderr, dir: into };
      } catch (err) {
        const e = err as Error & { stdout?: string; stderr?: string };
        throw new Error(`restore-drill failed: ${e.message}\n${e.stdout ?? ''}${e.stderr ?? ''}`);
      }
    }

    it('restores to a point in time between orders: later orders absent, ledger and audit chain intact', async () => {
      const app = t!;
      const api = new ApiClient(app.url);
      const client = await signUp(api, { userType: 'client' });
      const freelancer = await signUp(api, { userType: 'freelancer' });
      const { serviceId } = await insertPublishedService(app, freelancer.userId, {
        prices: [12_000, 24_000, 36_000],
      });
      const { admin } = await signUpStaffTeam(app);
      // An audited staff action: a row in the audit hash chain (one before the mark, one after it).
      const audited = async (minutes: number) => {
        const r = await admin.api.request('PUT', '/ops/settings', { slaMinutes: { support_chat: minutes } });
        expect(r.status, JSON.stringify(r.body)).toBe(200);
      };
      await audited(45);
      const pay = async (n: number) => {
        const ids: number[] = [];
        for (let i = 0; i < n; i++) ids.push((await placePaidOrder(app, client.api, serviceId)).order.id);
        return ids;
      };
      // An uploaded file, copied by the files backup.
      const form = new FormData();
      form.append(
        'file',
        new Blob([Buffer.from('%PDF-1.7\n备份演练\n')], { type: 'application/pdf' }),
        'brief.pdf',
      );
      const uploaded = await fetch(`${app.url}/api/v1/files`, {
        method: 'POST',
        headers: { authorization: `Bearer ${client.tokens.accessToken}` },
        body: form,
      });
      expect(uploaded.status, await uploaded.clone().text()).toBe(201);

      const beforeFull = await pay(2);
      let started = Date.now();
      await backrest('backup', '--type=full');
      const fullMs = Date.now() - started;
      // pgBackRest picks the newest backup that ended before the target, compared to the second.
      await new Promise((r) => setTimeout(r, 1100));
      const afterFull = await pay(2);

      // The moment to go back to, on the server's clock; then the orders that must not survive.
      const [mark] = await cluster!.query<{ at: string }>(`SELECT now()::text AS at`, [], 'jiangxin');
      await cluster!.query('SELECT pg_switch_wal()');
      const [{ n: auditedBeforeMark }] = (await cluster!.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM audit_log',
        [],
        'jiangxin',
      )) as [{ n: number }];
      expect(auditedBeforeMark).toBeGreaterThan(0);
      const later = await pay(2);
      await audited(50);
      started = Date.now();
      await backrest('backup', '--type=incr');
      const incrMs = Date.now() - started;
      const { stdout: filesOut } = await run('bash', [
        filesBackup,
        path.join(app.ctx.env.DATA_DIR, 'files'),
        path.join(dir, 'files-backup'),
      ]);
      expect(filesOut).toContain('Number of files');

      const info = JSON.parse(await backrest('info', '--output=json'))[0];
      const sets = info.backup.map(
        (b: { type: string; info: { size: number; delta: number; repository: { delta: number } } }) =>
          `${b.type} ${(b.info.size / 1e6).toFixed(1)} MB (copied ${(b.info.delta / 1e6).toFixed(1)} MB, stored ${(b.info.repository.delta / 1e6).toFixed(1)} MB)`,
      );
      console.log(`full backup ${fullMs} ms, incremental ${incrMs} ms; ${sets.join('; ')}`);
      expect(info.backup.map((b: { type: string }) => b.type)).toEqual(['full', 'incr']);

      // To the mark: the full backup plus the archived WAL up to it.
      const pitr = await restoreDrill([
        '--target',
        mark!.at,
        '--files-backup',
        path.join(dir, 'files-backup'),
        '--keep',
      ]);
      expect(pitr.out).toContain('账本校验通过 ledger OK');
      expect(pitr.out).toMatch(/审计链完整 audit chain OK: [1-9]/);
      expect(pitr.out).toMatch(/files OK: all 1 stored objects/);
      expect(pitr.out).toMatch(/DRILL_RESULT restore_s=[\d.]+ recovery_s=[\d.]+ checks_s=[\d.]+ ok=1/);
      const url = /DRILL_URL=(\S+)/.exec(pitr.out)![1]!;
      const restored = new (await import('pg')).default.Client({ connectionString: url });
      await restored.connect();
      try {
        const ids = (await restored.query<{ id: number }>('SELECT id FROM orders ORDER BY id')).rows.map(
          (r) => Number(r.id),
        );
        expect(ids).toEqual([...beforeFull, ...afterFull]);
        // The chain as it was at the mark: the first settings change, not the second.
        const { rows } = await restored.query<{ n: number }>('SELECT count(*)::int AS n FROM audit_log');
        expect(rows[0]!.n).toBe(auditedBeforeMark);
      } finally {
        await restored.end();
      }
      await pgCommand('pg_ctl', ['-D', path.join(pitr.dir, 'data'), '-m', 'fast', '-w', 'stop']);

      // One more order after the last backup, its WAL archived (`check` switches segments and waits for it):
      // the end of the archive (the latest state, as after losing the host) has every order.
      const afterIncr = await pay(1);
      await backrest('check');
      const latest = await restoreDrill([]);
      expect(latest.out).toContain(
        `orders: ${[...beforeFull, ...afterFull, ...later, ...afterIncr].length},`,
      );
      expect(latest.out).toMatch(/last transaction replayed from WAL: \d{4}-/);
      expect(latest.out).toContain('restore-drill: OK');
    }, 180_000);
  },
);
