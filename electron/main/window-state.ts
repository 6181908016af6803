import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The window's size, position and maximized flag, remembered between launches in a small JSON file in
 * userData. The placement logic is pure (displays are passed in) so it is tested without a screen.
 */

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface WindowState {
  width: number;
  height: number;
  /** Absent on first launch: the window is centred on the primary display. */
  x?: number;
  y?: number;
  maximized: boolean;
}

export const DEFAULT_WINDOW_STATE: WindowState = { width: 1280, height: 800, maximized: false };
export const MIN_WINDOW_SIZE = { width: 1024, height: 640 } as const;

/** How much of the window must lie on a display for it to count as reachable there (the title bar). */
const MIN_VISIBLE = { width: 120, height: 40 } as const;

const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);

/** A stored state, or the default when the file was missing, corrupt or from an older shape. */
export function parseWindowState(raw: unknown): WindowState {
  if (typeof raw !== 'object' || raw === null) return { ...DEFAULT_WINDOW_STATE };
  const r = raw as Record<string, unknown>;
  if (!isInt(r['width']) || !isInt(r['height']) || r['width'] <= 0 || r['height'] <= 0)
    return { ...DEFAULT_WINDOW_STATE };
  const state: WindowState = { width: r['width'], height: r['height'], maximized: r['maximized'] === true };
  if (isInt(r['x']) && isInt(r['y'])) {
    state.x = r['x'];
    state.y = r['y'];
  }
  return state;
}

function overlap(a: Rect, b: Rect): { width: number; height: number } {
  return {
    width: Math.max(0, Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x)),
    height: Math.max(0, Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y)),
  };
}

const clamp = (v: number, min: number, max: number) => Math.min(Math.max(v, min), max);

/**
 * Where the window opens, given the displays' work areas now: on the display that shows most of the
 * saved bounds, moved and shrunk to fit inside it; centred on the primary display when the saved
 * position is unknown or on a display that is gone (an unplugged monitor, a changed arrangement).
 */
export function placeWindow(state: WindowState, workAreas: readonly Rect[], primary: Rect): Rect {
  let target = primary;
  let positioned = false;
  if (state.x !== undefined && state.y !== undefined) {
    const saved = { x: state.x, y: state.y, width: state.width, height: state.height };
    let best = 0;
    for (const area of workAreas) {
      const o = overlap(saved, area);
      const visible = o.width >= MIN_VISIBLE.width && o.height >= MIN_VISIBLE.height ? o.width * o.height : 0;
      if (visible > best) {
        best = visible;
        target = area;
      }
    }
    positioned = best > 0;
  }
  const width = clamp(state.width, Math.min(MIN_WINDOW_SIZE.width, target.width), target.width);
  const height = clamp(state.height, Math.min(MIN_WINDOW_SIZE.height, target.height), target.height);
  if (!positioned)
    return {
      x: target.x + Math.round((target.width - width) / 2),
      y: target.y + Math.round((target.height - height) / 2),
      width,
      height,
    };
  return {
    x: clamp(state.x!, target.x, target.x + target.width - width),
    y: clamp(state.y!, target.y, target.y + target.height - height),
    width,
    height,
  };
}

export function loadWindowState(file: string): WindowState {
  try {
    return parseWindowState(JSON.parse(readFileSync(file, 'utf8')));
  } catch {
    return { ...DEFAULT_WINDOW_STATE };
  }
}

/** Written synchronously (it runs while the window closes, right before quitting) and atomically. */
export function saveWindowState(file: string, state: WindowState): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, JSON.stringify(state));
  renameSync(tmp, file);
}
