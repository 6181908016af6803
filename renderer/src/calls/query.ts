import type { BridgeArgs, BridgeMethod, BridgeProblem, BridgeResult } from '@jiangxin/shared/bridge';
import { useCallback, useEffect, useEffectEvent, useState } from 'react';
import { useBridge, useConnection } from '../bridge';
import { useT } from '../i18n';
import { settle } from './problem';

/** What a screen shows of one read. */
export interface Query<T> {
  /** The last answer (kept while the same read is asked again; see `keepPreviousData`). */
  data: T | undefined;
  /** Why the last attempt failed, null after an answer. */
  problem: BridgeProblem | null;
  /** `problem`'s message in the person's language. */
  error: string | null;
  /** A read is on its way (also before the link to the engine has opened). */
  loading: boolean;
  /** Asks again (a Retry button, an engine event saying the data changed). */
  reload: () => void;
}

export interface QueryOptions<T> {
  /**
   * Keep showing the last answer while a different read (another filter, another range) is on its
   * way, instead of starting empty. An answer to the same read is always kept while it is asked again.
   */
  keepPreviousData?: boolean;
  /** Runs with each fresh answer before it is shown (merging pages into state the screen keeps). */
  onData?: (data: T) => void;
  /** Runs with each refusal (a screen that leaves what it shows for a failure page). */
  onError?: (problem: BridgeProblem) => void;
}

interface Held<T> {
  key: string | undefined;
  data: T | undefined;
  problem: BridgeProblem | null;
  loading: boolean;
}

/**
 * One read, as every screen needs it: asked when `key` changes, when `reload()` is called and whenever
 * the link to the engine opens again (a reconnect may have missed events); an answer to an older key or
 * an older attempt never overwrites a newer one. `read` null: nothing to ask (yet).
 *
 * `key` names what is read (compared as JSON): the read itself may differ per call (a time range ending
 * now) without asking again on every render.
 */
export function useQuery<T>(
  read: (() => Promise<T>) | null,
  key: unknown,
  options: QueryOptions<T> = {},
): Query<T> {
  const { opens } = useConnection();
  const { pick } = useT();
  const keyText = JSON.stringify(key) ?? '';
  const enabled = read !== null;
  const keep = options.keepPreviousData ?? false;
  const [held, setHeld] = useState<Held<T>>({
    key: undefined,
    data: undefined,
    problem: null,
    loading: false,
  });
  const [attempt, setAttempt] = useState(0);
  const ask = useEffectEvent(() => read?.());
  const landed = useEffectEvent((data: T) => options.onData?.(data));
  const refused = useEffectEvent((problem: BridgeProblem) => options.onError?.(problem));

  // biome-ignore lint/correctness/useExhaustiveDependencies: `attempt` is reload()'s re-run trigger
  useEffect(() => {
    if (!enabled || opens === 0) return;
    let current = true;
    setHeld((h) => ({ ...h, loading: true }));
    void settle(ask() ?? Promise.reject(new Error('nothing to read'))).then((outcome) => {
      if (!current) return;
      if (outcome.ok) {
        landed(outcome.value);
        setHeld({ key: keyText, data: outcome.value, problem: null, loading: false });
      } else {
        refused(outcome.problem);
        setHeld((h) => ({
          key: keyText,
          data: h.key === keyText || keep ? h.data : undefined,
          problem: outcome.problem,
          loading: false,
        }));
      }
    });
    return () => {
      current = false;
    };
  }, [keyText, enabled, opens, attempt, keep]);

  const reload = useCallback(() => setAttempt((n) => n + 1), []);
  // Until the new key's first answer, what is held belongs to the previous key.
  const same = held.key === keyText;
  const problem = same ? held.problem : null;
  return {
    data: same || keep ? held.data : undefined,
    problem,
    error: problem ? pick(problem.message) : null,
    loading: enabled && (held.loading || !same),
    reload,
  };
}

/**
 * `useQuery` of one bridge method: `useBridgeQuery('staff.list', {})`. `args` null: nothing to ask yet.
 * The arguments are the key unless `options.key` names the read otherwise.
 */
export function useBridgeQuery<M extends BridgeMethod>(
  method: M,
  args: BridgeArgs<M> | null,
  options: QueryOptions<BridgeResult<M>> & { key?: unknown } = {},
): Query<BridgeResult<M>> {
  const bridge = useBridge();
  const { key, ...rest } = options;
  return useQuery(
    args === null ? null : () => bridge.call(method, args),
    [method, key === undefined ? args : key],
    rest,
  );
}
