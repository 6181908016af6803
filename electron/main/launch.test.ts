import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findElectronBinary, type LaunchDeps, MISSING_BINARY_MESSAGE, startDesktop } from './launch';

describe('findElectronBinary', () => {
  const pkg = mkdtempSync(path.join(tmpdir(), 'jx-electron-pkg-'));
  afterAll(() => rmSync(pkg, { recursive: true, force: true }));

  it('is null when the download never happened (no path.txt) or the package is absent', () => {
    expect(findElectronBinary({ packageDir: pkg, env: {} })).toBeNull();
    expect(findElectronBinary({ packageDir: null, env: {} })).toBeNull();
  });

  it('is null when path.txt names a binary that is not there', () => {
    writeFileSync(path.join(pkg, 'path.txt'), 'electron');
    expect(findElectronBinary({ packageDir: pkg, env: {} })).toBeNull();
  });

  it('finds the downloaded binary, or the one ELECTRON_OVERRIDE_DIST_PATH points to', () => {
    mkdirSync(path.join(pkg, 'dist'), { recursive: true });
    writeFileSync(path.join(pkg, 'dist', 'electron'), '');
    expect(findElectronBinary({ packageDir: pkg, env: {} })).toBe(path.join(pkg, 'dist', 'electron'));
    const other = mkdtempSync(path.join(tmpdir(), 'jx-electron-dist-'));
    writeFileSync(path.join(other, 'electron'), '');
    expect(findElectronBinary({ packageDir: pkg, env: { ELECTRON_OVERRIDE_DIST_PATH: other } })).toBe(
      path.join(other, 'electron'),
    );
    rmSync(other, { recursive: true, force: true });
  });
});

describe('startDesktop', () => {
  const deps = (binary: string | null) => {
    const printed: string[] = [];
    const ran: string[][] = [];
    const d: LaunchDeps = {
      findBinary: () => binary,
      print: (t) => printed.push(t),
      run: async (command, args) => {
        ran.push([command, ...args]);
        return 0;
      },
      rendererBuilt: () => true,
    };
    return { d, printed, ran };
  };

  it('without the binary: explains in Chinese and English, points to the web console, exits 0', async () => {
    const { d, printed, ran } = deps(null);
    expect(await startDesktop(d)).toBe(0);
    expect(printed).toEqual([MISSING_BINARY_MESSAGE]);
    expect(MISSING_BINARY_MESSAGE).toContain('本机没有安装 Electron');
    expect(MISSING_BINARY_MESSAGE).toContain('the Electron binary is not installed on this machine');
    expect(MISSING_BINARY_MESSAGE).toContain('npm run start:web');
    expect(ran).toEqual([]);
  });

  it('with the binary: builds dist/, then runs Electron on the electron/ folder', async () => {
    const { d, printed, ran } = deps('/opt/electron/electron');
    expect(await startDesktop(d)).toBe(0);
    expect(printed).toEqual([]);
    expect(ran).toHaveLength(2);
    expect(ran[0]![1]).toMatch(/scripts[/\\]build\.mjs$/);
    expect(ran[1]![0]).toBe('/opt/electron/electron');
    expect(path.basename(ran[1]![1]!)).toBe('electron');
  });
});
