import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { BridgeReply } from '@jiangxin/shared/bridge';
import { describe, expect, it, vi } from 'vitest';
import {
  APP_ENTRY_URL,
  apiDocsUrl,
  type BridgeSender,
  contentSecurityPolicy,
  denyAllPermissions,
  FUSES,
  guardNavigation,
  handleBridgeCall,
  isAllowedExternalUrl,
  isTrustedSender,
  openExternalIfAllowed,
  resolveAppFile,
  webPreferences,
  windowOpenHandler,
  withContentSecurityPolicy,
} from './security';

// Only types come from 'electron' in security.ts: these tests run in plain Node, no Electron binary.

const CORE = 'http://127.0.0.1:3000';

function directives(csp: string): Map<string, string[]> {
  return new Map(
    csp.split(';').map((d) => {
      const [name, ...values] = d.trim().split(/\s+/);
      return [name!, values];
    }),
  );
}

describe('contentSecurityPolicy', () => {
  const csp = directives(contentSecurityPolicy(CORE));

  it('allows scripts from the app only: no inline script, no eval anywhere', () => {
    expect(csp.get('script-src')).toEqual(["'self'"]);
    expect(contentSecurityPolicy(CORE)).not.toContain("'unsafe-eval'");
    expect(csp.get('default-src')).toEqual(["'self'"]);
  });

  it("allows 'unsafe-inline' for styles only (antd CSS-in-JS)", () => {
    expect(csp.get('style-src')).toEqual(["'self'", "'unsafe-inline'"]);
    const inline = [...csp].filter(([, v]) => v.includes("'unsafe-inline'")).map(([k]) => k);
    expect(inline).toEqual(['style-src']);
  });

  it('connects to the app and exactly the core origin, over http and ws', () => {
    expect(csp.get('connect-src')).toEqual(["'self'", 'http://127.0.0.1:3000', 'ws://127.0.0.1:3000']);
    expect(directives(contentSecurityPolicy('https://ops.jiangxin.example/api')).get('connect-src')).toEqual([
      "'self'",
      'https://ops.jiangxin.example',
      'wss://ops.jiangxin.example',
    ]);
    expect(csp.get('img-src')).toEqual(["'self'", 'data:', 'blob:', 'http://127.0.0.1:3000']);
  });

  it('locks down objects, base, framing and forms', () => {
    expect(csp.get('object-src')).toEqual(["'none'"]);
    expect(csp.get('base-uri')).toEqual(["'none'"]);
    expect(csp.get('frame-ancestors')).toEqual(["'none'"]);
    expect(csp.get('form-action')).toEqual(["'none'"]);
    expect(csp.get('font-src')).toEqual(["'self'", 'data:']);
  });

  it('adds no core origin for a URL that is not http(s)', () => {
    const bad = directives(contentSecurityPolicy('javascript:alert(1)'));
    expect(bad.get('connect-src')).toEqual(["'self'"]);
    expect(bad.get('img-src')).toEqual(["'self'", 'data:', 'blob:']);
  });

  it('replaces any CSP header the server sent, whatever its case', () => {
    const headers = withContentSecurityPolicy(
      { 'content-security-policy': ['default-src *'], 'Content-Type': ['text/html'] },
      'default-src none',
    );
    expect(headers).toEqual({
      'Content-Type': ['text/html'],
      'Content-Security-Policy': ['default-src none'],
    });
  });
});

describe('webPreferences', () => {
  it('isolates and sandboxes the page, with no Node in it', () => {
    expect(webPreferences('/app/dist/preload.cjs')).toMatchObject({
      preload: '/app/dist/preload.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      spellcheck: false,
    });
  });
});

