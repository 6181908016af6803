import {
  type BridgeArgs,
  type BridgeMethod,
  type BridgeProblem,
  type BridgeResult,
  bridgeProblem,
} from '@jiangxin/shared/bridge';
import { useCallback, useRef, useState } from 'react';
import { useBridge } from '../bridge';
import { useT } from '../i18n';
import { type Outcome, settle } from './problem';

/** What a screen shows of a change it sends (a button's spinner, the refusal beside it). */
export interface Action<A extends unknown[], T> {
  /**
   * Sends the change. Never rejects: the answer, or the problem (which is also kept in `problem` and
   * `error` until the next run or `reset()`).
   */
  run: (...args: A) => Promise<Outcome<T>>;
  /** A run is on its way. */
  busy: boolean;
  /** Why the last run was refused, null after a run that went through. */
  problem: BridgeProblem | null;
  /** `problem`'s message in the person's language. */
  error: string | null;
  /** Forgets the last refusal (an Alert closed, a dialog reopened). */
  reset: () => void;
}

export interface ActionOptions {
  /** One run at a time: a run while one is out does nothing and resolves `busy` (a double click, a shortcut). */
  exclusive?: boolean;
}

const BUSY = bridgeProblem('busy', { zh: '上一个操作仍在进行', en: 'The previous action is still running' });

/** A change through any async work: `useAction((id: number) => bridge.call('cannedReplies.delete', { id }))`. */
export function useAction<A extends unknown[], T>(
  work: (...args: A) => Promise<T>,
  options: ActionOptions = {},
): Action<A, T> {
  const { pick } = useT();
  const [running, setRunning] = useState(0);
  const [problem, setProblem] = useState<BridgeProblem | null>(null);
  const out = useRef(0);
  const latest = useRef(work);
  latest.current = work;
  const exclusive = options.exclusive ?? false;

  const run = useCallback(
    async (...args: A): Promise<Outcome<T>> => {
      if (exclusive && out.current > 0) return { ok: false, problem: BUSY };
      out.current += 1;
      setRunning((n) => n + 1);
      setProblem(null);
      const outcome = await settle(Promise.resolve().then(() => latest.current(...args)));
      out.current -= 1;
      setRunning((n) => n - 1);
      if (!outcome.ok) setProblem(outcome.problem);
      return outcome;
    },
    [exclusive],
  );
  const reset = useCallback(() => setProblem(null), []);
  return { run, busy: running > 0, problem, error: problem ? pick(problem.message) : null, reset };
}

/** `useAction` of one bridge method: `const create = useBridgeMutation('staff.create'); create.run({…})`. */
export function useBridgeMutation<M extends BridgeMethod>(
  method: M,
  options: ActionOptions = {},
): Action<[args: BridgeArgs<M>], BridgeResult<M>> {
  const bridge = useBridge();
  return useAction((args: BridgeArgs<M>) => bridge.call(method, args), options);
}
