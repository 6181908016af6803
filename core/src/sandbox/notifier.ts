import type { Logger } from 'pino';

const S = 1000;
const M = 60 * S;
const H = 60 * M;

/** Alipay's documented async-notify retry intervals after the first attempt: 4m, 10m, 10m, 1h, 2h, 6h, 15h. */
export const ALIPAY_RETRY_SCHEDULE_MS: readonly number[] = [
  4 * M,
  10 * M,
  10 * M,
  1 * H,
  2 * H,
  6 * H,
  15 * H,
];

/** WeChat Pay's documented notify retry intervals: 15s 15s 30s 3m 10m 20m 30m 30m 30m 60m 3h 3h 3h 6h 6h. */
export const WECHAT_RETRY_SCHEDULE_MS: readonly number[] = [
  15 * S,
  15 * S,
  30 * S,
  3 * M,
  10 * M,
  20 * M,
  30 * M,
  30 * M,
  30 * M,
  60 * M,
  3 * H,
  3 * H,
  3 * H,
  6 * H,
  6 * H,
];

/** One delivery attempt of an async notification, as the merchant's endpoint answered it. */
export interface NotificationAttempt {
  /** 1-based attempt number within this notification's log. */
  attempt: number;
  /** `scheduled` for the initial send and the retries, `resend` for a manual duplicate. */
  kind: 'scheduled' | 'resend';
  /** The (time-scaled) wait before this attempt; 0 for the first one and for resends. */
  scheduledDelayMs: number;
  /** When the attempt started (ISO). */
  at: string;
  httpStatus: number | null;
  /** The response body (truncated), or empty when the request failed. */
  answer: string;
  /** Whether the answer stops the retries (Alipay: body `success`; WeChat: 2xx). */
  acknowledged: boolean;
  error?: string;
}

/** A notification ready to deliver; `build` runs per attempt so signatures can carry a fresh timestamp. */
export interface OutgoingNotification {
  url: string;
  build(): { headers: Record<string, string>; body: string };
  isAcknowledged(status: number, body: string): boolean;
}

interface Chain {
  notification: OutgoingNotification;
  schedule: readonly number[];
  attempts: NotificationAttempt[];
  timer: NodeJS.Timeout | undefined;
  done: boolean;
  waiters: Array<() => void>;
}

/**
 * Delivers notifications with the providers' retry schedules, scaled by `timeScale`, keeping a log per
 * key. `close()` cancels every timer and in-flight request, so a closed sandbox sends nothing more.
 */
export class Notifier {
  readonly #chains = new Map<string, Chain>();
  readonly #inflight = new Set<Promise<unknown>>();
  readonly #abort = new AbortController();
  #closed = false;

  constructor(private readonly opts: { timeScale: number; timeoutMs?: number; log?: Logger }) {}

  /** Starts (or restarts) delivery for `key`: one attempt now, then the schedule until acknowledged. */
  start(key: string, notification: OutgoingNotification, schedule: readonly number[]): void {
    if (this.#closed) return;
    const previous = this.#chains.get(key);
    if (previous) this.#finish(previous);
    const chain: Chain = {
      notification,
      schedule,
      attempts: previous?.attempts ?? [],
      timer: undefined,
      done: false,
      waiters: [],
    };
    this.#chains.set(key, chain);
    this.#schedule(chain, 0, 0);
  }

  #schedule(chain: Chain, index: number, delayMs: number): void {
    chain.timer = setTimeout(() => {
      chain.timer = undefined;
      const p = this.#attempt(chain, 'scheduled', delayMs).then((a) => {
        if (chain.done || this.#closed) return;
        if (a.acknowledged || index >= chain.schedule.length) return this.#finish(chain);
        const next = chain.schedule[index]! / this.opts.timeScale;
        this.#schedule(chain, index + 1, next);
      });
      this.#track(p);
    }, delayMs);
  }

  #track(p: Promise<unknown>): void {
    this.#inflight.add(p);
    void p.finally(() => this.#inflight.delete(p));
  }

  #finish(chain: Chain): void {
    if (chain.timer) clearTimeout(chain.timer);
    chain.timer = undefined;
    chain.done = true;
    for (const w of chain.waiters.splice(0)) w();
  }

  async #attempt(
    chain: Chain,
    kind: NotificationAttempt['kind'],
    delayMs: number,
  ): Promise<NotificationAttempt> {
    const { url, isAcknowledged } = chain.notification;
    const { headers, body } = chain.notification.build();
    const record: NotificationAttempt = {
      attempt: chain.attempts.length + 1,
      kind,
      scheduledDelayMs: delayMs,
      at: new Date().toISOString(),
      httpStatus: null,
      answer: '',
      acknowledged: false,
    };
    chain.attempts.push(record);
    try {
      const signal = AbortSignal.any([this.#abort.signal, AbortSignal.timeout(this.opts.timeoutMs ?? 5000)]);
      const res = await fetch(url, { method: 'POST', headers, body, signal });
      const answer = await res.text();
      record.httpStatus = res.status;
      record.answer = answer.slice(0, 500);
      record.acknowledged = isAcknowledged(res.status, answer);
    } catch (err) {
      record.error = (err as Error).message;
    }
    this.opts.log?.debug(
      { url, attempt: record.attempt, status: record.httpStatus, ack: record.acknowledged },
      'sandbox notification',
    );
    return record;
  }

  /** The delivery log of `key` (empty when nothing was sent). */
  attempts(key: string): NotificationAttempt[] {
    return [...(this.#chains.get(key)?.attempts ?? [])];
  }

  /** Sends the same notification once more right now (a duplicate, as gateways do); does not touch the schedule. */
  async resend(key: string): Promise<NotificationAttempt> {
    const chain = this.#chains.get(key);
    if (!chain) throw new Error(`no notification was ever sent for ${key}`);
    if (this.#closed) throw new Error('sandbox is closed');
    const p = this.#attempt(chain, 'resend', 0);
    this.#track(p);
    return p;
  }

  /** Resolves with the log once `key`'s delivery stopped: acknowledged, schedule exhausted, or closed. */
  settled(key: string): Promise<NotificationAttempt[]> {
    const chain = this.#chains.get(key);
    if (!chain) return Promise.reject(new Error(`no notification was ever sent for ${key}`));
    if (chain.done) return Promise.resolve(this.attempts(key));
    return new Promise((resolve) => chain.waiters.push(() => resolve(this.attempts(key))));
  }

  /** Cancels all timers and aborts in-flight deliveries; waits for them to unwind. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const chain of this.#chains.values()) this.#finish(chain);
    this.#abort.abort();
    await Promise.allSettled([...this.#inflight]);
  }
}
