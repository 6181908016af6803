import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CaseSummary } from '@jiangxin/shared/ops/cases';
import { opsSyncResponseSchema } from '@jiangxin/shared/ops/cases';
import { OPS_STREAM, type OpsReady, type OpsResync } from '@jiangxin/shared/ops/stream';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { CaseCache } from '../cache/cache';
import { type CacheAccount, cacheFileName } from '../cache/db';
import {
  CASE_IDS,
  type CaseMap,
  type CoreChange,
  type CoreEvent,
  coreChangeArb,
  ModelCore,
  queueChecksum,
} from '../cache/model-core';
import { ACCOUNT, useTempDir } from '../cache/testing';
import { CACHE_OPS } from '../cache-worker/ops';
import type { RemoteCache } from '../cache-worker/remote';
import { type CoreClient, CoreUnreachable } from '../net/core-client';
import { SyncLoop } from './sync';

/**
 * Property of the sync loop's recovery together with the cache's continuity rule: the real `SyncLoop`
 * over the real SQLite cache, against a model core (../cache/model-core.ts) behind a scripted socket and
 * HTTP client. The network is hostile within the stream's contract — one connection delivers its
 * messages in order, without loss or duplicates (shared/ops/stream.ts) — so the randomness is in what
 * happens around it: events committing at any moment, bursts or single messages, connections that drop
 * (socket.io reconnecting by itself, or the server closing them), refused handshakes, replays too long
 * for the core (`resync`), catch-up pages answered late, out of order or not at all (failures), timers
 * firing, actions' answers, `sync.resync` and restarts of the console. After every step the cache's
 * cursor is honest (the member's stream after it, replayed onto the cache, gives the core's queue) and
 * no case goes back to an older version; once the network calms down and the loop's own recovery has
 * run, the loop is online and the cache holds exactly the core's cases, with the core's checksum.
 */

/** socket.io-client, scripted: `io()` hands the loop a socket the harness drives. */
const net = vi.hoisted(() => ({ open: null as ((opts: unknown) => unknown) | null }));
vi.mock('socket.io-client', () => ({ io: (_url: string, opts: unknown) => net.open!(opts) }));

const tmp = useTempDir({ inMemory: true });

const SEED = 20261206;
const RUNS = 100;
/** The core's replay cap (tests of the core lower it too): longer replays turn into `resync`. */
const REPLAY_LIMIT = 3;
/** Rows per sync page: small, so catch-ups take several pages and overlap the live stream. */
const PAGE_SIZE = 2;

type Message = ['event', CoreEvent] | ['resync', OpsResync] | ['ready', OpsReady];
type Handler = (...args: unknown[]) => void;

interface AuthOptions {
  auth(cb: (data: { token: string; lastSeq: number }) => void): void;
}

/** The client side of one socket.io socket, as the loop uses it; the harness plays the server. */
class FakeSocket {
  private readonly handlers = new Map<string, Handler[]>();
  connected = false;
  /** socket.io's own reconnection is on (false after a client close or a middleware refusal). */
  active = true;
  /** A connection attempt is due: the first one, socket.io's reconnect, or `connect()`. */
  wantsConnect = true;
  /** What the server has sent that has not arrived yet. */
  queue: Message[] = [];

  constructor(readonly opts: AuthOptions) {}

  on(name: string, fn: Handler): this {
    this.handlers.set(name, [...(this.handlers.get(name) ?? []), fn]);
    return this;
  }
  removeAllListeners(): this {
    this.handlers.clear();
    return this;
  }
  connect(): this {
    this.active = true;
    if (!this.connected) this.wantsConnect = true;
    return this;
  }
  disconnect(): this {
    this.active = false;
    this.wantsConnect = false;
    if (this.connected) {
      this.connected = false;
      this.queue = [];
      this.fire('disconnect', 'io client disconnect');
    }
    return this;
  }
  emit(): boolean {
    return true;
  }
  fire(name: string, ...args: unknown[]): void {
    for (const fn of this.handlers.get(name) ?? []) fn(...args);
  }
}

