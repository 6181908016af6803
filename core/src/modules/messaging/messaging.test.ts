import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, signUp } from '../../test/client';
import { eventually } from '../../test/flows';
import { startTestApp, type TestApp } from '../../test/harness';
import { connectEvents, insertOrder } from './test-fixtures';

let t: TestApp;
let api: ApiClient;

beforeAll(async () => {
  t = await startTestApp();
  api = new ApiClient(t.url);
});
afterAll(() => t?.close());

type User = Awaited<ReturnType<typeof signUp>>;

async function pair(): Promise<[User, User]> {
  return [await signUp(api, { userType: 'client' }), await signUp(api, { userType: 'freelancer' })];
}

async function open(from: User, to: User, extra: Record<string, unknown> = {}) {
  return from.api.post('/conversations', { participantId: to.userId, ...extra });
}

async function say(from: User, conversationId: number, content: string) {
  const res = await from.api.post(`/conversations/${conversationId}/messages`, { type: 'text', content });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as { id: number };
}

async function uploadAs(user: User, bytes: Buffer, filename: string, type: string): Promise<number> {
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(bytes)], { type }), filename);
  const res = await fetch(`${t.url}/api/v1/files`, {
    method: 'POST',
    headers: { authorization: `Bearer ${user.api.token}` },
    body: form,
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { id: number }).id;
}

