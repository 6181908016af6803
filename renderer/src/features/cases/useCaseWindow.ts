import type { BridgeArgs } from '@jiangxin/shared/bridge';
import type { CaseSummary } from '@jiangxin/shared/ops/cases';
import { useCallback, useEffect, useRef, useState } from 'react';
import { useBridge, useBridgeEvent, useConnection } from '../../bridge';
import { settle } from '../../calls';
import { earlyPage, takeEarlyRead } from './prefetch';

/** The query the queue asks the cache for, without the window (offset/limit). */
export type CaseQuery = Omit<BridgeArgs<'cases.list'>, 'offset' | 'limit'>;

/** Rows read around the visible range, so scrolling a few rows never waits for the bridge. */
const MARGIN = 150;
const MIN_WINDOW = 600;
/** A scroll reads ahead: its window keeps this many rows behind the visible ones, the rest ahead. */
const BEHIND = 50;
/** …and asks for the next window once fewer than this many rows are held ahead of the visible ones. */
const LOOKAHEAD = 300;
/** Bursts of `cases.changed` (a busy queue) are folded into one re-read. */
const CHANGES_DEBOUNCE_MS = 150;

/**
 * The cache window read for the rows [start, end): at least MIN_WINDOW rows, a margin on both sides when
 * the rows are still (`direction` 0), mostly ahead of them while scrolling (1 down, -1 up).
 */
function windowFor(start: number, end: number, direction: number): { offset: number; limit: number } {
  const limit = Math.max(MIN_WINDOW, end - start + 2 * MARGIN);
  if (direction > 0) return { offset: Math.max(0, start - BEHIND), limit };
  if (direction < 0) return { offset: Math.max(0, end + BEHIND - limit), limit };
  return { offset: Math.max(0, start - MARGIN), limit };
}

/**
 * The window a queue reads first: its top, a few screens of rows — small, so the first rows show soon
 * (the next window is read as soon as the queue scrolls). A start-up read asks for it in advance
 * (prefetch.ts).
 */
const FIRST_WINDOW = 100;
export function firstWindow(): { offset: number; limit: number } {
  return { offset: 0, limit: FIRST_WINDOW };
}

/**
 * Rows to read: the visible range, the scroll's direction, and whether it is only a read ahead, or a
 * re-read after the cache changed (never skipped: an answer already on its way may predate the change).
 */
interface Wish {
  start: number;
  end: number;
  direction: number;
  ahead: boolean;
  again?: boolean;
  /** The window to read, when not the one `windowFor` gives (the first read). */
  window?: { offset: number; limit: number };
}

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
  // A start-up read that has already been answered is shown by the first render.
  const [state, setState] = useState<{
    key: string;
    offset: number;
    rows: CaseSummary[];
    total: number;
  } | null>(() => {
    const { offset, limit } = firstWindow();
    const page = earlyPage(key, offset, limit);
    return page ? { key, offset, rows: page.items, total: page.total } : null;
  });
  const [error, setError] = useState<{ zh: string; en: string } | null>(null);
  const wanted = useRef({ start: 0, end: FIRST_WINDOW });
  const generation = useRef(0);
  const changeTimer = useRef<ReturnType<typeof setTimeout> | null>(null);

  // One read at a time: a fast scroll asks for a new window every frame, and queuing them all would
  // leave the engine answering windows the page has long scrolled past. While a read is out, only the
  // newest wish is kept, and it is read when the answer arrives unless that answer holds its rows. A
  // read-ahead wish is dropped then (the next frame asks again, knowing the new rows).
  const inFlight = useRef(false);
  const next = useRef<Wish | null>(null);
  const latest = useRef<(wish: Wish) => void>(() => {});

  const load = useCallback(
    (wish: Wish) => {
      if (inFlight.current) {
        const queued = next.current;
        if (!wish.ahead || !queued || queued.ahead)
          next.current = queued?.again ? { ...wish, ahead: false, again: true } : wish;
        return;
      }
      inFlight.current = true;
      next.current = null;
      const { offset, limit } = wish.window ?? windowFor(wish.start, wish.end, wish.direction);
      const mine = ++generation.current;
      let got: { from: number; to: number } | null = null;
      const done = () => {
        // A read for an older query was superseded: the newer one owns the slot.
        if (mine !== generation.current) return;
        inFlight.current = false;
        const after = next.current;
        next.current = null;
        if (!after || after.ahead) return;
        if (!after.again && got && got.from <= after.start && after.end <= got.to) return;
        latest.current(after);
      };
      const read = () => bridge.call('cases.list', { ...(JSON.parse(key) as CaseQuery), offset, limit });
      // The start-up read, when it asked for this window (and, should it fail, a read of our own).
      const early = takeEarlyRead(key, offset, limit);
      void settle(early ? early.catch(read) : read())
        .then((outcome) => {
          if (mine !== generation.current) return;
          if (!outcome.ok) return setError(outcome.problem.message);
          const result = outcome.value;
          got = { from: offset, to: offset + result.items.length };
          setState((held) =>
            held?.key === key && held.rows === result.items
              ? held
              : { key, offset, rows: result.items, total: result.total },
          );
          setError(null);
        })
        .finally(done);
    },
    [bridge, key],
  );
  latest.current = load;

  // A new query starts at the top; a re-opened link re-reads what is on screen.
  useEffect(() => {
    wanted.current = { start: 0, end: FIRST_WINDOW };
    if (opens === 0) return;
    // A new query (or a re-opened link) wins over a read still out for the old one: that answer is
    // dropped (generation), and this read goes out now.
    generation.current += 1;
    inFlight.current = false;
    load({ start: 0, end: FIRST_WINDOW, direction: 0, ahead: false, window: firstWindow() });
  }, [load, opens]);

  const reload = useCallback(
    () => load({ ...wanted.current, direction: 0, ahead: false, again: true }),
    [load],
  );

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
      const direction = Math.sign(start - wanted.current.start);
      wanted.current = { start, end };
      if (!current || !fresh) return;
      const from = current.offset;
      const to = current.offset + current.rows.length;
      const held = from <= start && end <= to;
      const atEnd = to >= current.total && end >= current.total;
      if (!held && !(atEnd && from <= start)) load({ start, end, direction, ahead: false });
      // A scroll about to run out of held rows asks for the next ones before they are on screen.
      else if (direction > 0 && to < current.total && to - end < LOOKAHEAD)
        load({ start, end, direction, ahead: true });
      else if (direction < 0 && from > 0 && start - from < LOOKAHEAD)
        load({ start, end, direction, ahead: true });
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
