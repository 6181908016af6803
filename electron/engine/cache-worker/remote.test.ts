import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { threadId } from 'node:worker_threads';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cacheFileName, openDatabase } from '../cache/db';
import { ACCOUNT, makeCase, upsert } from '../cache/testing';
import { openRemoteCache, type RemoteCache } from './remote';

let dir = '';
const opened: RemoteCache[] = [];
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'jx-remote-cache-'));
});
afterEach(async () => {
  for (const c of opened.splice(0)) await c.close();
  rmSync(dir, { recursive: true, force: true });
});
const open = async () => {
  const c = await openRemoteCache({ dir, account: ACCOUNT });
  opened.push(c);
  return c;
};

describe('the case cache on its worker thread', () => {
  it('answers the same operations as the cache, and keeps what it wrote across a reopen', async () => {
    const cache = await open();
    const changed = await cache.applyChanges([upsert(3, makeCase(1, { title: '海报设计审核' }))], 3, {
      hasMore: false,
      headSeq: 3,
    });
    expect(changed).toEqual({ upserted: [1], removed: [] });
    const item = await cache.outboxEnqueue({
      method: 'cases.claim',
      args: { caseId: 1, version: 1 },
      caseId: 1,
      label: { zh: '认领 #1', en: 'Claim #1' },
    });
    await cache.close();
    opened.length = 0;

    const again = await open();
    expect(await again.syncState()).toMatchObject({ lastSeq: 3, snapshotDone: true });
    expect((await again.listCases({ q: '海报' })).items.map((c) => c.id)).toEqual([1]);
    expect((await again.outboxList()).map((i) => i.id)).toEqual([item.id]);
  });

  it('runs SQL off the calling thread', async () => {
    // The worker is a different thread: opening the same file here while it holds it is fine (WAL), and
    // the main thread never loaded the cache to answer.
    const cache = await open();
    await cache.applyChanges([upsert(1, makeCase(1))], 1);
    expect(threadId).toBe(0);
    const db = openDatabase(dir, cacheFileName(ACCOUNT));
    expect(db.prepare('SELECT count(*) AS n FROM cases').get()).toEqual({ n: 1 });
    db.close();
  });

  it('re-raises the worker’s errors with their name, and refuses calls after close', async () => {
    const db = openDatabase(dir, cacheFileName(ACCOUNT));
    db.pragma('user_version = 999');
    db.close();
    await expect(openRemoteCache({ dir, account: ACCOUNT })).rejects.toMatchObject({
      name: 'CacheSchemaTooNewError',
    });

    rmSync(join(dir, cacheFileName(ACCOUNT)));
    const cache = await openRemoteCache({ dir, account: ACCOUNT });
    await cache.close();
    await expect(cache.syncState()).rejects.toThrow(/closed/);
  });

  it('wipe deletes the file with its outbox', async () => {
    const cache = await open();
    await cache.outboxEnqueue({
      method: 'chat.note',
      args: {},
      caseId: null,
      label: { zh: '备注', en: 'Note' },
    });
    await cache.wipe();
    opened.length = 0;
    const fresh = await open();
    expect(await fresh.outboxList()).toEqual([]);
  });
});