describe('isAllowedExternalUrl', () => {
  const SANDBOX = 'http://127.0.0.1:3100';
  it.each([
    'http://127.0.0.1:3000/docs',
    'http://127.0.0.1:3000/docs/static/index.html',
    'http://127.0.0.1:3100/sandbox/payments/T1',
    'https://jiangxin.example/help/claims',
    'https://help.jiangxin.example/',
  ])('allows %s', (url) => {
    expect(isAllowedExternalUrl(url, CORE, SANDBOX)).toBe(true);
  });

  it.each([
    ['javascript:', 'javascript:alert(1)'],
    ['file:', 'file:///etc/passwd'],
    ['a custom scheme', 'jiangxin://open'],
    ['http to a random host', 'http://example.com/docs'],
    ['http to a help page', 'http://jiangxin.example/help'],
    ['credentials in the URL', 'https://user:pass@jiangxin.example/'],
    ['a user name in the URL', 'https://user@jiangxin.example/'],
    ['a lookalike host', 'https://jiangxin.example.evil.com/'],
    ['a lookalike suffix', 'https://evil-jiangxin.example/'],
    ['a non-default port on a help host', 'https://jiangxin.example:8443/'],
    ['the core outside /docs', 'http://127.0.0.1:3000/ops/cases'],
    ['a path that only starts like /docs', 'http://127.0.0.1:3000/docsevil'],
    ['a dot-segment escape from /docs', 'http://127.0.0.1:3000/docs/%2e%2e/ops'],
    ['another port of the core host', 'http://127.0.0.1:3001/docs'],
    ['garbage', 'not a url'],
  ])('refuses %s', (_why, url) => {
    expect(isAllowedExternalUrl(url, CORE, SANDBOX)).toBe(false);
  });

  it('allows the sandbox only when one is configured', () => {
    expect(isAllowedExternalUrl('http://127.0.0.1:3100/', CORE)).toBe(false);
  });

  it('builds the API docs address from the core URL, with or without a trailing slash', () => {
    expect(apiDocsUrl('http://127.0.0.1:3000')?.href).toBe('http://127.0.0.1:3000/docs');
    expect(apiDocsUrl('http://127.0.0.1:3000/')?.href).toBe('http://127.0.0.1:3000/docs');
    expect(apiDocsUrl('https://ops.example.com/core')?.href).toBe('https://ops.example.com/core/docs');
    expect(apiDocsUrl('file:///etc')).toBeNull();
  });

  it('follows a core URL with a path prefix', () => {
    expect(isAllowedExternalUrl('https://ops.example.com/core/docs', 'https://ops.example.com/core')).toBe(
      true,
    );
    expect(isAllowedExternalUrl('https://ops.example.com/docs', 'https://ops.example.com/core')).toBe(false);
  });

  it('opens allowed links with the current core, refuses the rest without opening', async () => {
    const open = vi.fn(async () => {});
    const links = { coreUrl: async () => 'http://10.0.0.5:3000', sandboxUrl: null, open };
    expect(await openExternalIfAllowed('http://10.0.0.5:3000/docs', links)).toBe(true);
    expect(await openExternalIfAllowed('http://127.0.0.1:3000/docs', links)).toBe(false);
    expect(open).toHaveBeenCalledTimes(1);
    expect(open).toHaveBeenCalledWith('http://10.0.0.5:3000/docs');
  });
});

describe('navigation', () => {
  const navigate = (url: string) => {
    const event = { preventDefault: vi.fn() };
    guardNavigation(event, url);
    return event.preventDefault.mock.calls.length > 0;
  };

  it('stays on the app origin', () => {
    expect(navigate(APP_ENTRY_URL)).toBe(false);
    expect(navigate('app://console/cases/12')).toBe(false);
  });

  it.each([
    'https://jiangxin.example/',
    'http://127.0.0.1:3000/docs',
    'file:///etc/passwd',
    'app://other/index.html',
    'app://user@console/index.html',
    'javascript:alert(1)',
    'about:blank',
  ])('prevents navigating to %s', (url) => {
    expect(navigate(url)).toBe(true);
  });

  it('never opens a new window, and hands every URL to the external-link check', () => {
    const opened: string[] = [];
    const handler = windowOpenHandler((url) => opened.push(url));
    expect(handler({ url: 'https://jiangxin.example/help' })).toEqual({ action: 'deny' });
    expect(handler({ url: 'javascript:alert(1)' })).toEqual({ action: 'deny' });
    expect(handler({ url: APP_ENTRY_URL })).toEqual({ action: 'deny' });
    expect(opened).toEqual(['https://jiangxin.example/help', 'javascript:alert(1)', APP_ENTRY_URL]);
  });
});

