import { type BridgeProblem, bridgeProblemSchema } from '@jiangxin/shared/bridge';

/**
 * The problem behind a failed call. Duck-typed rather than `instanceof BridgeCallError`: an error that
 * crossed Electron's contextBridge keeps its own properties but not its class.
 */
export function problemOf(err: unknown): BridgeProblem {
  const parsed = bridgeProblemSchema.safeParse((err as { problem?: unknown } | null)?.problem);
  if (parsed.success) return parsed.data;
  return {
    code: 'unexpected',
    status: null,
    message: { zh: '发生了意外错误', en: err instanceof Error ? err.message : String(err) },
    extra: {},
  };
}

/** A call's end: its answer, or the problem it was refused with. */
export type Outcome<T> = { ok: true; value: T } | { ok: false; problem: BridgeProblem };

/** Waits for `work` and never rejects: the answer, or the bridge problem in both languages. */
export function settle<T>(work: Promise<T>): Promise<Outcome<T>> {
  return work.then(
    (value) => ({ ok: true, value }),
    (err: unknown) => ({ ok: false, problem: problemOf(err) }),
  );
}

/** The case's current version when the core refused a stale one (`case_version_conflict`), else null. */
export function currentVersionOf(err: unknown): number | null {
  const p = problemOf(err);
  const v = p.extra['currentVersion'];
  return p.code === 'case_version_conflict' && typeof v === 'number' ? v : null;
}
