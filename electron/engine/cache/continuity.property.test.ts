import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CaseSummary, OpsSyncResponse } from '@jiangxin/shared/ops/cases';
import fc from 'fast-check';
import { beforeEach, describe, expect, it } from 'vitest';
import type { CaseCache } from './cache';
import type { StreamEnvelope } from './cases';
import { type CacheAccount, cacheFileName } from './db';
import {
  CASE_IDS,
  type CaseMap,
  type CoreChange,
  coreChangeArb,
  ModelCore,
  queueChecksum,
  TITLE_WORD,
  titleToken,
} from './model-core';
import { ACCOUNT, useTempDir } from './testing';

/**
 * Property of the cache's continuity rule (`applyStream`, `advanceTo`, `applyChanges` in cases.ts), in
 * the spirit of Actual Budget's sync fuzzing: a model core commits random case changes (new versions,
 * removals, events of kinds this member may not see, events that are not about cases), while a hostile
 * network hands the real SQLite cache live batches cut from the member's stream — in order, twice, late,
 * out of order, or never — `ready` marks, catch-up pages answered at one moment and applied at another
 * (overlapping the live batches or running ahead of them), actions' answers, stream breaks, `sync.resync`
 * and restarts of the cache file. Whatever happens:
 *
 * - the cursor is honest after every step: replaying the member's stream after `lastSeq` onto what the
 *   cache holds gives the core's queue (nothing at or below the cursor was skipped), and it never passes
 *   the core's head nor moves back (but for a reset);
 * - no case the cache holds goes back to an older version;
 * - a batch refused as a gap applies once the caller has caught up (the sync loop's recovery);
 * - after the recovery the engine runs (catch up through the sync route until the core says there is no
 *   more), the cache holds exactly the core's cases — same ids, versions, fields — its checksum is the
 *   core's, search finds each case by its current title only, and late deliveries change nothing.
 *
 * The batches are honest about `prevSeq` (what their connection delivered before them): that is the
 * stream's contract (shared/ops/stream.ts), and all the rule relies on. `continuity examples` below keeps
 * counterexamples the property found, as plain tests.
 */

const tmp = useTempDir({ inMemory: true });

/** Seeded: a failure names its seed and shrunk steps, and the same run reproduces it. */
const SEED = 20261205;
const RUNS = 200;

type Step =
  | { t: 'commit'; change: CoreChange }
  /** The connection puts its next events (at most `size`) on the wire; if none are left, maybe `ready`. */
  | { t: 'cut'; size: number; ready: boolean }
  /** The wire delivers one of its batches (any of them: out of order); `again` leaves it there (a dup). */
  | { t: 'deliver'; pick: number; again: boolean }
  | { t: 'lose'; pick: number }
  /** The stream breaks; the new connection resumes from the cache's cursor. Old batches stay on the wire. */
  | { t: 'reconnect' }
  /** A catch-up page is read from the cache's cursor now, to be applied later. */
  | { t: 'request'; limit: number }
  | { t: 'page'; pick: number }
  /** An action on a case: its answer (the case as it is now) reaches the cache later. */
  | { t: 'act'; caseId: number }
  | { t: 'answer'; pick: number }
  | { t: 'restart' }
  | { t: 'resync' };

const caseId = fc.constantFrom(...CASE_IDS);
const changeArb = coreChangeArb({ remove: 2 });
const pick = fc.nat({ max: 20 });
const stepArb: fc.Arbitrary<Step> = fc.oneof(
  { weight: 8, arbitrary: fc.record({ t: fc.constant('commit' as const), change: changeArb }) },
  {
    weight: 5,
    arbitrary: fc.record({
      t: fc.constant('cut' as const),
      size: fc.integer({ min: 1, max: 3 }),
      ready: fc.boolean(),
    }),
  },
  { weight: 6, arbitrary: fc.record({ t: fc.constant('deliver' as const), pick, again: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('lose' as const), pick }) },
  { weight: 1, arbitrary: fc.constant({ t: 'reconnect' as const }) },
  {
    weight: 2,
    arbitrary: fc.record({ t: fc.constant('request' as const), limit: fc.integer({ min: 1, max: 3 }) }),
  },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('page' as const), pick }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('act' as const), caseId }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('answer' as const), pick }) },
  { weight: 1, arbitrary: fc.constant({ t: 'restart' as const }) },
  { weight: 1, arbitrary: fc.constant({ t: 'resync' as const }) },
);

