import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createAppProtocolHandler } from './app-protocol';

describe('the app:// handler', () => {
  const base = mkdtempSync(path.join(tmpdir(), 'jx-app-protocol-'));
  const dist = path.join(base, 'renderer', 'dist');
  mkdirSync(path.join(dist, 'assets'), { recursive: true });
  writeFileSync(path.join(dist, 'index.html'), '<!doctype html><title>匠心运营台</title>');
  writeFileSync(path.join(dist, 'assets', 'app.js'), 'console.log(1)');
  // A file beside the renderer folder that a traversal would try to reach.
  writeFileSync(path.join(base, 'renderer', 'secret.txt'), 'token');
  afterAll(() => rmSync(base, { recursive: true, force: true }));

  const handler = createAppProtocolHandler({
    rendererDir: dist,
    contentSecurityPolicy: async () => "default-src 'self'",
  });
  const get = (url: string, method = 'GET') => handler(new Request(url, { method }));

  it('serves the page with its CSP and type', async () => {
    const res = await get('app://console/index.html');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('content-security-policy')).toBe("default-src 'self'");
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await res.text()).toContain('匠心运营台');
  });

  it('serves assets, and the page for client-side routes', async () => {
    const js = await get('app://console/assets/app.js');
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(await js.text()).toBe('console.log(1)');
    expect(await (await get('app://console/cases/42')).text()).toContain('<title>');
  });

  it('answers 404 for missing files and anything outside the renderer folder', async () => {
    expect((await get('app://console/assets/missing.js')).status).toBe(404);
    const traversal = await get('app://console/..%2fsecret.txt');
    expect(traversal.status).toBe(404);
    expect(await traversal.text()).not.toContain('token');
  });

  it('only reads', async () => {
    expect((await get('app://console/index.html', 'POST')).status).toBe(405);
    const head = await get('app://console/index.html', 'HEAD');
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
  });
});
