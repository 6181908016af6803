import { existsSync, readdirSync } from 'node:fs';
import type { TokenPair } from '@jiangxin/shared/api/accounts';
import type { OutboxItem, SyncStatus } from '@jiangxin/shared/bridge';
import { WORKSPACES } from '@jiangxin/shared/console/workspaces';
import type { CaseDetail, CaseSummary } from '@jiangxin/shared/ops/cases';
import { SUPPORT_TYPING } from '@jiangxin/shared/ops/stream';
import { io } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, signUp } from '../../core/src/test/client';
import { type StaffMember, signUpStaff } from '../../core/src/test/factories/staff';
import { backend, startTestApp, type TestApp } from '../../core/src/test/harness';
import { type NetworkLink, startLink } from '../../core/src/test/proxy';
import {
  consoleDigest,
  coreDigest,
  type EngineUnderTest,
  openCases,
  openEngine,
  removeDir,
  until,
} from './support';

/**
 * The console engine against a real core (PGlite, or PostgreSQL when TEST_DATABASE_URL is set): snapshot,
 * live stream, an outage of the core, an outage of the staff member's network, and the outbox.
 */
let t: TestApp;
let moderator: StaffMember;
let colleague: StaffMember;
const engines: EngineUnderTest[] = [];
const links: NetworkLink[] = [];

beforeAll(async () => {
  t = await startTestApp();
  moderator = await signUpStaff(t, ['moderator'], '审核小王');
  colleague = await signUpStaff(t, ['moderator'], '审核小刘');
});
afterAll(async () => {
  for (const e of engines) {
    await e.close();
    removeDir(e.dir);
  }
  for (const l of links) await l.close();
  await t?.close();
});

async function signedIn(coreUrl = t.url, who: StaffMember = moderator): Promise<EngineUnderTest> {
  const e = await openEngine(coreUrl);
  engines.push(e);
  const session = await e.call('auth.login', { login: who.username, password: 'correct-horse-1' });
  expect(session).toMatchObject({ userId: who.userId, roles: who.roles });
  return e;
}

/** Access tokens do not survive a restart of the test core (new signing secret): sign in again. */
async function signInAgain(who: StaffMember): Promise<StaffMember> {
  const res = await new ApiClient(t.url).post<TokenPair>('/auth/login', {
    login: who.username,
    password: 'correct-horse-1',
  });
  expect(res.status).toBe(200);
  return { ...who, api: new ApiClient(t.url).as(res.body.accessToken) };
}

const statuses = (e: EngineUnderTest) =>
  e.events.filter((x) => x.event === 'sync.status').map((x) => x.payload as SyncStatus);
const online = (e: EngineUnderTest) =>
  until('online', async () => (await e.call('sync.status')).state === 'online');
const outbox = async (e: EngineUnderTest) => (await e.call('outbox.list')).items as OutboxItem[];