type Step =
  | { t: 'commit'; change: CoreChange }
  /** A connection attempt reaches the core: handshake, then replay or `resync`, then `ready`. */
  | { t: 'connect' }
  /** The core refuses a connection attempt: its database is down, or the token expired. */
  | { t: 'refuse'; unauthenticated: boolean }
  /** The next messages arrive: in one burst (one batch), or one per tick. */
  | { t: 'deliver'; count: number; burst: boolean }
  /** The next message arrives mangled (a case event whose summary is not a case, an envelope without a type). */
  | { t: 'garble'; envelope: boolean }
  | { t: 'drop'; reason: 'transport close' | 'io server disconnect' }
  | { t: 'respond'; pick: number }
  | { t: 'fail'; pick: number }
  /** Retry timers fire. */
  | { t: 'tick' }
  | { t: 'act'; caseId: number }
  | { t: 'answer'; pick: number }
  | { t: 'restart' }
  | { t: 'resync' };

const caseId = fc.constantFrom(...CASE_IDS);
const changeArb = coreChangeArb({ remove: 1 });
const pick = fc.nat({ max: 10 });
const stepArb: fc.Arbitrary<Step> = fc.oneof(
  { weight: 10, arbitrary: fc.record({ t: fc.constant('commit' as const), change: changeArb }) },
  { weight: 3, arbitrary: fc.constant({ t: 'connect' as const }) },
  {
    weight: 1,
    arbitrary: fc.record({ t: fc.constant('refuse' as const), unauthenticated: fc.boolean() }),
  },
  {
    weight: 6,
    arbitrary: fc.record({
      t: fc.constant('deliver' as const),
      count: fc.integer({ min: 1, max: 4 }),
      burst: fc.boolean(),
    }),
  },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('garble' as const), envelope: fc.boolean() }) },
  {
    weight: 1,
    arbitrary: fc.record({
      t: fc.constant('drop' as const),
      reason: fc.constantFrom('transport close' as const, 'io server disconnect' as const),
    }),
  },
  { weight: 5, arbitrary: fc.record({ t: fc.constant('respond' as const), pick }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('fail' as const), pick }) },
  { weight: 1, arbitrary: fc.constant({ t: 'tick' as const }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('act' as const), caseId }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('answer' as const), pick }) },
  { weight: 1, arbitrary: fc.constant({ t: 'restart' as const }) },
  { weight: 1, arbitrary: fc.constant({ t: 'resync' as const }) },
);

interface PendingRequest {
  after: number;
  limit: number;
  resolve(page: unknown): void;
  reject(error: Error): void;
}

let runs = 0;
let template: string | null = null;
// Each test has its own temp dir (so its own template file); the loop's retry timers are the test's.
beforeEach(() => {
  template = null;
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
});
afterEach(() => {
  vi.useRealTimers();
});

/** A new cache file per run: a copy of one created and migrated once (creating one costs fsyncs). */
function openFresh(account: CacheAccount): CaseCache {
  if (!template) {
    const first = tmp.open({ account: { ...ACCOUNT, userId: 999_999 } });
    first.close();
    template = first.path;
  }
  copyFileSync(template, join(tmp.dir, cacheFileName(account)));
  return tmp.open({ account });
}

/** One console (loop, cache, client) against the model core, and everything on its way between them. */
class Harness {
  readonly core = new ModelCore();
  readonly account = { ...ACCOUNT, userId: ++runs };
  cache: CaseCache = openFresh(this.account);
  sockets: FakeSocket[] = [];
  requests: PendingRequest[] = [];
  answers: CaseSummary[] = [];
  loop!: SyncLoop;
  /** Cache operations, requests and sockets so far: `settle` waits until it stops moving. */
  private activity = 0;
  private resets = 0;
  private seenResets = 0;
  private lastSeq = 0;
  private readonly highest = new Map<number, number>();
  private clientAlive = { alive: true };

