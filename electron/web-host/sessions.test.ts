import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type BridgeProblem, type BridgeReply, WEB_BRIDGE } from '@jiangxin/shared/bridge';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { signUpStaff } from '../../core/src/test/factories/staff';
import { startTestApp, type TestApp } from '../../core/src/test/harness';
import { type NetworkLink, startLink } from '../../core/src/test/proxy';
import { openCases, until } from '../test/support';
import { SESSION_COOKIE } from './server';
import { type ConsoleStack, type ConsoleStackOptions, startConsoleStack } from './stack';

const { protocol: BRIDGE_PROTOCOL, keyPrefix: KEY_PROTOCOL_PREFIX } = WEB_BRIDGE;
const PASSWORD = 'correct-horse-1';

/**
 * Several staff on one web host: each browser (its session cookie) signs in as its own member, with its
 * own engine, cache and events, against a real core. A `Browser` here keeps a cookie jar the way a browser
 * profile does (Set-Cookie on the bridge's 101, deletions included).
 */

let t: TestApp;
let tmp: string;
const stacks: ConsoleStack[] = [];
const links: NetworkLink[] = [];
const tabs: Tab[] = [];

beforeAll(async () => {
  t = await startTestApp();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'jx-web-sessions-'));
  fs.mkdirSync(path.join(tmp, 'dist'));
  fs.writeFileSync(path.join(tmp, 'dist', 'index.html'), '<!doctype html><title>console</title>');
});

