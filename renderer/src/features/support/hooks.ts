import { useCallback, useEffect, useRef, useState } from 'react';
import { useAction } from '../../calls';

/**
 * A re-read trigger folded over bursts: `bump()` as often as events come, `tick` moves once `ms` after
 * the first of them. Use `tick` as an effect dependency.
 */
export function useDebouncedTick(ms: number): [tick: number, bump: () => void] {
  const [tick, setTick] = useState(0);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const bump = useCallback(() => {
    timer.current ??= setTimeout(() => {
      timer.current = null;
      setTick((n) => n + 1);
    }, ms);
  }, [ms]);
  useEffect(
    () => () => {
      if (timer.current) clearTimeout(timer.current);
      timer.current = null;
    },
    [],
  );
  return [tick, bump];
}

/** Whether the page is in front of the person (a hidden tab or minimised window is not). */
export function usePageVisible(): boolean {
  const [visible, setVisible] = useState(() => document.visibilityState !== 'hidden');
  useEffect(() => {
    const update = () => setVisible(document.visibilityState !== 'hidden');
    document.addEventListener('visibilitychange', update);
    return () => document.removeEventListener('visibilitychange', update);
  }, []);
  return visible;
}

/**
 * A dialog's send: `run(work, then)` marks it busy, clears the last problem, and on a refusal shows the
 * core's reason (zh/en) and keeps the dialog open; `then` runs with the answer (usually closing the
 * dialog). `setProblem` is for what the dialog checks itself before sending.
 */
export function useDialogSubmit() {
  const [checked, setChecked] = useState<string | null>(null);
  const send = useAction((work: () => Promise<unknown>) => work());
  const { run: runAction, reset } = send;
  const run = useCallback(
    <T>(work: () => Promise<T>, then: (answer: T) => void) => {
      setChecked(null);
      void runAction(work).then((outcome) => outcome.ok && then(outcome.value as T));
    },
    [runAction],
  );
  const setProblem = useCallback(
    (problem: string | null) => {
      reset();
      setChecked(problem);
    },
    [reset],
  );
  return { problem: checked ?? send.error, setProblem, busy: send.busy, run };
}