describe('console engine against a real core', () => {
  it('pages a snapshot of thousands of cases with progress, then applies live changes in order', async () => {
    const opened = await openCases(t, 2_000, '海报设计');
    const e = await signedIn();
    await online(e);
    const all = await e.call('cases.list', { limit: 100_000 });
    expect(all.total).toBeGreaterThanOrEqual(2_000);
    expect(await consoleDigest(e)).toBe(await coreDigest(moderator.api));

    // The renderer was told how far the snapshot got, growing to complete.
    const progress = statuses(e).flatMap((s) => (s.snapshot ? [s.snapshot] : []));
    expect(progress.length).toBeGreaterThan(1);
    expect(progress.at(-1)!.done).toBe(progress.at(-1)!.total);
    expect(statuses(e).at(-1)).toMatchObject({ state: 'online', behindBy: 0 });

    // Live: a colleague claims a case and new cases open; the cache follows without a sync.
    const before = e.events.length;
    const claimed = await colleague.api.post<CaseSummary>(`/ops/cases/${opened[0]}/claim`, { version: 1 });
    expect(claimed.status).toBe(200);
    const fresh = await openCases(t, 30, '直播新工单');
    await until(
      'the new cases',
      async () => (await e.call('cases.list', { q: '直播新工单', limit: 100 })).total === 30,
    );
    const row = (await e.call('cases.list', { assignee: colleague.userId, limit: 10 })).items;
    expect(row.map((c) => c.id)).toEqual([opened[0]]);
    const changed = e.events
      .slice(before)
      .filter((x) => x.event === 'cases.changed')
      .flatMap((x) => (x.payload as { upserted: number[] }).upserted);
    expect(changed).toEqual(expect.arrayContaining([opened[0], ...fresh]));
    expect(await consoleDigest(e)).toBe(await coreDigest(moderator.api));
    // Search works on what was synced (Chinese substring, offline index).
    expect((await e.call('search.query', { q: '直播新', limit: 50 })).cases.length).toBe(30);
  });

  it('kill the core mid-stream, keep writing, restart it: the cache converges exactly', async () => {
    const e = await signedIn();
    await online(e);
    const ids = await openCases(t, 40, '重启前');
    // Changes keep committing while the core is down (another instance, a job): the database moves on.
    const writing = openCases(t, 200, '停机期间');
    await t.stop();
    await until('offline', () => statuses(e).at(-1)?.state === 'offline');
    await writing;
    // Reading goes on from the cache.
    expect((await e.call('cases.list', { q: '重启前', limit: 100 })).total).toBe(40);
    await t.restart();
    // A restarted core signs tokens with a new secret: the engine refreshes and resumes from its cursor.
    await online(e);
    moderator = await signInAgain(moderator);
    colleague = await signInAgain(colleague);
    await until(
      'convergence',
      async () => (await consoleDigest(e)) === (await coreDigest(moderator.api)),
      30_000,
    );
    expect((await e.call('cases.list', { q: '停机期间', limit: 1000 })).total).toBe(200);
    expect(ids).toHaveLength(40);
  });

  it('too far behind to replay (over 5,000 events missed): catches up through the sync route', async () => {
    const link = await startLink(t.url);
    links.push(link);
    const e = await signedIn(link.url);
    await online(e);
    await link.down();
    await until('offline', async () => (await e.call('sync.status')).state === 'offline');
    await openCases(t, 5_100, '积压工单');
    const mark = e.events.length;
    await link.up();
    await online(e);
    await until('convergence', async () => (await consoleDigest(e)) === (await coreDigest(moderator.api)));
    expect((await e.call('cases.list', { q: '积压工单', limit: 10 })).total).toBe(5_100);
    const after = statuses({ ...e, events: e.events.slice(mark) });
    expect(after.some((s) => s.state === 'syncing')).toBe(true);
    expect(after.at(-1)).toMatchObject({ state: 'online', behindBy: 0 });
  });

  it('offline actions are stored before the call returns, replayed once in order, refusals kept visible', async () => {
    const link = await startLink(t.url);
    links.push(link);
    const e = await signedIn(link.url);
    await online(e);
    const [a, b] = await openCases(t, 2, '离线操作');
    await until(
      'both cases',
      async () => (await e.call('cases.list', { q: '离线操作', limit: 10 })).total === 2,
    );

    await link.down();
    await until('offline', async () => (await e.call('sync.status')).state === 'offline');
    const claimA = await e.call('cases.claim', { caseId: a, version: 1 });
    expect(claimA).toMatchObject({ queued: true, outboxId: expect.any(Number) });
    // The person goes on with the case they claimed: same version as they saw it, chained on replay.
    const releaseA = await e.call('cases.release', { caseId: a, version: 1, note: '交给夜班' });
    expect(releaseA.queued).toBe(true);
    const claimB = await e.call('cases.claim', { caseId: b, version: 1 });
    expect(claimB.queued).toBe(true);
    expect((await outbox(e)).map((i) => [i.label.zh, i.state])).toEqual([
      [`认领工单 #${a}`, 'pending'],
      [`释放工单 #${a}`, 'pending'],
      [`认领工单 #${b}`, 'pending'],
    ]);

    // The console restarts while offline: the outbox is on disk.
    const reopened = await openEngine(link.url, { dir: e.dir, tokens: e.tokens });
    engines.push(reopened);
    await e.close();
    expect((await outbox(reopened)).map((i) => i.state)).toEqual(['pending', 'pending', 'pending']);

    // Meanwhile a colleague (whose network works) takes case B.
    expect((await colleague.api.post(`/ops/cases/${b}/claim`, { version: 1 })).status).toBe(200);

    await link.up();
    await until('the outbox settles', async () => {
      const items = await outbox(reopened);
      return items.length === 1 && items[0]!.state === 'failed';
    });
    const [failed] = await outbox(reopened);
    expect(failed).toMatchObject({ caseId: b, state: 'failed', problem: { status: 409 } });
    expect(failed!.problem!.message.zh).toMatch(/审核小刘|认领|处理/);
    expect(
      reopened.events.some(
        (x) => x.event === 'notify' && (x.payload as { kind: string }).kind === 'action_failed',
      ),
    ).toBe(true);

    // The core applied A's claim and then its release exactly once each, in that order.
    const detail = await moderator.api.get<CaseDetail>(`/ops/cases/${a}`);
    expect(detail.body.case).toMatchObject({ status: 'open', assigneeId: null, version: 3 });
    expect(detail.body.history.map((h) => h.action).filter((x) => x !== 'opened')).toEqual([
      'claimed',
      'released',
    ]);

    // The person dismisses the refusal; nothing else was dropped.
    await reopened.call('outbox.dismiss', { id: failed!.id });
    expect(await outbox(reopened)).toEqual([]);
  });

  // The core up, its database down (a TCP link the test cuts sits in front of PostgreSQL): PostgreSQL only.
  it.skipIf(backend !== 'postgres')(
    'the core’s database down: 服务暂不可用, an action is kept in the outbox (not failed) and sent once it is back',
    async () => {
      const pg = await startLink(process.env['TEST_DATABASE_URL']!);
      links.push(pg);
      const core = await startTestApp({ dbVia: (url) => pg.via(url) });
      try {
        const member = await signUpStaff(core, ['moderator'], '审核小周');
        const e = await signedIn(core.url, member);
        await online(e);
        const [a] = await openCases(core, 1, '数据库中断');
        await until(
          'the case',
          async () => (await e.call('cases.list', { q: '数据库中断', limit: 5 })).total === 1,
        );

        await pg.down();
        // The socket to the core is still up: the claim goes out, the core answers 503.
        const claim = await e.call('cases.claim', { caseId: a, version: 1 });
        expect(claim).toMatchObject({ queued: true, outboxId: expect.any(Number) });
        const unavailable = await until('unavailable', async () => {
          const s = await e.call('sync.status');
          return s.state === 'unavailable' ? s : null;
        });
        expect(unavailable?.problem).toEqual({
          zh: '服务暂不可用，请稍后再试',
          en: 'The service is temporarily unavailable; try again shortly',
        });
        // A call that needs the core now is refused with the core's words, not "cannot connect".
        const refused = await e.engine.dispatch('staff.directory', { kind: 'listing_review' });
        expect(refused).toMatchObject({
          ok: false,
          problem: { code: 'service_unavailable', status: 503, message: { zh: '服务暂不可用，请稍后再试' } },
        });
        // Reads go on from the cache; the action waits, pending rather than failed.
        expect((await e.call('cases.list', { q: '数据库中断', limit: 5 })).total).toBe(1);
        await new Promise((r) => setTimeout(r, 1500));
        expect((await outbox(e)).map((i) => [i.label.zh, i.state])).toEqual([[`认领工单 #${a}`, 'pending']]);
        expect(
          e.events.some(
            (x) => x.event === 'notify' && (x.payload as { kind: string }).kind === 'action_failed',
          ),
        ).toBe(false);

        await pg.up();
        await online(e);
        await until('the outbox is sent', async () => (await outbox(e)).length === 0);
        const detail = await member.api.get<CaseDetail>(`/ops/cases/${a}`);
        expect(detail.body.case).toMatchObject({ status: 'open', assigneeId: member.userId, version: 2 });
        expect(detail.body.history.filter((h) => h.action === 'claimed')).toHaveLength(1);
      } finally {
        await pg.up();
        await core.close();
      }
    },
  );

  it('notifies a case a colleague assigns to me, not the ones I already held at sign-in', async () => {
    const [held, handed] = await openCases(t, 2, '分配通知');
    const assign = (id: number) =>
      colleague.api.post(`/ops/cases/${id}/assign`, { version: 1, assigneeId: moderator.userId });
    expect((await assign(held!)).status).toBe(200);
    const e = await signedIn();
    await online(e);
    const notes = () =>
      e.events.filter((x) => x.event === 'notify').map((x) => x.payload as { kind: string; caseId: number });
    expect(notes()).toEqual([]);
    expect((await assign(handed!)).status).toBe(200);
    await until('the notification', () => notes().some((n) => n.caseId === handed));
    expect(notes()).toEqual([expect.objectContaining({ kind: 'case_assigned', caseId: handed })]);
    const counts = e.events.filter((x) => x.event === 'counts.changed').at(-1)?.payload as {
      assignedOpen: number;
    };
    // The header's count is what 我的待办 lists: its kinds, open and waiting, assigned to me.
    const myWork = WORKSPACES.find((w) => w.id === 'mine')!;
    const mine = await e.call('cases.list', {
      kinds: [...myWork.caseKinds!],
      assignee: 'me',
      statuses: ['open', 'waiting'],
      limit: 1000,
    });
    expect(counts.assignedOpen).toBe(mine.total);
    expect(mine.items.map((c) => c.id)).toEqual(expect.arrayContaining([held, handed]));
  });

  it('support chat: the customer’s messages arrive live, the reply reaches them, typing and presence flow', async () => {
    const agent = await signUpStaff(t, ['support'], '客服小陈');
    const e = await signedIn(t.url, agent);
    await online(e);
    const customer = await signUp(new ApiClient(t.url), { nickname: '顾客小美' });
    const opened = await customer.api.post<{ id: number }>('/support/conversations', {
      subject: '退款咨询',
      message: '你好，退款什么时候到账？',
    });
    expect([200, 201]).toContain(opened.status);
    const chatCase = () => e.call('cases.list', { kinds: ['support_chat'], q: '退款咨询', limit: 5 });
    const c = (await until('the chat case', async () => (await chatCase()).items[0]))!;

    const claimed = await e.call('cases.claim', { caseId: c.id, version: c.version });
    expect(claimed).toMatchObject({ queued: false, case: { assigneeId: agent.userId } });
    const history = await e.call('chat.messages', { caseId: c.id });
    expect(history.offline).toBe(false);
    expect(history.items.map((m) => m.content)).toContain('你好，退款什么时候到账？');

    // The customer writes: the engine fetches the message and tells the renderer, and, as the chat is
    // mine, raises a notification.
    const sent = await customer.api.post(`/support/conversations/${opened.body.id}/messages`, {
      content: '订单号 JX20261126000001',
    });
    expect([200, 201]).toContain(sent.status);
    await until('the live message', () =>
      e.events.some(
        (x) =>
          x.event === 'chat.message' &&
          (x.payload as { message: { content: string } }).message.content === '订单号 JX20261126000001',
      ),
    );
    expect(
      e.events.some((x) => x.event === 'notify' && (x.payload as { kind: string }).kind === 'chat_message'),
    ).toBe(true);
    await until('the unread count', () =>
      e.events.some(
        (x) => x.event === 'counts.changed' && (x.payload as { unreadChats: number }).unreadChats > 0,
      ),
    );

    // The reply goes through the bridge and reaches the customer.
    const current = (await chatCase()).items[0]!;
    const reply = await e.call('chat.send', {
      caseId: c.id,
      version: current.version,
      content: '您好，退款将在 3 个工作日内原路退回',
    });
    expect(reply.queued).toBe(false);
    const seen = await customer.api.get<{ items: { content: string }[] }>(
      `/support/conversations/${opened.body.id}/messages`,
    );
    expect(seen.body.items.map((m) => m.content)).toContain('您好，退款将在 3 个工作日内原路退回');
    // The conversation list's preview is that reply; the customer reading it is a live read receipt.
    const previews = await e.call('chat.previews', { caseIds: [c.id] });
    expect(previews.items).toEqual([
      {
        caseId: c.id,
        lastMessage: expect.objectContaining({ content: '您好，退款将在 3 个工作日内原路退回' }),
      },
    ]);
    const replyId = (seen.body.items as unknown as { id: number; content: string }[]).find(
      (m) => m.content === '您好，退款将在 3 个工作日内原路退回',
    )!.id;
    const read = await customer.api.post(`/support/conversations/${opened.body.id}/read`, {
      upToMessageId: replyId,
    });
    expect(read.status).toBe(200);
    await until('the read receipt', () =>
      e.events.some(
        (x) =>
          x.event === 'chat.read' &&
          (x.payload as { caseId: number; side: string; upToMessageId: number }).upToMessageId === replyId &&
          (x.payload as { side: string }).side === 'customer',
      ),
    );

    // A picture from the customer: the console gets its bytes through the engine (the page cannot
    // send the staff member's token itself).
    const png = Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), Buffer.from('截图')]);
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(png)], { type: 'image/png' }), '截图.png');
    const upload = await fetch(`${t.url}/api/v1/files`, {
      method: 'POST',
      headers: { authorization: `Bearer ${customer.tokens.accessToken}` },
      body: form,
    });
    expect(upload.status).toBe(201);
    const fileId = ((await upload.json()) as { id: number }).id;
    const content = await e.call('files.content', { fileId });
    expect(content).toEqual({
      contentType: 'image/png',
      sizeBytes: png.length,
      dataUrl: `data:image/png;base64,${png.toString('base64')}`,
    });
    const missing = await e.engine.dispatch('files.content', { fileId: 987_654_321 });
    expect(missing).toMatchObject({ ok: false, problem: { status: 404 } });

    // The customer types: the agent's console hears it.
    const customerSocket = io(t.url, {
      path: '/socket.io',
      transports: ['websocket'],
      auth: { token: customer.tokens.accessToken },
    });
    try {
      await new Promise<void>((resolve, reject) => {
        customerSocket.once('connect', () => resolve());
        customerSocket.once('connect_error', reject);
      });
      customerSocket.emit(SUPPORT_TYPING, { conversationId: opened.body.id });
      await until('typing', () =>
        e.events.some((x) => x.event === 'chat.typing' && (x.payload as { caseId: number }).caseId === c.id),
      );
    } finally {
      customerSocket.close();
    }

    // Presence: a colleague's console sees who has the case open.
    const colleagueAgent = await signUpStaff(t, ['support'], '客服小林');
    const other = await signedIn(t.url, colleagueAgent);
    await online(other);
    await e.call('presence.view', { caseId: c.id });
    await until('presence', () =>
      other.events.some(
        (x) =>
          x.event === 'presence' &&
          (x.payload as { caseId: number; viewers: { userId: number }[] }).viewers.some(
            (v) => v.userId === agent.userId,
          ),
      ),
    );
  });

  it('signing a support account out and a finance account in: no unread count of the last account, notifications in the chosen language', async () => {
    const agent = await signUpStaff(t, ['support'], '客服小周');
    const finance = await signUpStaff(t, ['finance'], '财务小吴');
    const e = await signedIn(t.url, agent);
    await online(e);
    await e.call('config.set', { locale: 'en' });
    const customer = await signUp(new ApiClient(t.url), { nickname: '顾客小杨' });
    const opened = await customer.api.post<{ id: number }>('/support/conversations', {
      subject: '发票问题',
      message: '发票开错了抬头',
    });
    expect([200, 201]).toContain(opened.status);
    const chat = await until(
      'the chat case',
      async () => (await e.call('cases.list', { kinds: ['support_chat'], q: '发票问题', limit: 5 })).items[0],
    );
    await e.call('cases.claim', { caseId: chat!.id, version: chat!.version });
    await customer.api.post(`/support/conversations/${opened.body.id}/messages`, { content: '麻烦尽快处理' });
    await until('the unread count', () =>
      e.events.some(
        (x) => x.event === 'counts.changed' && (x.payload as { unreadChats: number }).unreadChats > 0,
      ),
    );
    // The member chose English: what the engine says by itself is in English.
    const note = await until('the notification', () =>
      e.events.find((x) => x.event === 'notify' && (x.payload as { kind: string }).kind === 'chat_message'),
    );
    expect((note!.payload as { title: string }).title).toBe('New customer message');

    await e.call('auth.logout');
    const since = e.events.length;
    await e.call('auth.login', { login: finance.username, password: 'correct-horse-1' });
    await online(e);
    // Let any timer of the previous session fire, then read what the badge, title and tray were told.
    await new Promise((r) => setTimeout(r, 800));
    const counts = e.events
      .slice(since)
      .filter((x) => x.event === 'counts.changed')
      .map((x) => x.payload as { unreadChats: number });
    expect(counts.length).toBeGreaterThan(0);
    expect(counts.map((c) => c.unreadChats)).toEqual(counts.map(() => 0));
  });

  it('refuses malformed calls and calls before sign-in, naming the problem', async () => {
    const e = await openEngine(t.url);
    engines.push(e);
    const bad = await e.engine.dispatch('cases.claim', { caseId: 'x', version: 0 });
    expect(bad).toMatchObject({ ok: false, problem: { code: 'bad_call' } });
    const issues = (bad as unknown as { problem: { extra: { issues: { field: string }[] } } }).problem.extra
      .issues;
    expect(issues.map((i) => i.field).sort()).toEqual(['caseId', 'version']);
    // An action's fields are checked against its declaration before anything is queued or sent.
    const noNote = await e.engine.dispatch('cases.perform', {
      caseId: 1,
      version: 1,
      kind: 'report',
      action: 'dismiss',
      fields: { note: '' },
    });
    expect(noNote).toMatchObject({ ok: false, problem: { code: 'bad_call' } });
    expect(
      (noNote as unknown as { problem: { extra: { issues: { field: string }[] } } }).problem.extra.issues.map(
        (i) => i.field,
      ),
    ).toEqual(['fields.note']);
    const otherKind = await e.engine.dispatch('cases.perform', {
      caseId: 1,
      version: 1,
      kind: 'payout',
      action: 'dismiss',
      fields: {},
    });
    expect(otherKind).toMatchObject({ ok: false, problem: { code: 'bad_call' } });
    expect(await e.engine.dispatch('cases.launch', {})).toMatchObject({
      ok: false,
      problem: { code: 'bad_call' },
    });
    expect(await e.engine.dispatch('cases.list', {})).toMatchObject({
      ok: false,
      problem: { code: 'not_signed_in' },
    });
    const wrong = await e.engine.dispatch('auth.login', {
      login: moderator.username,
      password: 'wrong-password-1',
    });
    expect(wrong).toMatchObject({ ok: false, problem: { status: 401 } });
    expect((wrong as { problem: { message: { zh: string } } }).problem.message.zh).not.toBe('');
  });

  it('logout wipes the account’s cache file and outbox', async () => {
    const e = await signedIn();
    await online(e);
    const files = () => readdirSync(e.dir).filter((f) => f.startsWith('cases-') && f.endsWith('.sqlite'));
    expect(files()).toHaveLength(1);
    await e.call('auth.logout');
    expect(files()).toEqual([]);
    expect(await e.call('auth.session')).toBeNull();
    expect(existsSync(e.dir)).toBe(true);
  });
});