  /**
   * The cache as the engine holds it: the same operations, each answered on a later turn of the event
   * loop in the order they were asked (as the worker thread does), with structured clones both ways.
   */
  private remote(): RemoteCache {
    const ops = Object.fromEntries(
      Object.entries(CACHE_OPS).map(([name, op]) => [
        name,
        (...args: unknown[]) => {
          this.activity += 1;
          const sent = structuredClone(args);
          return new Promise((resolve, reject) =>
            setImmediate(() => {
              try {
                if (name === 'resetSync') this.resets += 1;
                resolve(
                  structuredClone((op as (c: CaseCache, ...a: unknown[]) => unknown)(this.cache, ...sent)),
                );
              } catch (error) {
                reject(error);
              }
            }),
          );
        },
      ]),
    );
    return { ...ops, close: async () => {}, wipe: async () => {} } as unknown as RemoteCache;
  }

  private client(): CoreClient {
    const life = { alive: true };
    this.clientAlive = life;
    return {
      coreUrl: 'https://ops.jiangxin.test',
      accessToken: 'token',
      refresh: async () => {},
      get: (_path: string, opts: { params: { after: number; limit: number } }) => {
        this.activity += 1;
        if (!life.alive) return Promise.reject(new CoreUnreachable('the console quit'));
        return new Promise((resolve, reject) =>
          this.requests.push({ after: opts.params.after, limit: opts.params.limit, resolve, reject }),
        );
      },
    } as unknown as CoreClient;
  }

  async start(): Promise<void> {
    net.open = (opts) => {
      this.activity += 1;
      const socket = new FakeSocket(opts as AuthOptions);
      this.sockets.push(socket);
      return socket;
    };
    this.loop = new SyncLoop({
      client: this.client(),
      cache: this.remote(),
      pageSize: PAGE_SIZE,
      onCasesChanged: () => {},
      onStatus: () => {},
      onEvent: () => {},
      onPresence: () => {},
      onTyping: () => {},
      onOnline: () => {},
    });
    await this.loop.start();
    await this.settle();
  }

  /** Until the loop and the cache have done all they can without the network. */
  async settle(): Promise<void> {
    let quiet = 0;
    for (let turns = 0; quiet < 3; turns++) {
      expect(turns, 'the loop never comes to rest').toBeLessThan(10_000);
      const before = this.activity;
      await new Promise((resolve) => setImmediate(resolve));
      quiet = this.activity === before ? quiet + 1 : 0;
    }
  }

  private connected(): FakeSocket | undefined {
    return this.sockets.find((s) => s.connected);
  }
  private attempting(): FakeSocket | undefined {
    return this.sockets.find((s) => s.wantsConnect && !s.connected);
  }

