import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_WINDOW_STATE,
  loadWindowState,
  parseWindowState,
  placeWindow,
  saveWindowState,
} from './window-state';

const PRIMARY = { x: 0, y: 0, width: 1920, height: 1040 };
const RIGHT = { x: 1920, y: 0, width: 2560, height: 1400 };

describe('placeWindow', () => {
  it('centres a first launch on the primary display', () => {
    expect(placeWindow(DEFAULT_WINDOW_STATE, [PRIMARY], PRIMARY)).toEqual({
      x: 320,
      y: 120,
      width: 1280,
      height: 800,
    });
  });

  it('keeps a saved position that is still on screen', () => {
    const state = { x: 2100, y: 100, width: 1400, height: 900, maximized: false };
    expect(placeWindow(state, [PRIMARY, RIGHT], PRIMARY)).toEqual({
      x: 2100,
      y: 100,
      width: 1400,
      height: 900,
    });
  });

  it('moves a window from a display that no longer exists onto the primary display', () => {
    const state = { x: 2100, y: 100, width: 1400, height: 900, maximized: false };
    expect(placeWindow(state, [PRIMARY], PRIMARY)).toEqual({ x: 260, y: 70, width: 1400, height: 900 });
  });

  it('treats a sliver left on screen as gone', () => {
    const state = { x: 1900, y: 100, width: 1280, height: 800, maximized: false };
    expect(placeWindow(state, [PRIMARY], PRIMARY)).toEqual({ x: 320, y: 120, width: 1280, height: 800 });
  });

  it('pulls a window hanging over an edge fully onto its display', () => {
    const state = { x: 1000, y: -50, width: 1280, height: 800, maximized: false };
    expect(placeWindow(state, [PRIMARY], PRIMARY)).toEqual({ x: 640, y: 0, width: 1280, height: 800 });
  });

  it('shrinks a window larger than its display, never below what the display allows', () => {
    const small = { x: 0, y: 0, width: 800, height: 600 };
    const state = { x: 0, y: 0, width: 3000, height: 2000, maximized: false };
    expect(placeWindow(state, [small], small)).toEqual({ x: 0, y: 0, width: 800, height: 600 });
  });

  it('uses the display showing most of the window, with negative coordinates', () => {
    const left = { x: -1280, y: 0, width: 1280, height: 1024 };
    const state = { x: -1200, y: 50, width: 1100, height: 700, maximized: true };
    expect(placeWindow(state, [PRIMARY, left], PRIMARY)).toEqual({
      x: -1200,
      y: 50,
      width: 1100,
      height: 700,
    });
  });
});

describe('parseWindowState', () => {
  it('keeps a valid state, dropping a half position', () => {
    expect(parseWindowState({ width: 1300, height: 900, x: 10, y: 20, maximized: true })).toEqual({
      width: 1300,
      height: 900,
      x: 10,
      y: 20,
      maximized: true,
    });
    expect(parseWindowState({ width: 1300, height: 900, x: 10 })).toEqual({
      width: 1300,
      height: 900,
      maximized: false,
    });
  });

  it.each([
    null,
    'big',
    { width: -1, height: 900 },
    { width: 1.5, height: 900 },
    { height: 900 },
  ])('falls back to the default for %j', (raw) => {
    expect(parseWindowState(raw)).toEqual(DEFAULT_WINDOW_STATE);
  });
});

describe('the state file', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'jx-window-state-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('round-trips through userData', () => {
    const file = path.join(dir, 'nested', 'window-state.json');
    const state = { x: 5, y: 6, width: 1100, height: 700, maximized: true };
    saveWindowState(file, state);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(state);
    expect(loadWindowState(file)).toEqual(state);
  });

  it('starts from the default when the file is missing or corrupt', () => {
    expect(loadWindowState(path.join(dir, 'missing.json'))).toEqual(DEFAULT_WINDOW_STATE);
    const corrupt = path.join(dir, 'corrupt.json');
    writeFileSync(corrupt, '{"width": 12');
    expect(loadWindowState(corrupt)).toEqual(DEFAULT_WINDOW_STATE);
  });
});