describe('resolveAppFile', () => {
  const root = path.resolve('/srv/renderer/dist');
  it('serves files of the renderer folder, and index.html for client routes', () => {
    expect(resolveAppFile(root, 'app://console/')).toBe(path.join(root, 'index.html'));
    expect(resolveAppFile(root, 'app://console/cases/12')).toBe(path.join(root, 'index.html'));
    expect(resolveAppFile(root, 'app://console/assets/index-abc.js')).toBe(
      path.join(root, 'assets/index-abc.js'),
    );
    expect(resolveAppFile(root, 'app://console/assets/%E5%8C%A0.png')).toBe(path.join(root, 'assets/匠.png'));
  });

  it.each([
    'app://console/..%2f..%2fetc%2fpasswd',
    'app://console/%2e%2e%2f%2e%2e%2fetc/passwd.txt',
    'app://console/assets/..%5c..%5csecret.txt',
    'app://console/a%00.js',
    'app://console/%E0%A4%A',
    'app://elsewhere/index.html',
    'https://console/index.html',
  ])('refuses %s', (url) => {
    expect(resolveAppFile(root, url)).toBeNull();
  });
});

describe('permissions', () => {
  it('denies every permission request, check and device', () => {
    const handlers: Record<string, (...args: any[]) => unknown> = {};
    denyAllPermissions({
      setPermissionRequestHandler: (h: any) => {
        handlers['request'] = h;
      },
      setPermissionCheckHandler: (h: any) => {
        handlers['check'] = h;
      },
      setDevicePermissionHandler: (h: any) => {
        handlers['device'] = h;
      },
    });
    for (const permission of ['notifications', 'media', 'geolocation', 'clipboard-read', 'openExternal']) {
      const callback = vi.fn();
      handlers['request']!({}, permission, callback, {});
      expect(callback).toHaveBeenCalledWith(false);
      expect(handlers['check']!({}, permission, 'app://console', {})).toBe(false);
    }
    expect(handlers['device']!({ deviceType: 'usb' })).toBe(false);
  });
});

describe('IPC sender check', () => {
  const WINDOW = 7;
  const mainFrame = { url: 'app://console/index.html', parent: null };
  const sender = (over: Partial<{ id: number; frame: BridgeSender['senderFrame'] }> = {}): BridgeSender => ({
    sender: { id: over.id ?? WINDOW },
    senderFrame: over.frame === undefined ? mainFrame : over.frame,
  });

  it("trusts our window's main frame on an app page", () => {
    expect(isTrustedSender(sender(), WINDOW)).toBe(true);
  });

  it.each([
    ['another webContents', sender({ id: 8 })],
    ['a subframe', sender({ frame: { url: 'app://console/index.html', parent: mainFrame } })],
    ['a foreign page in our window', sender({ frame: { url: 'https://evil.example/', parent: null } })],
    ['a file: page', sender({ frame: { url: 'file:///tmp/x.html', parent: null } })],
    ['a frame that is gone', sender({ frame: null })],
  ])('refuses %s', (_why, event) => {
    expect(isTrustedSender(event, WINDOW)).toBe(false);
  });

  it('refuses everything while no window is open', () => {
    expect(isTrustedSender(sender(), null)).toBe(false);
  });
});

