import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TokenPair } from '@jiangxin/shared/api/accounts';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, signUp } from '../../test/client';
import { serviceBody } from '../../test/factories/catalog';
import { eventually } from '../../test/flows';
import { backend } from '../../test/harness';
import { connectOps } from './ops-test-kit';

/**
 * deploy/two-instances.sh for real: two production-entry instances on one PostgreSQL database and one
 * Redis, behind a throwaway nginx. Through nginx: the API is spread over both instances, and a socket.io
 * client starts on long-polling (sticky), upgrades to WebSocket and receives a live event.
 */
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
const script = path.join(root, 'deploy/two-instances.sh');
const nginx = process.env['NGINX'] ?? '/usr/sbin/nginx';
const adminUrl = process.env['TEST_DATABASE_URL'];
const redisUrl = process.env['TEST_REDIS_URL'];
const skip =
  backend !== 'postgres'
    ? 'runs in the postgres project only'
    : !fs.existsSync(nginx)
      ? `nginx is not installed at ${nginx}`
      : !redisUrl
        ? 'TEST_REDIS_URL is not set'
        : null;

describe.skipIf(skip !== null)(
  `deploy/two-instances.sh behind nginx${skip ? ` (skipped: ${skip})` : ''}`,
  () => {
    const dbName = `jx_deploy_${randomBytes(4).toString('hex')}`;
    let dbUrl: string;
    let child: ChildProcess;
    let url: string;
    let output = '';

    const sql = async (text: string, params: unknown[] = []) => {
      const c = new pg.Client({ connectionString: dbUrl });
      await c.connect();
      try {
        return (await c.query(text, params)).rows;
      } finally {
        await c.end();
      }
    };

    beforeAll(async () => {
      const admin = new pg.Client({ connectionString: adminUrl });
      await admin.connect();
      await admin.query(`CREATE DATABASE ${dbName}`);
      await admin.end();
      const u = new URL(adminUrl!);
      u.pathname = `/${dbName}`;
      dbUrl = u.toString();
      child = spawn('bash', [script], {
        cwd: root,
        env: {
          ...process.env,
          DATABASE_URL: dbUrl,
          REDIS_URL: redisUrl,
          REDIS_KEY_PREFIX: `jxtest-${randomBytes(4).toString('hex')}`,
          REGISTER_LIMIT_PER_HOUR: '100000',
          LOG_LEVEL: 'warn',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child.stdout!.on('data', (d) => {
        output += d;
      });
      child.stderr!.on('data', (d) => {
        output += d;
      });
      url = await eventually(() => /JIANGXIN_URL=(\S+)/.exec(output)?.[1], 90_000).catch(() => {
        throw new Error(`two-instances.sh did not come up:\n${output}`);
      });
    });

    afterAll(async () => {
      if (child && child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      const admin = new pg.Client({ connectionString: adminUrl });
      await admin.connect();
      await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
      await admin.end();
    });

    it('spreads the API over both instances', async () => {
      const upstreams = new Set<string>();
      for (let i = 0; i < 8; i++) {
        const res = await fetch(`${url}/healthz`);
        expect(res.status).toBe(200);
        upstreams.add(res.headers.get('x-jiangxin-upstream') ?? '');
      }
      const instances = /JIANGXIN_INSTANCES=(\S+)/
        .exec(output)![1]!
        .split(',')
        .map((u) => new URL(u).host);
      expect([...upstreams].sort()).toEqual(instances.sort());
    });

    it('keeps /metrics off the public side: Prometheus scrapes each instance on its own port', async () => {
      expect((await fetch(`${url}/metrics`)).status).toBe(404);
      const instances = /JIANGXIN_INSTANCES=(\S+)/.exec(output)![1]!.split(',');
      for (const instance of instances) {
        const res = await fetch(`${instance}/metrics`);
        expect(res.status).toBe(200);
        expect(await res.text()).toMatch(
          /^payment_notifications_total\{provider="alipay",outcome="accepted"\} 0$/m,
        );
      }
    });

    it('a console connects through nginx on polling, upgrades to WebSocket and receives a live event', async () => {
      const api = new ApiClient(url);
      const staff = await signUp(api, { nickname: '部署测试员' });
      await sql(`UPDATE users SET staff_roles = '{moderator}' WHERE id = $1`, [staff.userId]);
      const login = await api.post<TokenPair>('/auth/login', {
        login: (await sql('SELECT username FROM users WHERE id = $1', [staff.userId]))[0].username,
        password: 'correct-horse-1',
      });
      expect(login.status).toBe(200);

      const opsConsole = connectOps(
        url,
        { token: login.body.accessToken },
        { transports: ['polling', 'websocket'] },
      );
      const transports: string[] = [opsConsole.socket.io.engine?.transport.name ?? 'polling'];
      opsConsole.socket.io.on('open', () => {
        transports[0] = opsConsole.socket.io.engine.transport.name;
        opsConsole.socket.io.engine.on('upgrade', (t: { name: string }) => transports.push(t.name));
      });
      await opsConsole.ready;
      await eventually(() => transports.includes('websocket'));
      expect(transports).toEqual(['polling', 'websocket']);

      const freelancer = await signUp(api, { userType: 'freelancer' });
      const [category] = await sql(
        `INSERT INTO categories (slug, name, name_zh) VALUES ($1, 'Logo', 'LOGO设计') RETURNING id`,
        [`deploy-${randomBytes(3).toString('hex')}`],
      );
      const created = await freelancer.api.post('/services', serviceBody(Number(category.id)));
      expect(created.status).toBe(201);
      const got = await eventually(() =>
        opsConsole.events.find(
          (e) =>
            e.type === 'case.upserted' && (e.payload as { subjectId: number }).subjectId === created.body.id,
        ),
      );
      expect(got.seq).toBeGreaterThan(0);
      opsConsole.close();
    });
  },
);
