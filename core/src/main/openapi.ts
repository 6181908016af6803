import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import pino from 'pino';
import { buildApp } from '../app';
import { LocalFileStorage } from '../modules/files/storage';
import { MemorySmsSender } from '../modules/notifications/sms';
import type { PaymentGateways } from '../modules/payments/gateway';
import { loadEnv } from '../platform/config';
import type { AppContext } from '../platform/context';
import { PiiKeyring } from '../platform/crypto/pii';
import type { Db } from '../platform/db/database';
import { EventReactions } from '../platform/events/reactions';
import { AccessTokens } from '../platform/http/auth';

/**
 * The core's OpenAPI document without a running service or a database: the app is assembled (nothing is
 * listened on, no route runs, no query is made) and asked for `/openapi.json` exactly as a client would
 * get it. `npm test` lints what this writes (scripts/test.mjs).
 *
 *   npx tsx core/src/main/openapi.ts [out.json]   (stdout without a file; PUBLIC_URL sets the server)
 */
export async function buildOpenApiDocument(): Promise<Record<string, unknown>> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'jx-openapi-'));
  // PUBLIC_URL, when set, is the document's server (as on the running core); otherwise a relative `/`.
  const publicUrl = process.env['PUBLIC_URL'];
  const env = loadEnv({
    NODE_ENV: 'test',
    DATA_DIR: dataDir,
    LOG_LEVEL: 'silent',
    JOBS_ENABLED: 'false',
    ...(publicUrl ? { PUBLIC_URL: publicUrl } : {}),
  });
  // No request is served, so no query runs: the handles refuse every use, and say so if one ever happens.
  const refused = (what: string) =>
    new Proxy({} as never, {
      get(_t, key) {
        if (key === 'then') return undefined;
        throw new Error(`building the API document used the database (${what}.${String(key)})`);
      },
    });
  const db: Db = {
    kind: 'pglite',
    write: refused('db.write'),
    read: refused('db.read'),
    fresh: refused('db.fresh'),
    replica: null,
    native: refused('db.native'),
    reactions: new EventReactions(),
    onCommit: () => () => {},
    onRetry: () => () => {},
    transact: async () => {
      throw new Error('building the API document used the database (db.transact)');
    },
    close: async () => {},
  };
  const ctx: AppContext = {
    env,
    db,
    log: pino({ level: 'silent' }),
    now: () => new Date(),
    tokens: new AccessTokens(randomBytes(32).toString('hex'), env.ACCESS_TOKEN_TTL_SECONDS),
    gateways: {} as PaymentGateways, // never called: no request is served
    storage: new LocalFileStorage(path.join(dataDir, 'files')),
    sms: new MemorySmsSender(),
    publicUrl: `http://${env.HOST}:${env.PORT}`,
    // Throwaway keys: no personal data is read or written while building the document.
    pii: new PiiKeyring([{ id: 'openapi', key: randomBytes(32) }], randomBytes(32)),
  };
  const app = await buildApp(ctx);
  try {
    await app.http.ready();
    const res = await app.http.inject({ method: 'GET', url: '/openapi.json' });
    if (res.statusCode !== 200) throw new Error(`/openapi.json answered ${res.statusCode}: ${res.body}`);
    return res.json() as Record<string, unknown>;
  } finally {
    await app.close();
    await db.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const doc = `${JSON.stringify(await buildOpenApiDocument(), null, 2)}\n`;
  const out = process.argv[2];
  if (out) fs.writeFileSync(out, doc);
  else process.stdout.write(doc);
}
