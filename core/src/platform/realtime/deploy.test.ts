import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TokenPair } from '@jiangxin/shared/api/accounts';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3FileStorage } from '../../modules/files/s3-storage';
import { ApiClient, signUp } from '../../test/client';
import { serviceBody } from '../../test/factories/catalog';
import { eventually } from '../../test/flows';
import { backend, TEST_PII_ENV } from '../../test/harness';
import { connectOps } from './ops-test-kit';

/**
 * deploy/two-instances.sh for real: two production-entry instances on one PostgreSQL database and one
 * Redis, behind a throwaway nginx. Through nginx: the API is spread over both instances, and a socket.io
 * client starts on long-polling (sticky), upgrades to WebSocket and receives a live event. The instances
 * share no disk: a file uploaded through one is downloaded through the other from their one S3 bucket.
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
          // The instances' personal-data keys (else the script keeps generated ones in the user's config).
          ...TEST_PII_ENV,
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

    it('a file uploaded through instance A downloads through instance B, from the bucket they share', async () => {
      const [a, b] = /JIANGXIN_INSTANCES=(\S+)/.exec(output)![1]!.split(',') as [string, string];
      const s3Url = new URL(/JIANGXIN_S3=(\S+)/.exec(output)![1]!);
      const { api: me } = await signUp(new ApiClient(a));
      const uploadTo = async (instance: string, bytes: Buffer, name: string, type: string) => {
        const form = new FormData();
        form.append('file', new Blob([new Uint8Array(bytes)], { type }), name);
        const res = await fetch(`${instance}/api/v1/files`, {
          method: 'POST',
          headers: { authorization: `Bearer ${me.token}` },
          body: form,
        });
        expect(res.status).toBe(201);
        return (await res.json()) as { id: number; url: string };
      };
      const auth = { authorization: `Bearer ${me.token}` };

      // A document streams through B.
      const doc = Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(64 * 1024)]);
      const pdf = await uploadTo(a, doc, '部署验收单.pdf', 'application/pdf');
      const viaB = await fetch(b + pdf.url, { headers: auth, redirect: 'manual' });
      expect(viaB.status).toBe(200);
      expect(Buffer.from(await viaB.arrayBuffer()).equals(doc)).toBe(true);

      // A picture: B redirects to the bucket, which serves it.
      const pic = Buffer.concat([
        Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
        randomBytes(4096),
      ]);
      const png = await uploadTo(a, pic, '头像.png', 'image/png');
      const redirect = await fetch(b + png.url, { headers: auth, redirect: 'manual' });
      expect(redirect.status).toBe(302);
      const location = redirect.headers.get('location')!;
      expect(location.startsWith(`${s3Url.origin}/`)).toBe(true);
      expect(Buffer.from(await (await fetch(location)).arrayBuffer()).equals(pic)).toBe(true);

      // The bytes are in the bucket, under the key the row names (neither instance's disk has them).
      const [row] = await sql('SELECT storage_key FROM files WHERE id = $1', [pdf.id]);
      const bucket = new S3FileStorage({
        endpoint: s3Url.origin,
        bucket: s3Url.pathname.slice(1),
        region: 'us-east-1',
        accessKeyId: 'S3RVER',
        secretAccessKey: 'S3RVER',
        forcePathStyle: true,
      });
      try {
        const stored = await bucket.get(row.storage_key);
        expect(stored.size).toBe(doc.length);
        stored.body.resume();
      } finally {
        bucket.close();
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
