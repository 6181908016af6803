import { createConversationBodySchema, sendMessageBodySchema } from '@jiangxin/shared/api/messaging';
import { appendMessage, getOrCreateConversation, markReadInTx } from '../modules/messaging/commands';
import type { AppContext } from '../platform/context';
import type { Tx } from '../platform/db/database';
import { inLanes } from './lanes';
import type { SeedIds } from './orders';
import type { ChatPlan, SeedPlan } from './plan';

/** One planned chat between a client and a freelancer: about a listing (pre-sale) or an order. */
export interface ChatToPlay {
  orderId: number | null;
  listingId: number;
  clientId: number;
  freelancerId: number;
  chat: ChatPlan;
}

/** The plan's chats with database ids: pre-sale chats first, then order chats in order-number order. */
export function chatsOf(
  plan: Pick<SeedPlan, 'presales' | 'orders'>,
  ids: SeedIds,
  orderIds: ReadonlyMap<number, number>,
): ChatToPlay[] {
  return [
    ...plan.presales.map((p) => ({
      orderId: null,
      listingId: ids.listings[p.listingKey]!,
      clientId: ids.users[p.clientKey]!,
      freelancerId: ids.users[p.freelancerKey]!,
      chat: p.chat,
    })),
    ...plan.orders.flatMap((o) =>
      o.chat
        ? [
            {
              orderId: orderIds.get(o.key)!,
              listingId: ids.listings[o.listingKey]!,
              clientId: ids.users[o.clientKey]!,
              freelancerId: ids.users[o.freelancerKey]!,
              chat: o.chat,
            },
          ]
        : [],
    ),
  ];
}

/**
 * Writes every planned chat through the messaging module's own write path, `batchSize` chats per
 * transaction: `getOrCreateConversation` (per order for order chats) and `appendMessage` for every line
 * at its story time — what `openConversation` and `sendMessage` write, without their request checks
 * (sender not banned, a participant, the order's other party: true of every planned chat) and without
 * presenting a response — and, when the plan says the other side has read the last message,
 * `markReadInTx` (the body of `markRead`). So the last-message pointer, each side's read pointer (a
 * sender has read what they wrote), the unread counts, the `message.created` / `conversation.read` events
 * and the scanner's look at every text are the module's. `bulk.test.ts` checks the result equals the
 * commands called one request at a time. Chats never share a row, so `concurrency` lanes run at once.
 */
export async function playChats(
  ctx: AppContext,
  chats: readonly ChatToPlay[],
  opts: { batchSize: number; concurrency: number },
): Promise<{ conversations: number; messages: number }> {
  const laneCount = Math.max(1, opts.concurrency);
  const lanes: ChatToPlay[][] = Array.from({ length: laneCount }, () => []);
  for (const [i, c] of chats.entries()) lanes[i % laneCount]!.push(c);
  const batches: { lane: number; chats: ChatToPlay[] }[] = [];
  for (const [lane, laneChats] of lanes.entries())
    for (let i = 0; i < laneChats.length; i += opts.batchSize)
      batches.push({ lane, chats: laneChats.slice(i, i + opts.batchSize) });

  let messages = 0;
  await inLanes(
    batches,
    opts.concurrency,
    (b) => b.lane,
    async (batch) => {
      await ctx.db.transact(async (tx) => {
        for (const c of batch.chats) await writeChat(tx, c);
      });
      messages += batch.chats.reduce((n, c) => n + c.chat.times.length, 0);
    },
  );
  return { conversations: chats.length, messages };
}

async function writeChat(tx: Tx, c: ChatToPlay): Promise<void> {
  const { fromClient, texts, times } = c.chat;
  const speaker = (m: number) => (fromClient[m] ? c.clientId : c.freelancerId);
  const listener = (m: number) => (fromClient[m] ? c.freelancerId : c.clientId);
  // The bodies the app would send, through the routes' schemas (which normalise the text).
  const opening = createConversationBodySchema.parse({
    participantId: listener(0),
    ...(c.orderId === null ? { serviceId: c.listingId } : { orderId: c.orderId }),
    message: texts[0]!,
  });
  const { row, created } = await getOrCreateConversation(tx, new Date(times[0]!), {
    userA: speaker(0),
    userB: opening.participantId,
    orderId: opening.orderId ?? null,
    serviceId: c.listingId,
  });
  // Two planned chats of one pair (per order) would silently merge: the plan never makes them.
  if (!created) throw new Error(`seed chat of users ${c.clientId}/${c.freelancerId} already exists`);
  let lastId = 0;
  for (let m = 0; m < times.length; m++) {
    const body = m === 0 ? opening.message! : textOf(texts[m]!);
    const message = await appendMessage(tx, new Date(times[m]!), row, {
      senderId: speaker(m),
      type: 'text',
      content: body,
    });
    lastId = message.id;
  }
  if (c.chat.readByOther) await markReadInTx(tx, listener(times.length - 1), row.id, lastId);
}

function textOf(content: string): string {
  const body = sendMessageBodySchema.parse({ type: 'text', content });
  return body.content;
}