async function count(table: 'messages' | 'events' | 'conversations'): Promise<number> {
  const row = await t.db.write
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

async function unreadIn(user: User, conversationId: number): Promise<number> {
  const res = await user.api.get('/conversations?limit=100');
  expect(res.status).toBe(200);
  const c = res.body.items.find((i: { id: number }) => i.id === conversationId);
  return c.unreadCount;
}

describe('conversations', () => {
  it('gets or creates one conversation per pair, and one per order', async () => {
    const [client, freelancer] = await pair();
    const first = await open(client, freelancer);
    expect(first.status).toBe(201);
    expect(first.body.participants.map((p: { id: number }) => p.id).sort()).toEqual(
      [client.userId, freelancer.userId].sort(),
    );
    const again = await open(client, freelancer);
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(first.body.id);
    const reverse = await open(freelancer, client);
    expect(reverse.status).toBe(200);
    expect(reverse.body.id).toBe(first.body.id);

    const concurrent = await Promise.all([open(client, freelancer), open(freelancer, client)]);
    expect(concurrent.map((r) => r.body.id)).toEqual([first.body.id, first.body.id]);

    const { orderId, serviceId } = await insertOrder(t, {
      clientId: client.userId,
      freelancerId: freelancer.userId,
    });
    const forOrder = await open(client, freelancer, { orderId });
    expect(forOrder.status).toBe(201);
    expect(forOrder.body).toMatchObject({ orderId, serviceId });
    expect(forOrder.body.id).not.toBe(first.body.id);
    const orderAgain = await open(freelancer, client, { orderId });
    expect(orderAgain.body.id).toBe(forOrder.body.id);

    // Only the order's two parties.
    const outsider = await signUp(api);
    expect((await open(outsider, client, { orderId })).status).toBe(404);
    const wrongParty = await open(client, outsider, { orderId });
    expect(wrongParty.status).toBe(400);
    expect(wrongParty.body.errors[0].field).toBe('body.participantId');
  });

  it('refuses talking to yourself, to nobody and to a banned user', async () => {
    const [client, freelancer] = await pair();
    const before = await count('conversations');
    const self = await open(client, client);
    expect(self.status).toBe(400);
    expect(self.body.errors[0].field).toBe('body.participantId');
    expect((await client.api.post('/conversations', { participantId: 99_999_999 })).status).toBe(404);
    await t.db.transact((tx) =>
      tx.updateTable('users').set({ status: 'banned' }).where('id', '=', freelancer.userId).execute(),
    );
    const banned = await open(client, freelancer, { message: '在吗？' });
    expect(banned.status).toBe(403);
    expect(banned.body.code).toBe('recipient_unavailable');
    expect(await count('conversations')).toBe(before);
  });

  it('opens with a first message, counts unread per side, and reads move forward only', async () => {
    const [client, freelancer] = await pair();
    const opened = await open(client, freelancer, { message: '您好，想咨询一下标志设计' });
    expect(opened.status).toBe(201);
    const cid = opened.body.id as number;
    expect(opened.body.lastMessage).toMatchObject({
      senderId: client.userId,
      content: '您好，想咨询一下标志设计',
    });
    expect(opened.body.unreadCount).toBe(0);

    expect(await unreadIn(freelancer, cid)).toBe(1);
    expect(await unreadIn(client, cid)).toBe(0);

    await say(freelancer, cid, '您好');
    await say(freelancer, cid, '请发一下需求');
    // Replying moves the sender's own pointer: what came before their reply counts as read.
    expect(await unreadIn(freelancer, cid)).toBe(0);
    expect(await unreadIn(client, cid)).toBe(2);

    const c2 = await say(client, cid, '预算 500 元');
    const c3 = await say(client, cid, '三天内可以吗？');
    expect(await unreadIn(freelancer, cid)).toBe(2);
    expect(await unreadIn(client, cid)).toBe(0);

    const read = await freelancer.api.post(`/conversations/${cid}/read`, { upToMessageId: c2.id });
    expect(read.status).toBe(200);
    expect(read.body).toEqual({ conversationId: cid, lastReadMessageId: c2.id, unreadCount: 1 });
    expect(await unreadIn(freelancer, cid)).toBe(1);
    expect(await unreadIn(client, cid)).toBe(0);

    // Going back does not move the pointer, and emits nothing.
    const readEvents = async () =>
      Number(
        (
          await t.db.write
            .selectFrom('events')
            .where('type', '=', 'conversation.read')
            .where('aggregate_id', '=', cid)
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    expect(await readEvents()).toBe(1);
    const back = await freelancer.api.post(`/conversations/${cid}/read`, {
      upToMessageId: opened.body.lastMessage.id,
    });
    expect(back.status).toBe(200);
    expect(back.body.lastReadMessageId).toBe(c2.id);
    expect(back.body.unreadCount).toBe(1);
    expect(await readEvents()).toBe(1);

    const all = await freelancer.api.post(`/conversations/${cid}/read`, { upToMessageId: c3.id });
    expect(all.body).toEqual({ conversationId: cid, lastReadMessageId: c3.id, unreadCount: 0 });
    expect(await unreadIn(freelancer, cid)).toBe(0);
    expect(await readEvents()).toBe(2);

    // A message of another conversation is not a valid pointer.
    const [x, y] = await pair();
    const other = await open(x, y, { message: 'hi' });
    const foreign = await client.api.post(`/conversations/${cid}/read`, {
      upToMessageId: other.body.lastMessage.id,
    });
    expect(foreign.status).toBe(400);
    expect(foreign.body.errors[0].field).toBe('body.upToMessageId');
  });

  it('lists my conversations newest activity first with cursor pagination', async () => {
    const me = await signUp(api);
    const others = [await signUp(api), await signUp(api), await signUp(api)];
    const ids: number[] = [];
    for (const o of others) ids.push((await open(me, o, { message: `你好 ${o.userId}` })).body.id);
    // The oldest conversation gets new activity and moves to the top.
    await say(others[0]!, ids[0]!, '我回来了');
    const expected = [ids[0], ids[2], ids[1]];

    const seen: number[] = [];
    let cursor: string | null = null;
    do {
      const q: string = cursor ? `?limit=2&cursor=${cursor}` : '?limit=2';
      const res = await me.api.get(`/conversations${q}`);
      expect(res.status).toBe(200);
      seen.push(...res.body.items.map((i: { id: number }) => i.id));
      cursor = res.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(expected);

    const top = (await me.api.get('/conversations?limit=1')).body.items[0];
    expect(top.lastMessage.content).toBe('我回来了');
    expect(top.unreadCount).toBe(1);
    expect((await me.api.get('/conversations?cursor=not-a-cursor')).status).toBe(400);
  });
});

describe('messages', () => {
  it('pages backwards through history without gaps or repeats', async () => {
    const [client, freelancer] = await pair();
    const cid = (await open(client, freelancer)).body.id as number;
    const sent: number[] = [];
    for (let i = 1; i <= 7; i += 1) sent.push((await say(i % 2 ? client : freelancer, cid, `第${i}条`)).id);

    const pages: number[][] = [];
    let before: number | undefined;
    for (;;) {
      const res = await client.api.get(
        `/conversations/${cid}/messages?limit=3${before ? `&before=${before}` : ''}`,
      );
      expect(res.status).toBe(200);
      const page = res.body.items.map((m: { id: number }) => m.id) as number[];
      pages.push(page);
      if (!res.body.hasMore) break;
      before = page.at(-1);
    }
    expect(pages.map((p) => p.length)).toEqual([3, 3, 1]);
    expect(pages.flat()).toEqual([...sent].reverse());
    const newest = (await freelancer.api.get(`/conversations/${cid}/messages?limit=1`)).body.items[0];
    expect(newest).toMatchObject({ id: sent[6], content: '第7条', type: 'text', file: null });
  });

  it('hides a conversation from non-participants (404)', async () => {
    const [client, freelancer] = await pair();
    const cid = (await open(client, freelancer, { message: '私密' })).body.id as number;
    const outsider = await signUp(api);
    const before = await count('messages');
    expect((await outsider.api.get(`/conversations/${cid}/messages`)).status).toBe(404);
    const post = await outsider.api.post(`/conversations/${cid}/messages`, { type: 'text', content: '插话' });
    expect(post.status).toBe(404);
    expect((await outsider.api.post(`/conversations/${cid}/read`, { upToMessageId: 1 })).status).toBe(404);
    expect((await outsider.api.get('/conversations')).body.items).toEqual([]);
    expect(await count('messages')).toBe(before);
    expect((await api.get(`/conversations/${cid}/messages`)).status).toBe(401);
  });

  it('refuses invalid bodies naming the field, and writes nothing', async () => {
    const [client, freelancer] = await pair();
    const cid = (await open(client, freelancer)).body.id as number;
    const pdfId = await uploadAs(
      client,
      Buffer.concat([Buffer.from('%PDF-1.4\n'), randomBytes(64)]),
      '报价.pdf',
      'application/pdf',
    );
    const theirs = await uploadAs(
      freelancer,
      Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), randomBytes(64)]),
      'x.jpg',
      'image/jpeg',
    );
    const messagesBefore = await count('messages');
    const eventsBefore = await count('events');
    const post = (body: unknown) => client.api.post(`/conversations/${cid}/messages`, body);

    const cases: [unknown, number, string][] = [
      [{ type: 'text', content: '   ' }, 400, 'body.content'],
      [{ type: 'text', content: '字'.repeat(5001) }, 400, 'body.content'],
      [{ type: 'sticker', content: 'hi' }, 400, 'body.type'],
      [{ type: 'text' }, 400, 'body.content'],
      [{ type: 'image', fileId: pdfId }, 415, 'body.fileId'],
      [{ type: 'file', fileId: theirs }, 400, 'body.fileId'],
      [{ type: 'file', fileId: 987_654_321 }, 400, 'body.fileId'],
      [{ type: 'text', content: 'ok', fileId: pdfId }, 400, 'body'],
    ];
    for (const [body, status, field] of cases) {
      const res = await post(body);
      expect(res.status, JSON.stringify(body).slice(0, 80)).toBe(status);
      const fields = (res.body.errors ?? []).map((e: { field: string }) => e.field);
      expect(
        fields.some((f: string) => f.startsWith(field)),
        `${JSON.stringify(fields)} names ${field}`,
      ).toBe(true);
    }
    expect((await post({ type: 'text', content: '字'.repeat(5000) })).status).toBe(201);
    expect(await count('messages')).toBe(messagesBefore + 1);
    expect(await count('events')).toBe(eventsBefore + 1);
  });

  it('sends image and file messages; the other participant can download them, outsiders cannot', async () => {
    const [client, freelancer] = await pair();
    const cid = (await open(client, freelancer)).body.id as number;
    const pngId = await uploadAs(
      freelancer,
      Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), randomBytes(64)]),
      '初稿.png',
      'image/png',
    );
    const image = await freelancer.api.post(`/conversations/${cid}/messages`, {
      type: 'image',
      fileId: pngId,
    });
    expect(image.status).toBe(201);
    expect(image.body).toMatchObject({
      type: 'image',
      content: '',
      file: { id: pngId, filename: '初稿.png' },
    });
    const preview = await t.db.write
      .selectFrom('events')
      .select('payload')
      .where('type', '=', 'message.created')
      .where('aggregate_id', '=', cid)
      .executeTakeFirstOrThrow();
    expect(preview.payload).toMatchObject({ preview: '[图片]', type: 'image' });

    expect((await client.api.get(`/files/${pngId}/content`)).status).toBe(200);
    const outsider = await signUp(api);
    expect((await outsider.api.get(`/files/${pngId}/content`)).status).toBe(404);
  });
});