type Batch = { prevSeq: number; events: StreamEnvelope[] } | { prevSeq: number; ready: number };

/** Rows per catch-up page in the recovery: small, so a catch-up takes several pages. */
const RECOVERY_PAGE = 2;

let runs = 0;
let template: string | null = null;
// Each test has its own temp dir, so its own template.
beforeEach(() => {
  template = null;
});

/**
 * A new cache file for each run: a copy of one created (and migrated) once, since creating a file costs
 * tens of milliseconds of fsyncs and a run only a few.
 */
function openFresh(account: CacheAccount): CaseCache {
  if (!template) {
    const first = tmp.open({ account: { ...ACCOUNT, userId: 999_999 } });
    first.close();
    template = first.path;
  }
  copyFileSync(template, join(tmp.dir, cacheFileName(account)));
  return tmp.open({ account });
}

/** One run: the model core, the real cache, and what is on its way between them. */
class Run {
  readonly core = new ModelCore();
  readonly account = { ...ACCOUNT, userId: ++runs };
  cache: CaseCache = openFresh(this.account);
  /** Where the live connection is in the member's stream (its handshake cursor, then what it cut). */
  conn = 0;
  wire: Batch[] = [];
  pages: OpsSyncResponse[] = [];
  answers: CaseSummary[] = [];
  /** The highest version of each case the cache has held since its last reset. */
  private readonly highest = new Map<number, number>();
  private lastSeq = 0;

  step(s: Step): void {
    switch (s.t) {
      case 'commit':
        this.core.commit(s.change);
        break;
      case 'cut': {
        const events = this.core.streamAfter(this.conn).slice(0, s.size);
        if (events.length) {
          this.wire.push({ prevSeq: this.conn, events });
          this.conn = events.at(-1)!.seq;
        } else if (s.ready && this.core.head > this.conn) {
          this.wire.push({ prevSeq: this.conn, ready: this.core.head });
          this.conn = this.core.head;
        }
        break;
      }
      case 'deliver':
      case 'lose': {
        if (!this.wire.length) break;
        const i = s.pick % this.wire.length;
        const batch = this.wire[i]!;
        if (s.t === 'lose' || !s.again) this.wire.splice(i, 1);
        if (s.t === 'deliver') this.deliver(batch);
        break;
      }
      case 'reconnect':
        this.conn = this.cache.syncState().lastSeq;
        break;
      case 'request':
        this.pages.push(this.core.syncPage(this.cache.syncState().lastSeq, s.limit));
        break;
      case 'page': {
        if (!this.pages.length) break;
        const [page] = this.pages.splice(s.pick % this.pages.length, 1);
        this.cache.applyChanges(page!.changes, page!.nextSeq, {
          headSeq: page!.headSeq,
          hasMore: page!.hasMore,
        });
        break;
      }
      case 'act': {
        const c = this.core.caseNow(s.caseId);
        if (!c) break;
        // The action commits a new version; its answer travels back on its own.
        this.core.commit({ op: 'upsert', caseId: c.id, status: c.status, assigneeId: 7 });
        this.answers.push(this.core.caseNow(s.caseId)!);
        break;
      }
      case 'answer': {
        if (!this.answers.length) break;
        const [answer] = this.answers.splice(s.pick % this.answers.length, 1);
        this.cache.putCase(answer!);
        break;
      }
      case 'restart':
        // The process ends: what was in flight dies with it; the file stays.
        this.cache.close();
        this.cache = tmp.open({ account: this.account });
        this.wire = [];
        this.pages = [];
        this.answers = [];
        this.conn = this.cache.syncState().lastSeq;
        break;
      case 'resync':
        // `sync.resync` runs on the sync loop's write chain, so no catch-up page is in flight across it.
        this.cache.resetSync();
        this.pages = [];
        this.highest.clear();
        this.lastSeq = 0;
        break;
    }
    this.checkInvariants(s);
  }

  /** A batch arrives; one that does not continue the cache applies after a catch-up (SyncLoop.flush). */
  private deliver(batch: Batch): void {
    const apply = () =>
      'ready' in batch
        ? this.cache.advanceTo(batch.prevSeq, batch.ready)
        : this.cache.applyStream({ prevSeq: batch.prevSeq, events: batch.events });
    if (apply().gap) {
      this.catchUp();
      expect(apply().gap, 'a batch still refused after catching up').toBe(false);
    }
  }

