import type { BridgeArgs } from '@jiangxin/shared/bridge';
import type { CaseSummary } from '@jiangxin/shared/ops/cases';
import { useCallback, useEffect, useRef, useState } from 'react';
import { problemOf, useBridge, useBridgeEvent, useConnection } from '../../bridge';

/** The query the queue asks the cache for, without the window (offset/limit). */
export type CaseQuery = Omit<BridgeArgs<'cases.list'>, 'offset' | 'limit'>;

/** Rows read around the visible range, so scrolling a few rows never waits for the bridge. */
const MARGIN = 150;
const MIN_WINDOW = 400;
/** Bursts of `cases.changed` (a busy queue) are folded into one re-read. */
const CHANGES_DEBOUNCE_MS = 150;

export interface CaseWindow {
  /** Rows matching the query (null until the first answer). */
  total: number | null;
  /** The row at a position in the sorted queue, when its window is loaded. */
  rowAt(index: number): CaseSummary | undefined;
  /** The rows currently held (the table's data), and the position of the first. */
  rows: readonly CaseSummary[];
  offset: number;
  /** Asks for the rows around [start, end) when they are not held yet. */
  ensure(start: number, end: number): void;
  error: { zh: string; en: string } | null;
  reload(): void;
}

/**
 * A queue of any length (100k cases) read from the offline cache one window at a time: the total and
 * the rows around what is on screen, re-read when the cache changes, the query changes or the page's
 * link to the engine comes back. Only the newest request's answer is kept.
 */
export function useCaseWindow(query: CaseQuery): CaseWindow {
  const bridge = useBridge();
  const { opens } = useConnection();
  const key = JSON.stringify(query);
  const [state, setState] = useState<{
    key: string;
    offset: number;
    rows: CaseSummary[];
    total: number;
  } | null>(null);
  const [error, setError] = useState<{ zh: string; en: string } | null>(null);
  const wanted = useRef({ start: 0, end: MIN_WINDOW });
  const generation = useRef(0);
  const changeTimer = useRef<ReturnType<typeof setTimeout> | null>(null);

  // One read at a time: a fast scroll asks for a new window every frame, and queuing them all would
  // leave the engine answering windows the page has long scrolled past. While a read is out, only the
  // newest wish is kept, and it is read when the answer arrives.
  const inFlight = useRef(false);
  const next = useRef<{ start: number; end: number } | null>(null);
  const latest = useRef<(start: number, end: number) => void>(() => {});

  const load = useCallback(
    (start: number, end: number) => {
      if (inFlight.current) {
        next.current = { start, end };
        return;
      }
      inFlight.current = true;
      next.current = null;
      const offset = Math.max(0, start - MARGIN);
      const limit = Math.max(MIN_WINDOW, end - start + 2 * MARGIN);
      const mine = ++generation.current;
      const done = () => {
        // A read for an older query was superseded: the newer one owns the slot.
        if (mine !== generation.current) return;
        inFlight.current = false;
        const wish = next.current;
        if (wish) latest.current(wish.start, wish.end);
      };
      bridge
        .call('cases.list', { ...(JSON.parse(key) as CaseQuery), offset, limit })
        .then(
          (result) => {
            if (mine !== generation.current) return;
            setState({ key, offset, rows: result.items, total: result.total });
            setError(null);
          },
          (err: unknown) => {
            if (mine === generation.current) setError(problemOf(err).message);
          },
        )
        .finally(done);
    },
    [bridge, key],
  );
  latest.current = load;

  // A new query starts at the top; a re-opened link re-reads what is on screen.
  useEffect(() => {
    wanted.current = { start: 0, end: MIN_WINDOW };
    if (opens === 0) return;
    // A new query (or a re-opened link) wins over a read still out for the old one: that answer is
    // dropped (generation), and this read goes out now.
    generation.current += 1;
    inFlight.current = false;
    load(0, MIN_WINDOW);
  }, [load, opens]);

  const reload = useCallback(() => load(wanted.current.start, wanted.current.end), [load]);

  useBridgeEvent('cases.changed', () => {
    changeTimer.current ??= setTimeout(() => {
      changeTimer.current = null;
      reload();
    }, CHANGES_DEBOUNCE_MS);
  });
  useEffect(
    () => () => {
      if (changeTimer.current) clearTimeout(changeTimer.current);
    },
    [],
  );

  // While a new query (filter, sort, search) is on its way the previous rows stay on screen rather than
  // flashing a spinner; they are replaced as soon as the answer arrives.
  const current = state;
  const fresh = state?.key === key;

  const ensure = useCallback(
    (start: number, end: number) => {
      wanted.current = { start, end };
      if (!current || !fresh) return;
      const held = current.offset <= start && end <= current.offset + current.rows.length;
      const atEnd = current.offset + current.rows.length >= current.total && end >= current.total;
      if (!held && !(atEnd && current.offset <= start)) load(start, end);
    },
    [current, fresh, load],
  );

  return {
    total: current?.total ?? null,
    rows: current?.rows ?? [],
    offset: current?.offset ?? 0,
    rowAt: (index) => (current ? current.rows[index - current.offset] : undefined),
    ensure,
    error,
    reload,
  };
}