describe('handleBridgeCall', () => {
  // A stand-in recording what reaches the engine: the test is about the guard in front of it.
  const recordingEngine = () => {
    const calls: { method: unknown; args: unknown }[] = [];
    return {
      calls,
      dispatch: async (method: unknown, args: unknown): Promise<BridgeReply> => {
        calls.push({ method, args });
        return { ok: true, result: { coreUrl: CORE, locale: 'zh-CN' } };
      },
    };
  };
  const trusted: BridgeSender = { sender: { id: 1 }, senderFrame: { url: APP_ENTRY_URL, parent: null } };

  it('passes a good call from our window to the engine', async () => {
    const engine = recordingEngine();
    const reply = await handleBridgeCall(engine, trusted, { method: 'config.get', args: {} }, 1);
    expect(reply).toEqual({ ok: true, result: { coreUrl: CORE, locale: 'zh-CN' } });
    expect(engine.calls).toEqual([{ method: 'config.get', args: {} }]);
  });

  it('refuses a foreign sender without calling the engine', async () => {
    const engine = recordingEngine();
    const foreign: BridgeSender = { sender: { id: 2 }, senderFrame: { url: APP_ENTRY_URL, parent: null } };
    const reply = await handleBridgeCall(engine, foreign, { method: 'config.get', args: {} }, 1);
    expect(reply).toMatchObject({ ok: false, problem: { code: 'forbidden_sender', status: null } });
    expect(engine.calls).toEqual([]);
  });

  it.each([
    ['an unknown method', { method: 'fs.readFile', args: { path: '/etc/passwd' } }],
    ['bad arguments', { method: 'cases.claim', args: { caseId: 'one', version: 0 } }],
    ['extra arguments on a strict method', { method: 'auth.logout', args: { everything: true } }],
    ['no payload', undefined],
    ['a string payload', 'config.get'],
  ])('refuses %s without calling the engine', async (_why, payload) => {
    const engine = recordingEngine();
    const reply = await handleBridgeCall(engine, trusted, payload, 1);
    expect(reply.ok).toBe(false);
    if (reply.ok) return;
    expect(reply.problem.code).toBe('bad_call');
    expect(reply.problem.message.zh).toMatch(/调用格式不正确/);
    expect(Array.isArray(reply.problem.extra['issues'])).toBe(true);
    expect(engine.calls).toEqual([]);
  });

  it('names the fields that failed', async () => {
    const reply = await handleBridgeCall(
      recordingEngine(),
      trusted,
      { method: 'cases.claim', args: { caseId: 3 } },
      1,
    );
    expect(reply.ok ? [] : reply.problem.extra['issues']).toEqual([
      expect.objectContaining({ field: 'version' }),
    ]);
  });
});

describe('electron-builder.yml', () => {
  const yml = readFileSync(path.join(import.meta.dirname, '../electron-builder.yml'), 'utf8');

  /** The `electronFuses:` block, read with a regex (no YAML dependency). */
  function yamlFuses(): Record<string, unknown> {
    const block = /^electronFuses:\n((?:[ \t]+.*\n?)+)/m.exec(yml);
    if (!block) throw new Error('electron-builder.yml has no electronFuses block');
    return Object.fromEntries(
      block[1]!
        .split('\n')
        .map((line) => line.replace(/#.*/, '').trim())
        .filter(Boolean)
        .map((line) => {
          const [key, value] = line.split(/:\s*/);
          return [key, value === 'true' ? true : value === 'false' ? false : value];
        }),
    );
  }

  it('flips exactly the fuses of security.ts', () => {
    expect(yamlFuses()).toEqual(FUSES);
  });

  it('packages the installed Electron version', () => {
    const pkg = createRequire(import.meta.url).resolve('electron/package.json');
    expect(/^electronVersion:\s*(\S+)/m.exec(yml)?.[1]).toBe(JSON.parse(readFileSync(pkg, 'utf8')).version);
  });

  it('keeps the hardening choices', () => {
    expect(FUSES).toMatchObject({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      onlyLoadAppFromAsar: true,
      enableEmbeddedAsarIntegrityValidation: true,
      grantFileProtocolExtraPrivileges: false,
      enableCookieEncryption: true,
    });
  });
});
