import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type BridgeReply, WEB_BRIDGE } from '@jiangxin/shared/bridge';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { signUpStaff } from '../../core/src/test/factories/staff';
import { startTestApp, type TestApp } from '../../core/src/test/harness';
import { openCases, until } from '../test/support';
import { SESSION_COOKIE } from './server';
import { type ConsoleStack, startConsoleStack } from './stack';

const { protocol: BRIDGE_PROTOCOL, keyPrefix: KEY_PROTOCOL_PREFIX } = WEB_BRIDGE;

/**
 * Several staff on one web host: each browser (its session cookie) signs in as its own member, with its
 * own engine, cache and events, against a real core.
 */

let t: TestApp;
let tmp: string;
let stack: ConsoleStack;
const tabs: Tab[] = [];

beforeAll(async () => {
  t = await startTestApp();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'jx-web-sessions-'));
  const dist = path.join(tmp, 'dist');
  fs.mkdirSync(dist);
  fs.writeFileSync(path.join(dist, 'index.html'), '<!doctype html><title>console</title>');
  stack = await startConsoleStack({ coreUrl: t.url, dataDir: path.join(tmp, 'data'), rendererDir: dist });
});

afterAll(async () => {
  for (const tab of tabs) tab.ws.terminate();
  await stack?.close();
  await t?.close();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

interface Tab {
  ws: WebSocket;
  /** The session cookie the host set on this connection, if it set one. */
  cookie: string | null;
  setCookie: string | null;
  events: { event: string; payload: unknown }[];
  closed: Promise<number>;
  call<T = unknown>(method: string, args?: unknown): Promise<T>;
}

/** A page of one browser: `cookie` is what that browser profile holds for the host (none: a new one). */
async function openTab(cookie: string | null): Promise<Tab> {
  const ws = new WebSocket(
    `ws://127.0.0.1:${stack.host.port}/bridge`,
    [BRIDGE_PROTOCOL, `${KEY_PROTOCOL_PREFIX}${stack.host.secret}`],
    {
      origin: stack.host.origin,
      headers: cookie ? { Cookie: `${SESSION_COOKIE}=${cookie}` } : {},
    },
  );
  let setCookie: string | null = null;
  ws.on('upgrade', (res) => {
    const header = res.headers['set-cookie'];
    setCookie = header?.find((h) => h.startsWith(`${SESSION_COOKIE}=`)) ?? null;
  });
  const events: Tab['events'] = [];
  const waiting = new Map<number, (reply: BridgeReply) => void>();
  let ready!: () => void;
  const isReady = new Promise<void>((resolve) => {
    ready = resolve;
  });
  ws.on('message', (data) => {
    const frame = JSON.parse(data.toString());
    if (frame.t === 'ready') ready();
    if (frame.t === 'event') events.push({ event: frame.event, payload: frame.payload });
    if (frame.t === 'reply') waiting.get(frame.id)?.(frame.reply);
  });
  const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
  await isReady;
  let next = 1;
  const tab: Tab = {
    ws,
    setCookie,
    cookie: setCookie ? (setCookie as string).split(';')[0]!.slice(SESSION_COOKIE.length + 1) : cookie,
    events,
    closed,
    call: (method, args = {}) =>
      new Promise((resolve, reject) => {
        const id = next++;
        waiting.set(id, (reply) =>
          reply.ok ? resolve(reply.result as never) : reject(new Error(`${method}: ${reply.problem.code}`)),
        );
        ws.send(JSON.stringify({ t: 'call', id, method, args }));
      }),
  };
  tabs.push(tab);
  return tab;
}

type Session = { userId: number; username: string } | null;
type CaseList = { items: { id: number; version: number; assigneeId: number | null }[]; total: number };

describe('several staff on one web host', () => {
  it('two browsers sign in as two members, each with their own session, cases and events', async () => {
    const moderator = await signUpStaff(t, ['moderator'], '审核小王');
    const finance = await signUpStaff(t, ['finance'], '财务小李');
    const [caseId] = await openCases(t, 1, '两人同时在线');

    // Browser A (no cookie yet) and browser B (another profile, no cookie either).
    const a = await openTab(null);
    const b = await openTab(null);
    expect(a.setCookie).toMatch(/HttpOnly/);
    expect(a.setCookie).toMatch(/SameSite=Strict/);
    expect(a.cookie).toBeTruthy();
    expect(b.cookie).toBeTruthy();
    expect(b.cookie).not.toBe(a.cookie);

    await a.call('auth.login', { login: moderator.username, password: 'correct-horse-1' });
    await b.call('auth.login', { login: finance.username, password: 'correct-horse-1' });
    // Signing in B did not sign A out or turn A into finance.
    expect((await a.call<Session>('auth.session'))?.userId).toBe(moderator.userId);
    expect((await b.call<Session>('auth.session'))?.userId).toBe(finance.userId);

    await until(
      'moderator online',
      async () => (await a.call<{ state: string }>('sync.status')).state === 'online',
    );
    await until('moderator sees the case', async () =>
      (await a.call<CaseList>('cases.list', { limit: 100 })).items.some((c) => c.id === caseId),
    );
    const row = (await a.call<CaseList>('cases.list', { limit: 100 })).items.find((c) => c.id === caseId)!;
    await a.call('cases.claim', { caseId, version: row.version });
    await until('the claim reached the core', async () => {
      const mine = await a.call<CaseList>('cases.list', { assignee: moderator.userId, limit: 100 });
      return mine.items.some((c) => c.id === caseId);
    });

    // Finance's tab: its own member only, never the moderator's session, counts or case events.
    expect((await b.call<Session>('auth.session'))?.userId).toBe(finance.userId);
    const bSessions = b.events
      .filter((e) => e.event === 'session.changed')
      .map((e) => (e.payload as Session)?.userId);
    expect(bSessions).not.toContain(moderator.userId);
    expect(bSessions).toContain(finance.userId);
    expect(
      b.events.some(
        (e) => e.event === 'counts.changed' && (e.payload as { assignedOpen: number }).assignedOpen > 0,
      ),
    ).toBe(false);
    expect(
      b.events.some(
        (e) =>
          e.event === 'cases.changed' && (e.payload as { upserted: number[] }).upserted.includes(caseId!),
      ),
    ).toBe(false);
    expect(
      a.events.some(
        (e) => e.event === 'session.changed' && (e.payload as Session)?.userId === finance.userId,
      ),
    ).toBe(false);

    // A reload of A's tab (same cookie) is back in the moderator's session, without signing in.
    a.ws.close();
    const aAgain = await openTab(a.cookie);
    expect(aAgain.setCookie).toBeNull();
    expect((await aAgain.call<Session>('auth.session'))?.userId).toBe(moderator.userId);

    // A page without the cookie (or with a made-up one) gets a fresh, signed-out session: nobody else's.
    const stranger = await openTab(null);
    expect(await stranger.call<Session>('auth.session')).toBeNull();
    const forged = await openTab('not-a-real-session');
    expect(forged.cookie).not.toBe('not-a-real-session');
    expect(await forged.call<Session>('auth.session')).toBeNull();

    // Finance signs out: their pages are told to reconnect, the old cookie no longer names a session, and
    // the moderator stays signed in.
    await b.call('auth.logout');
    expect(await b.closed).toBe(4000);
    const bAfter = await openTab(b.cookie);
    expect(bAfter.cookie).not.toBe(b.cookie);
    expect(await bAfter.call<Session>('auth.session')).toBeNull();
    expect((await aAgain.call<Session>('auth.session'))?.userId).toBe(moderator.userId);
  }, 120_000);
});