  async step(s: Step): Promise<void> {
    switch (s.t) {
      case 'commit': {
        const event = this.core.commit(s.change);
        const socket = this.connected();
        if (event && socket && this.core.streams(event)) socket.queue.push(['event', event]);
        break;
      }
      case 'connect': {
        const socket = this.attempting();
        if (socket) await this.handshake(socket);
        break;
      }
      case 'refuse': {
        const socket = this.attempting();
        if (!socket) break;
        if (s.unauthenticated) {
          socket.active = false;
          socket.wantsConnect = false;
          socket.fire('connect_error', new Error('unauthenticated'));
        } else {
          socket.fire('connect_error', new Error('service_unavailable'));
        }
        break;
      }
      case 'deliver': {
        const socket = this.connected();
        for (let i = 0; socket?.connected && socket.queue.length && i < s.count; i++) {
          const [name, payload] = socket.queue.shift()!;
          socket.fire(name, payload);
          if (!s.burst) await this.settle();
        }
        break;
      }
      case 'garble': {
        const socket = this.connected();
        if (!socket?.queue.length) break;
        const [name, payload] = socket.queue.shift()!;
        const event = payload as { type?: string; payload?: Record<string, unknown> };
        if (name !== OPS_STREAM.event) socket.fire(name, payload);
        else if (s.envelope) socket.fire(name, { ...event, type: undefined });
        else if (event.type === 'case.upserted')
          socket.fire(name, { ...event, payload: { case: { id: 'x', title: 42 } } });
        else socket.fire(name, { ...event, payload: { caseId: 'x' } });
        await this.settle();
        break;
      }
      case 'drop': {
        const socket = this.connected();
        if (!socket) break;
        socket.connected = false;
        socket.queue = [];
        if (s.reason === 'io server disconnect') socket.active = false;
        else socket.wantsConnect = true;
        socket.fire('disconnect', s.reason);
        break;
      }
      case 'respond':
      case 'fail': {
        if (!this.requests.length) break;
        const [request] = this.requests.splice(s.pick % this.requests.length, 1);
        if (s.t === 'respond') this.respond(request!);
        else request!.reject(new CoreUnreachable('ECONNRESET'));
        break;
      }
      case 'tick':
        vi.advanceTimersByTime(10_000);
        break;
      case 'act': {
        const c = this.core.caseNow(s.caseId);
        if (!c) break;
        const event = this.core.commit({ op: 'upsert', caseId: c.id, status: c.status, assigneeId: 7 })!;
        const socket = this.connected();
        if (socket) socket.queue.push(['event', event]);
        this.answers.push(this.core.caseNow(s.caseId)!);
        break;
      }
      case 'answer': {
        if (!this.answers.length) break;
        const [answer] = this.answers.splice(s.pick % this.answers.length, 1);
        await this.remote().putCase(answer!);
        break;
      }
      case 'restart':
        await this.restart();
        break;
      case 'resync':
        void this.loop.resync();
        break;
    }
    await this.settle();
    this.checkInvariants(s.t);
  }

  private respond(request: PendingRequest): void {
    request.resolve(opsSyncResponseSchema.parse(this.core.syncPage(request.after, request.limit)));
  }

  /** The core's side of a connection (ops-socket.ts): handshake, replay or `resync`, `ready`, then live. */
  private async handshake(socket: FakeSocket): Promise<void> {
    socket.wantsConnect = false;
    const auth = await new Promise<{ lastSeq: number }>((resolve) => socket.opts.auth(resolve));
    socket.connected = true;
    socket.fire('connect');
    const { replay, resync, readySeq } = this.core.handshake(auth.lastSeq, REPLAY_LIMIT);
    socket.queue = replay.map((e): Message => ['event', e]);
    if (resync) socket.queue.push(['resync', { reason: 'too_far_behind', ...resync }]);
    socket.queue.push(['ready', { seq: readySeq, replayed: replay.length }]);
  }

  /** The console quits (what was in flight dies with it) and starts again on the same file. */
  private async restart(): Promise<void> {
    this.clientAlive.alive = false;
    for (const r of this.requests.splice(0)) r.reject(new CoreUnreachable('the console quit'));
    this.answers = [];
    await this.loop.stop();
    for (const s of this.sockets) s.queue = [];
    this.sockets = [];
    this.cache.close();
    this.cache = tmp.open({ account: this.account });
    await this.start();
  }

  private cached(): CaseMap {
    const rows: CaseMap = new Map();
    for (const id of CASE_IDS) {
      const c = this.cache.getCase(id);
      if (c) rows.set(id, c);
    }
    expect(this.cache.fingerprint().count, 'the cache holds a case the model never made').toBe(rows.size);
    return rows;
  }