describe('live events', () => {
  it('pushes message.created to both participants and replays exactly what a socket missed', async () => {
    const [client, freelancer] = await pair();
    const cid = (await open(client, freelancer)).body.id as number;

    const live = connectEvents(t.url, { token: freelancer.tokens.accessToken });
    const sender = connectEvents(t.url, { token: client.tokens.accessToken });
    await Promise.all([live.connected, sender.connected]);
    const long = '这是一条很长的消息'.repeat(10);
    const first = await say(client, cid, long);
    await eventually(() => live.received.some((e) => e.type === 'message.created'));
    await eventually(() => sender.received.some((e) => e.type === 'message.created'));
    const envelope = live.received.find((e) => e.type === 'message.created')!;
    expect(envelope.seq).toEqual(expect.any(Number));
    expect(envelope.payload).toEqual({
      conversationId: cid,
      messageId: first.id,
      senderId: client.userId,
      type: 'text',
      preview: [...long].slice(0, 50).join(''),
    });
    sender.socket.disconnect();

    // Offline: three messages arrive while the freelancer's socket is gone.
    const lastSeq = Math.max(...live.received.map((e) => e.seq));
    live.socket.disconnect();
    const missed = [await say(client, cid, '一'), await say(client, cid, '二'), await say(client, cid, '三')];
    await eventually(async () => {
      const pending = await t.db.write
        .selectFrom('events')
        .select('id')
        .where('seq', 'is', null)
        .executeTakeFirst();
      return !pending;
    });

    const resumed = connectEvents(t.url, { token: freelancer.tokens.accessToken, lastSeq });
    await resumed.connected;
    await eventually(() => resumed.received.length >= 3);
    await new Promise((r) => setTimeout(r, 300)); // nothing more should come
    resumed.socket.disconnect();
    expect(resumed.received.map((e) => e.type)).toEqual([
      'message.created',
      'message.created',
      'message.created',
    ]);
    expect(resumed.received.map((e) => e.payload['messageId'])).toEqual(missed.map((m) => m.id));
    const seqs = resumed.received.map((e) => e.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(seqs.every((s) => s > lastSeq)).toBe(true);
  });
});