afterAll(async () => {
  for (const tab of tabs) tab.ws.terminate();
  for (const stack of stacks) await stack.close();
  for (const link of links) await link.close();
  await t?.close();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

async function stackOn(
  name: string,
  extra: Partial<ConsoleStackOptions> & { coreUrl?: string } = {},
): Promise<ConsoleStack> {
  const stack = await startConsoleStack({
    coreUrl: t.url,
    dataDir: path.join(tmp, name),
    rendererDir: path.join(tmp, 'dist'),
    ...extra,
  });
  stacks.push(stack);
  return stack;
}

interface Tab {
  ws: WebSocket;
  /** The Set-Cookie lines of this page's 101. */
  setCookies: string[];
  events: { event: string; payload: unknown }[];
  closed: Promise<number>;
  call<T = unknown>(method: string, args?: unknown): Promise<T>;
  reply(method: string, args?: unknown): Promise<BridgeReply>;
}

/** One browser profile: its cookie jar for the host, and the pages it opens. */
class Browser {
  readonly jar = new Map<string, string>();
  constructor(private readonly stack: ConsoleStack) {}

  get session(): string | undefined {
    return this.jar.get(SESSION_COOKIE);
  }

  async open(): Promise<Tab> {
    const cookie = [...this.jar].map(([k, v]) => `${k}=${v}`).join('; ');
    const ws = new WebSocket(
      `ws://127.0.0.1:${this.stack.host.port}/bridge`,
      [BRIDGE_PROTOCOL, `${KEY_PROTOCOL_PREFIX}${this.stack.host.secret}`],
      { origin: this.stack.host.origin, headers: cookie ? { Cookie: cookie } : {} },
    );
    const setCookies: string[] = [];
    ws.on('upgrade', (res) => {
      for (const line of res.headers['set-cookie'] ?? []) {
        setCookies.push(line);
        const [pair] = line.split(';');
        const [name, ...rest] = pair!.split('=');
        if (/Max-Age=0/i.test(line)) this.jar.delete(name!);
        else this.jar.set(name!, rest.join('='));
      }
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
    const reply = (method: string, args: unknown = {}) =>
      new Promise<BridgeReply>((resolve) => {
        const id = next++;
        waiting.set(id, resolve);
        ws.send(JSON.stringify({ t: 'call', id, method, args }));
      });
    const tab: Tab = {
      ws,
      setCookies,
      events,
      closed,
      reply,
      call: async (method, args = {}) => {
        const r = await reply(method, args);
        if (!r.ok) throw new Error(`${method}: ${r.problem.code}`);
        return r.result as never;
      },
    };
    tabs.push(tab);
    return tab;
  }

  /** Signs in on a new page; the host then closes it (new cookie) and the page comes back signed in. */
  async signIn(login: string): Promise<Tab> {
    const page = await this.open();
    await page.call('auth.login', { login, password: PASSWORD });
    expect(await page.closed).toBe(4000);
    return this.open();
  }
}

type Session = { userId: number; username: string } | null;
type CaseList = { items: { id: number; version: number; assigneeId: number | null }[]; total: number };
type Outbox = { items: { caseId: number | null; label: { zh: string } }[] };

describe('several staff on one web host', () => {
  it('two browsers sign in as two members, each with their own session, cases and events', async () => {
    const stack = await stackOn('two');
    const moderator = await signUpStaff(t, ['moderator'], '审核小王');
    const finance = await signUpStaff(t, ['finance'], '财务小李');
    const [caseId] = await openCases(t, 1, '两人同时在线');

    // Browser A and browser B (another profile): no cookie yet.
    const browserA = new Browser(stack);
    const browserB = new Browser(stack);
    const first = await browserA.open();
    await browserB.open();
    expect(first.setCookies.find((c) => c.startsWith(`${SESSION_COOKIE}=`))).toMatch(
      /HttpOnly; SameSite=Strict/,
    );
    expect(browserA.session).toBeTruthy();
    expect(browserB.session).toBeTruthy();
    expect(browserB.session).not.toBe(browserA.session);

    const a = await browserA.signIn(moderator.username);
    const b = await browserB.signIn(finance.username);
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
    const aAgain = await browserA.open();
    expect(aAgain.setCookies.some((c) => c.startsWith(`${SESSION_COOKIE}=`))).toBe(false);
    expect((await aAgain.call<Session>('auth.session'))?.userId).toBe(moderator.userId);

    // A page without the cookie (or with a made-up one) gets a fresh, signed-out session: nobody else's.
    const stranger = await new Browser(stack).open();
    expect(await stranger.call<Session>('auth.session')).toBeNull();
    const forger = new Browser(stack);
    forger.jar.set(SESSION_COOKIE, 'not-a-real-session');
    const forged = await forger.open();
    expect(forger.session).not.toBe('not-a-real-session');
    expect(await forged.call<Session>('auth.session')).toBeNull();

    // Finance signs out: their pages are told to reconnect, the old cookie no longer names a session, and
    // the moderator stays signed in.
    const financeCookie = browserB.session;
    await b.call('auth.logout');
    expect(await b.closed).toBe(4000);
    const bAfter = await browserB.open();
    expect(browserB.session).not.toBe(financeCookie);
    expect(await bAfter.call<Session>('auth.session')).toBeNull();
    expect((await aAgain.call<Session>('auth.session'))?.userId).toBe(moderator.userId);
  }, 120_000);

  it('signing in rotates the session cookie: whoever knew the one from before the sign-in is left outside', async () => {
    const stack = await stackOn('rotate');
    const member = await signUpStaff(t, ['moderator'], '审核小周');
    const victim = new Browser(stack);
    const page = await victim.open();
    const before = victim.session!;
    // Someone who learnt (or planted) that cookie opens a page of the same, not yet signed-in session.
    const attacker = new Browser(stack);
    attacker.jar.set(SESSION_COOKIE, before);
    const lurking = await attacker.open();

    await page.call('auth.login', { login: member.username, password: PASSWORD });
    // Every page of the session is sent away to pick up the new cookie, the lurking one too.
    expect(await page.closed).toBe(4000);
    expect(await lurking.closed).toBe(4000);
    const back = await victim.open();
    expect(victim.session).toBeTruthy();
    expect(victim.session).not.toBe(before);
    expect((await back.call<Session>('auth.session'))?.userId).toBe(member.userId);

    // The old cookie names nothing now: a fresh, signed-out session, never the member's.
    attacker.jar.set(SESSION_COOKIE, before);
    const retry = await attacker.open();
    expect(await retry.call<Session>('auth.session')).toBeNull();
    expect(attacker.session).not.toBe(before);
    expect(attacker.session).not.toBe(victim.session);
    expect((await back.call<Session>('auth.session'))?.userId).toBe(member.userId);
  }, 60_000);

  it('a full host says so in both languages; a session left without a page expires and its engine is closed', async () => {
    const stack = await stackOn('limits', { limits: { maxSessions: 2, idleMs: 1500 } });
    const member = await signUpStaff(t, ['moderator'], '审核小孙');
    const one = new Browser(stack);
    const signedIn = await one.signIn(member.username);
    const oneCookie = one.session;
    await new Browser(stack).open();

    const third = new Browser(stack);
    const refused = await third.open();
    expect(third.session).toBeUndefined();
    const full = await refused.reply('auth.login', { login: member.username, password: PASSWORD });
    expect(full.ok).toBe(false);
    const problem = (full as { problem: BridgeProblem }).problem;
    expect(problem).toMatchObject({ code: 'host_full', status: 503 });
    expect(problem.message.zh).toMatch(/控制台服务器已满.*2/);
    expect(problem.message.en).toMatch(/console server is full.*2/);
    refused.ws.close();

    // The signed-in member closes their last tab: after idleMs the session and its engine are gone.
    expect(await stack.engineOf(member.username)).not.toBeNull();
    signedIn.ws.close();
    await until(
      'the idle session expired',
      async () => (await stack.engineOf(member.username)) === null,
      10_000,
    );
    // Its place is free again, and its cookie names nothing.
    const admitted = await third.open();
    expect(await admitted.call<Session>('auth.session')).toBeNull();
    expect(third.session).toBeTruthy();
    admitted.ws.close();
    await until(
      'the signed-out session expired',
      async () => {
        const page = await one.open();
        const r = await page.reply('auth.session');
        page.ws.close();
        return r.ok && r.result === null && one.session !== oneCookie;
      },
      10_000,
    );
  }, 60_000);

  it('queued actions belong to their member: after a restart of the host, each finds their own and never another’s', async () => {
    const link = await startLink(t.url);
    links.push(link);
    const mine = await signUpStaff(t, ['moderator'], '审核小吴');
    const other = await signUpStaff(t, ['moderator'], '审核小郑');
    const [caseId] = await openCases(t, 1, '重启后的待发操作');
    const first = await stackOn('outbox', { coreUrl: link.url });
    const a = await new Browser(first).signIn(mine.username);
    const b = await new Browser(first).signIn(other.username);
    for (const tab of [a, b])
      await until('the case is cached', async () =>
        (await tab.call<CaseList>('cases.list', { limit: 100 })).items.some((c) => c.id === caseId),
      );

    // The core goes away; A claims the case, which waits in A's outbox.
    await link.down();
    await until('offline', async () => (await a.call<{ state: string }>('sync.status')).state === 'offline');
    expect(await a.call('cases.claim', { caseId, version: 1 })).toMatchObject({ queued: true });
    expect((await b.call<Outbox>('outbox.list')).items).toEqual([]);

    // The web host restarts (same data folder) and the core comes back.
    await first.close();
    stacks.splice(stacks.indexOf(first), 1);
    const second = await stackOn('outbox', { coreUrl: link.url });
    await link.up();

    // B signs in first: nothing of A's queue, neither listed nor announced.
    const b2 = await new Browser(second).signIn(other.username);
    expect((await b2.call<Outbox>('outbox.list')).items).toEqual([]);
    // A signs in again: A's queued claim is found in A's own folder and delivered as A.
    const a2 = await new Browser(second).signIn(mine.username);
    await until('the queued claim reached the core', async () => {
      const detail = await mine.api.get<{ case: { assigneeId: number | null } }>(`/ops/cases/${caseId}`);
      return detail.body.case.assigneeId === mine.userId;
    });
    await until('A’s outbox is empty', async () => (await a2.call<Outbox>('outbox.list')).items.length === 0);
    for (const e of b2.events.filter((x) => x.event === 'outbox.changed'))
      expect((e.payload as Outbox).items).toEqual([]);
    expect((await b2.call<Session>('auth.session'))?.userId).toBe(other.userId);
  }, 120_000);
});