  checkInvariants(at: string): void {
    // The loop leaves no connection behind: only its newest socket may be connected or connecting.
    const abandoned = this.sockets.slice(0, -1).filter((s) => s.connected || s.wantsConnect);
    expect(abandoned.length, `an abandoned socket reconnects at ${at}`).toBe(0);
    const { lastSeq } = this.cache.syncState();
    if (this.resets !== this.seenResets) {
      // `sync.resync`, or the core's stream restarted: the cache starts again from nothing.
      this.seenResets = this.resets;
      this.highest.clear();
      this.lastSeq = 0;
    }
    expect(lastSeq, `cursor moved back at ${at}`).toBeGreaterThanOrEqual(this.lastSeq);
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

  /**
   * The network calms down: every request is answered, every message arrives, every connection attempt
   * and retry goes through, until nothing is left to do. The loop must then be online and current.
   */
  async converge(): Promise<void> {
    for (let rounds = 0; ; rounds++) {
      expect(rounds, 'the loop does not converge').toBeLessThan(500);
      const socket = this.connected();
      if (this.requests.length) this.respond(this.requests.shift()!);
      else if (socket?.queue.length) {
        for (const [name, payload] of socket.queue.splice(0)) socket.fire(name, payload);
      } else if (this.attempting()) await this.handshake(this.attempting()!);
      else if (vi.getTimerCount()) vi.advanceTimersByTime(10_000);
      else break;
      await this.settle();
      this.checkInvariants('recovery');
    }
    expect(this.loop.status).toMatchObject({ state: 'online', problem: null, snapshot: null });
    this.expectCore();
    // Answers still on their way arrive late: nothing changes.
    for (const answer of this.answers.splice(0)) await this.remote().putCase(answer);
    this.expectCore();
  }

  private expectCore(): void {
    const core = this.core.visibleCases();
    expect(sortedCases(this.cached())).toEqual(sortedCases(core));
    expect(this.cache.fingerprint()).toEqual(queueChecksum(core.values()));
    expect(this.loop.status.lastSeq).toBe(this.cache.syncState().lastSeq);
  }

  async end(): Promise<void> {
    this.clientAlive.alive = false;
    for (const r of this.requests.splice(0)) r.reject(new CoreUnreachable('the test ended'));
    await this.loop.stop();
    this.cache.wipe();
  }
}

const sortedCases = (m: CaseMap) => [...m.values()].sort((a, b) => a.id - b.id);

async function play(steps: readonly Step[]): Promise<void> {
  const h = new Harness();
  try {
    await h.start();
    for (const s of steps) await h.step(s);
    await h.converge();
  } finally {
    await h.end();
  }
}

describe('the sync loop, by property', () => {
  it('is online with the core’s queue after any run of drops, refusals, resyncs, late pages and restarts', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(stepArb, { minLength: 1, maxLength: 60, size: 'max' }), (steps) =>
        play(steps),
      ),
      { seed: SEED, numRuns: RUNS },
    );
  }, 60_000);
});

describe('sync loop examples: counterexamples the property found', () => {
  it('a retry scheduled for a socket that `sync.resync` replaced does not reconnect that socket', async () => {
    // The handshake is refused (expired token): a retry is scheduled for this socket. `sync.resync`
    // then abandons it for a new one; the retry used to reconnect the abandoned socket, which stayed
    // connected, unheard, beside the new one.
    await play([
      { t: 'respond', pick: 0 },
      { t: 'refuse', unauthenticated: true },
      { t: 'resync' },
      { t: 'deliver', count: 1, burst: false },
    ]);
  });

  it('a failed fresh start after `sync.resync` is retried, though a retry for the abandoned socket was pending', async () => {
    // The handshake is refused (expired token): a retry is scheduled. `sync.resync` starts over and its
    // snapshot request fails; the loop keeps one retry timer, so the failure's retry used to be dropped
    // for the pending one, which found its socket abandoned and did nothing: offline for good.
    await play([
      { t: 'respond', pick: 0 },
      { t: 'refuse', unauthenticated: true },
      { t: 'resync' },
      { t: 'fail', pick: 0 },
      { t: 'respond', pick: 0 },
    ]);
  });

  it('a malformed live event is not applied: the sync route fills its place and the console stays online', async () => {
    for (const envelope of [false, true])
      await play([
        { t: 'respond', pick: 0 },
        { t: 'connect' },
        { t: 'commit', change: { op: 'upsert', caseId: 1, status: 'open', assigneeId: null } },
        { t: 'deliver', count: 1, burst: false },
        { t: 'garble', envelope },
        { t: 'respond', pick: 0 },
      ]);
  });
});
