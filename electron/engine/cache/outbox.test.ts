import type { BridgeProblem } from '@jiangxin/shared/bridge';
import { outboxItemSchema } from '@jiangxin/shared/bridge';
import { describe, expect, it } from 'vitest';
import { type EnqueueInput, toOutboxItem } from './outbox';
import { at, useTempDir } from './testing';

const tmp = useTempDir();

const claim = (caseId: number, version = 3): EnqueueInput => ({
  method: 'cases.claim',
  args: { caseId, version },
  caseId,
  label: { zh: `认领工单 #${caseId}`, en: `Claim case #${caseId}` },
});

const claimedByOther: BridgeProblem = {
  code: 'case_claimed_by_other',
  status: 409,
  message: { zh: '该工单已被其他同事认领', en: 'Someone else holds this case' },
  extra: { holderName: '周同事' },
};

describe('the outbox', () => {
  it('stores an item with a fresh idempotency key and returns it as the bridge shows it', () => {
    const cache = tmp.open({ now: () => new Date(at(5)) });
    const a = cache.outbox.enqueue(claim(1));
    const b = cache.outbox.enqueue({
      method: 'chat.send',
      args: { caseId: 2, version: 1, content: '您好，退款已处理' },
      caseId: 2,
      label: { zh: '回复客户', en: 'Reply to the customer' },
    });
    expect(a).toMatchObject({
      method: 'cases.claim',
      args: { caseId: 1, version: 3 },
      caseId: 1,
      label: { zh: '认领工单 #1', en: 'Claim case #1' },
      state: 'pending',
      attempts: 0,
      problem: null,
      createdAt: at(5),
    });
    expect(a.idempotencyKey).toMatch(/^[0-9a-f-]{36}$/);
    expect(b.idempotencyKey).not.toBe(a.idempotencyKey);
    expect(b.id).toBeGreaterThan(a.id);
    const item = toOutboxItem(a);
    expect(outboxItemSchema.parse(item)).toEqual(item);
    expect(item).not.toHaveProperty('args');
    expect(item).not.toHaveProperty('idempotencyKey');
  });

  it('hands out pending items in the order they were queued', () => {
    const cache = tmp.open();
    const ids = [3, 1, 2].map((caseId) => cache.outbox.enqueue(claim(caseId)).id);
    cache.outbox.markSending(ids[0]!);
    expect(cache.outbox.pending().map((e) => e.caseId)).toEqual([1, 2]);
    expect(cache.outbox.list().map((e) => e.caseId)).toEqual([3, 1, 2]);
  });

  it('moves an item through sending → failed → retry → sending → removed, keeping its key', () => {
    const cache = tmp.open();
    const { id, idempotencyKey } = cache.outbox.enqueue(claim(1));
    expect(cache.outbox.markSending(id)).toMatchObject({ state: 'sending', attempts: 1 });
    expect(cache.outbox.markSending(id)).toBeNull(); // already being sent
    expect(cache.outbox.markFailed(id, claimedByOther)).toMatchObject({
      state: 'failed',
      problem: claimedByOther,
    });
    expect(cache.outbox.pending()).toEqual([]);
    expect(cache.outbox.retry(id)).toMatchObject({
      state: 'pending',
      problem: null,
      attempts: 1,
      idempotencyKey,
    });
    expect(cache.outbox.markSending(id)?.attempts).toBe(2);
    expect(cache.outbox.remove(id)).toBe(true);
    expect(cache.outbox.get(id)).toBeNull();
    expect(cache.outbox.remove(id)).toBe(false);
    expect(cache.outbox.retry(id)).toBeNull();
  });

  it('lets the person dismiss a refused or unsent item, but not one being sent', () => {
    const cache = tmp.open();
    const refused = cache.outbox.enqueue(claim(1)).id;
    const sending = cache.outbox.enqueue(claim(2)).id;
    const unsent = cache.outbox.enqueue(claim(3)).id;
    cache.outbox.markSending(refused);
    cache.outbox.markFailed(refused, claimedByOther);
    cache.outbox.markSending(sending);
    expect(cache.outbox.dismiss(sending)).toBe(false);
    expect(cache.outbox.dismiss(refused)).toBe(true);
    expect(cache.outbox.dismiss(unsent)).toBe(true);
    expect(cache.outbox.list().map((e) => e.id)).toEqual([sending]);
  });

  it('survives closing and reopening the file, with a send cut off mid-flight pending again', () => {
    const first = tmp.open();
    const a = first.outbox.enqueue(claim(1));
    const b = first.outbox.enqueue(claim(2));
    const c = first.outbox.enqueue(claim(3));
    first.outbox.markSending(a.id);
    first.outbox.markSending(b.id);
    first.outbox.markFailed(b.id, claimedByOther);
    first.outbox.markSending(c.id); // the process stops here, before the answer
    first.close();

    const second = tmp.open();
    expect(second.outbox.list()).toEqual([
      { ...a, state: 'pending', attempts: 1 },
      { ...b, state: 'failed', attempts: 1, problem: claimedByOther },
      { ...c, state: 'pending', attempts: 1 },
    ]);
    expect(second.outbox.pending().map((e) => e.idempotencyKey)).toEqual([
      a.idempotencyKey,
      c.idempotencyKey,
    ]);
    // Ids are never reused, even after the newest item is removed.
    second.outbox.remove(c.id);
    second.close();
    expect(tmp.open().outbox.enqueue(claim(4)).id).toBeGreaterThan(c.id);
  });

  it('is gone after wipe (logout)', () => {
    const cache = tmp.open();
    cache.outbox.enqueue(claim(1));
    cache.wipe();
    expect(tmp.open().outbox.list()).toEqual([]);
  });
});
