import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { type BridgeReply, WEB_BRIDGE } from '@jiangxin/shared/bridge';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { ConsoleEngineHandle, EngineListener } from '../engine/api';
import { MemoryTokenStore, startConsoleEngine } from '../engine/index';
import { startWebHost, type WebHost } from './server';

const { protocol: BRIDGE_PROTOCOL, keyPrefix: KEY_PROTOCOL_PREFIX } = WEB_BRIDGE;

/**
 * The web host's guards against the real engine, started offline (its core URL points at a closed port):
 * who may open the bridge, what reaches the engine, and what the static server will hand out.
 */

let tmp: string;
let engine: ConsoleEngineHandle;
let host: WebHost;
/** Every call that reached the engine, and a way to make the engine "emit" an event. */
const dispatched: unknown[] = [];
let emit: EngineListener | null = null;

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'jx-web-host-'));
  // A file beside the renderer's folder that traversal must never reach.
  fs.writeFileSync(path.join(tmp, 'secret.txt'), 'not for the browser');
  const dist = path.join(tmp, 'dist');
  fs.mkdirSync(path.join(dist, 'assets'), { recursive: true });
  fs.writeFileSync(path.join(dist, 'index.html'), '<!doctype html><title>console</title>');
  fs.writeFileSync(path.join(dist, 'assets', 'app-1234.js'), 'console.log(1)');
  fs.writeFileSync(path.join(dist, 'assets', 'font.woff2'), Buffer.from([0x77, 0x4f, 0x46, 0x32]));

  const real = await startConsoleEngine({
    dataDir: path.join(tmp, 'engine'),
    defaultCoreUrl: 'http://127.0.0.1:9',
    tokenStore: new MemoryTokenStore(),
  });
  engine = {
    dispatch: (method, args) => {
      dispatched.push(method);
      return real.dispatch(method, args);
    },
    subscribe: (listener) => {
      emit = listener;
      return real.subscribe(listener);
    },
    close: () => real.close(),
  };
  host = await startWebHost({ engine, rendererDir: dist });
});