  /** The sync route from the cache's cursor until the core says there is no more (SyncLoop.catchUp). */
  catchUp(): void {
    for (let pages = 0; ; pages++) {
      expect(pages, 'catch-up does not end').toBeLessThan(1000);
      const page = this.core.syncPage(this.cache.syncState().lastSeq, RECOVERY_PAGE);
      this.cache.applyChanges(page.changes, page.nextSeq, { headSeq: page.headSeq, hasMore: page.hasMore });
      if (!page.hasMore) return;
    }
  }

  cached(): CaseMap {
    const rows: CaseMap = new Map();
    for (const id of CASE_IDS) {
      const c = this.cache.getCase(id);
      if (c) rows.set(id, c);
    }
    expect(this.cache.fingerprint().count, 'the cache holds a case the model never made').toBe(rows.size);
    return rows;
  }

  checkInvariants(s: Step): void {
    const { lastSeq } = this.cache.syncState();
    expect(lastSeq, `cursor moved back at ${s.t}`).toBeGreaterThanOrEqual(this.lastSeq);
    expect(lastSeq, 'cursor past the core').toBeLessThanOrEqual(this.core.head);
    this.lastSeq = lastSeq;
    const rows = this.cached();
    for (const c of rows.values()) {
      expect(c.version, `case ${c.id} went back to an older version`).toBeGreaterThanOrEqual(
        this.highest.get(c.id) ?? 0,
      );
      this.highest.set(c.id, c.version);
    }
    expect(
      sortedCases(this.core.replayOnto(rows, lastSeq)),
      `the cursor ${lastSeq} passes something the cache does not hold`,
    ).toEqual(sortedCases(this.core.visibleCases()));
  }

  /** After the run: the recovery, then the cache must be the core's queue. */
  converge(): void {
    this.catchUp();
    this.checkInvariants({ t: 'resync' });
    this.expectCore();
    // Whatever was still on its way arrives now, late: nothing changes.
    for (const batch of this.wire) this.deliver(batch);
    for (const answer of this.answers) this.cache.putCase(answer);
    this.expectCore();
  }

  private expectCore(): void {
    const core = this.core.visibleCases();
    expect(sortedCases(this.cached())).toEqual(sortedCases(core));
    expect(this.cache.fingerprint()).toEqual(queueChecksum(core.values()));
    expect(this.cache.syncState()).toMatchObject({ lastSeq: this.core.head, snapshotDone: true });
    // The search index followed: each case by its current title, every case by the common word.
    expect(ids(this.cache.search(TITLE_WORD, 100).cases)).toEqual([...core.keys()].sort());
    for (const c of core.values()) {
      expect(ids(this.cache.search(titleToken(c.id, c.version)).cases)).toEqual([c.id]);
      if (c.version > 1) expect(this.cache.search(titleToken(c.id, c.version - 1)).cases).toEqual([]);
    }
  }

  end(): void {
    this.cache.wipe();
  }
}

const ids = (cases: readonly CaseSummary[]) => cases.map((c) => c.id).sort();
const sortedCases = (m: CaseMap) => [...m.values()].sort((a, b) => a.id - b.id);

function play(steps: readonly Step[]): void {
  const run = new Run();
  try {
    for (const s of steps) run.step(s);
    run.converge();
  } finally {
    run.end();
  }
}

describe('the continuity rule, by property', () => {
  it('converges to the core from any interleaving of batches, gaps, pages, answers, resyncs and restarts', () => {
    fc.assert(
      fc.property(fc.array(stepArb, { minLength: 1, maxLength: 80, size: 'max' }), (steps) => play(steps)),
      { seed: SEED, numRuns: RUNS },
    );
  }, 60_000);
});

describe('continuity examples: counterexamples the property found', () => {
  it('an action’s answer arriving after the case’s removal does not bring it back', () => {
    // Before removed_cases (migration 6) the late answer re-inserted the removed case for good.
    play([
      { t: 'commit', change: { op: 'upsert', caseId: 1, status: 'open', assigneeId: null } },
      { t: 'act', caseId: 1 },
      { t: 'commit', change: { op: 'remove', caseId: 1 } },
      { t: 'cut', size: 1, ready: false },
    ]);
  });
});