afterAll(async () => {
  await host?.close();
  await engine?.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

interface Page {
  ws: WebSocket;
  call(method: string, args: unknown): Promise<BridgeReply>;
  frames: unknown[];
}

type Attempt =
  | { kind: 'open'; page: Page }
  | { kind: 'http'; status: number }
  | { kind: 'closed'; code: number; reason: string };

/**
 * Opens the bridge the way a page would (key in the subprotocol list), reporting how it ended. `probe`
 * sends a call the instant the socket opens, to show that even that one never reaches the engine.
 */
function connect(
  opts: { key?: string | null; origin?: string | null; probe?: boolean } = {},
): Promise<Attempt> {
  const key = opts.key === undefined ? host.secret : opts.key;
  const origin = opts.origin === undefined ? host.origin : opts.origin;
  const protocols = [BRIDGE_PROTOCOL, ...(key === null ? [] : [`${KEY_PROTOCOL_PREFIX}${key}`])];
  const ws = new WebSocket(
    `ws://127.0.0.1:${host.port}/bridge`,
    protocols,
    origin === null ? {} : { origin },
  );
  const frames: unknown[] = [];
  let nextId = 1;
  const waiting = new Map<number, (reply: BridgeReply) => void>();
  ws.on('message', (data) => {
    const frame = JSON.parse(data.toString()) as { t: string; id?: number; reply?: BridgeReply };
    frames.push(frame);
    if (frame.t === 'reply' && typeof frame.id === 'number') waiting.get(frame.id)?.(frame.reply!);
  });
  const page: Page = {
    ws,
    frames,
    call: (method, args) =>
      new Promise((resolve) => {
        const id = nextId++;
        waiting.set(id, resolve);
        ws.send(JSON.stringify({ t: 'call', id, method, args }));
      }),
  };
  return new Promise((resolve) => {
    ws.on('unexpected-response', (_req, res) => {
      resolve({ kind: 'http', status: res.statusCode ?? 0 });
      res.resume();
      ws.terminate();
    });
    ws.on('close', (code, reason) => resolve({ kind: 'closed', code, reason: reason.toString() }));
    // A refused key is upgraded and closed at once: the socket is usable only after the host's `ready`.
    ws.on('open', () => {
      if (opts.probe) ws.send(JSON.stringify({ t: 'call', id: 0, method: 'config.get', args: {} }));
    });
    ws.on('message', (data) => {
      if (JSON.parse(data.toString()).t === 'ready') resolve({ kind: 'open', page });
    });
    ws.on('error', () => {});
  });
}

function rawGet(
  pathname: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    // node:http sends the path exactly as given (fetch would normalise the dot segments away).
    const req = http.request({ host: '127.0.0.1', port: host.port, path: pathname, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('bridge guards', () => {
  it('binds to 127.0.0.1 and hands out the key only in the URL fragment', () => {
    expect(host.origin).toBe(`http://127.0.0.1:${host.port}`);
    expect(host.url).toBe(`${host.origin}/#key=${host.secret}`);
    expect(host.secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('refuses a page without the key, or with a wrong one, before any call', async () => {
    const before = dispatched.length;
    // One character off (never equal to the key itself, whatever its last character is).
    const nearMiss = `${host.secret.slice(0, -1)}${host.secret.endsWith('A') ? 'B' : 'A'}`;
    for (const key of [null, 'wrong', nearMiss, '']) {
      const attempt = await connect({ key, probe: true });
      expect(attempt).toMatchObject({ kind: 'closed', code: 4401 });
    }
    expect(dispatched.length).toBe(before);
  });

  it('refuses the right key from a foreign origin, or from no origin at all, with 403', async () => {
    for (const origin of ['http://evil.example', `http://localhost:${host.port}`, 'null', null]) {
      expect(await connect({ origin })).toEqual({ kind: 'http', status: 403 });
    }
  });

  it('refuses a foreign Host header (DNS rebinding) and other paths', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${host.port}/other`, [BRIDGE_PROTOCOL], { origin: host.origin });
    const status = await new Promise<number>((resolve) => {
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.on('error', () => {});
    });
    expect(status).toBe(404);
    expect((await rawGet('/', { Host: `rebound.example:${host.port}` })).status).toBe(403);
  });

  it('answers a page with the key on its own origin', async () => {
    const attempt = await connect();
    if (attempt.kind !== 'open') throw new Error(`not open: ${JSON.stringify(attempt)}`);
    expect(attempt.page.ws.protocol).toBe(BRIDGE_PROTOCOL);
    expect(attempt.page.frames[0]).toEqual({ t: 'ready' });
    const reply = await attempt.page.call('config.get', {});
    expect(reply).toEqual({
      ok: true,
      result: { coreUrl: 'http://127.0.0.1:9', locale: 'zh-CN', theme: 'system' },
    });
    expect(await attempt.page.call('auth.session', {})).toEqual({ ok: true, result: null });
    attempt.page.ws.close();
  });

  it('answers a malformed call with bad_call and its field issues, without calling the engine', async () => {
    const attempt = await connect();
    if (attempt.kind !== 'open') throw new Error('not open');
    const before = dispatched.length;

    const claim = await attempt.page.call('cases.claim', { caseId: 'x' });
    expect(claim.ok).toBe(false);
    if (claim.ok) return;
    expect(claim.problem.code).toBe('bad_call');
    expect(claim.problem.message.zh).toContain('cases.claim');
    const issues = claim.problem.extra['issues'] as { field: string }[];
    expect(issues.map((i) => i.field).sort()).toEqual(['caseId', 'version']);

    const unknown = await attempt.page.call('cases.explode', {});
    expect(unknown).toMatchObject({ ok: false, problem: { code: 'bad_call', extra: { issues: [] } } });
    expect(dispatched.length).toBe(before);
    attempt.page.ws.close();
  });

  it('answers a frame that is not a call with bad_frame, and closes on invalid JSON', async () => {
    const attempt = await connect();
    if (attempt.kind !== 'open') throw new Error('not open');
    const { ws, frames } = attempt.page;
    ws.send(JSON.stringify({ t: 'hello', id: 7 }));
    await expect.poll(() => frames.length).toBe(2);
    expect(frames[1]).toMatchObject({
      t: 'reply',
      id: 7,
      reply: { ok: false, problem: { code: 'bad_frame' } },
    });

    const closed = new Promise<[number, string]>((resolve) =>
      ws.on('close', (code, reason) => resolve([code, reason.toString()])),
    );
    ws.send('{not json');
    expect(await closed).toEqual([1007, 'frame is not valid JSON']);
  });

  it('closes a socket that sends a frame over 1 MB', async () => {
    const attempt = await connect();
    if (attempt.kind !== 'open') throw new Error('not open');
    const closed = new Promise<number>((resolve) => attempt.page.ws.on('close', (code) => resolve(code)));
    attempt.page.ws.send(
      JSON.stringify({ t: 'call', id: 1, method: 'config.get', args: { pad: 'x'.repeat(1_100_000) } }),
    );
    expect(await closed).toBe(1009);
  });

  it('relays every engine event to every connected page', async () => {
    const [a, b] = await Promise.all([connect(), connect()]);
    if (a?.kind !== 'open' || b?.kind !== 'open') throw new Error('not open');
    emit?.('counts.changed', { assignedOpen: 2, unreadChats: 5 });
    const expected = { t: 'event', event: 'counts.changed', payload: { assignedOpen: 2, unreadChats: 5 } };
    await expect.poll(() => a.page.frames).toContainEqual(expected);
    await expect.poll(() => b.page.frames).toContainEqual(expected);
    a.page.ws.close();
    b.page.ws.close();
  });
});

describe('static files', () => {
  it('serves the shell with the security headers, and the shell for client routes', async () => {
    for (const pathname of ['/', '/queue/123', '/index.html']) {
      const res = await rawGet(pathname);
      expect(res.status).toBe(200);
      expect(res.body).toContain('<title>console</title>');
      expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(res.headers['cache-control']).toBe('no-store');
    }
    const res = await rawGet('/');
    const csp = res.headers['content-security-policy'];
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain(`connect-src 'self' ws://127.0.0.1:${host.port}`);
    expect(csp).toContain("object-src 'none'");
    expect(csp).toContain("base-uri 'none'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['referrer-policy']).toBe('no-referrer');
  });

  it('serves assets with their content types, and 404 for a missing one', async () => {
    const js = await rawGet('/assets/app-1234.js');
    expect(js.status).toBe(200);
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(js.headers['cache-control']).toContain('immutable');
    expect((await rawGet('/assets/font.woff2')).headers['content-type']).toBe('font/woff2');
    expect((await rawGet('/assets/missing-1.js')).status).toBe(404);
  });

  it('never serves anything outside the renderer folder', async () => {
    for (const pathname of [
      '/../secret.txt',
      '/assets/../../secret.txt',
      '/%2e%2e/secret.txt',
      '/%2E%2E%2Fsecret.txt',
      '/..%2fsecret.txt',
      '/assets/..%5c..%5csecret.txt',
      '/%00index.html',
      '/%zz',
    ]) {
      const res = await rawGet(pathname);
      expect(res.status, pathname).toBe(400);
      expect(res.body).not.toContain('not for the browser');
    }
  });

  it('answers only GET and HEAD', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port: host.port, path: '/', method: 'POST' }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(405);
  });
});
