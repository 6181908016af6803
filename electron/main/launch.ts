import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

/**
 * `npm start` in electron/ (scripts/start-desktop.ts): starts the desktop console when the Electron binary
 * is installed, and otherwise says so and points to the browser console instead — exiting 0, because a
 * machine without the binary (its download host unreachable at `npm install`) is a normal situation here,
 * not a crash. Not part of the Electron bundle: it runs in plain Node, before Electron.
 */

const electronDir = path.resolve(import.meta.dirname, '..');

export const MISSING_BINARY_MESSAGE = [
  '匠心运营台桌面窗口无法启动：本机没有安装 Electron 可执行文件（安装依赖时未能下载）。',
  '请使用 `npm run start:web`，在浏览器中打开同一个运营台。',
  '',
  'The desktop window cannot start: the Electron binary is not installed on this machine',
  '(it could not be downloaded during npm install).',
  'Use `npm run start:web` for the same console in the browser.',
].join('\n');

/**
 * The Electron executable, or null when it was never downloaded. Reads what the `electron` package's own
 * entry reads (path.txt, dist/, ELECTRON_OVERRIDE_DIST_PATH) instead of `require('electron')`: in
 * electron@45 that require tries to download a missing binary, which hangs on a machine without internet.
 */
export function findElectronBinary(
  opts: { packageDir?: string | null; env?: NodeJS.ProcessEnv } = {},
): string | null {
  const env = opts.env ?? process.env;
  let packageDir = opts.packageDir;
  if (packageDir === undefined) {
    try {
      packageDir = path.dirname(createRequire(import.meta.url).resolve('electron/package.json'));
    } catch {
      packageDir = null;
    }
  }
  if (!packageDir) return null;
  const pathFile = path.join(packageDir, 'path.txt');
  const executable = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : null;
  const override = env['ELECTRON_OVERRIDE_DIST_PATH'];
  const binary = override
    ? path.join(override, executable || 'electron')
    : executable && path.join(packageDir, 'dist', executable);
  return binary && existsSync(binary) ? binary : null;
}

function runInherited(command: string, args: string[]): Promise<number> {
  return new Promise((resolve) => {
    const env = { ...process.env };
    // Set in some shells and CI images; it would make Electron start as plain Node.
    delete env['ELECTRON_RUN_AS_NODE'];
    const child = spawn(command, args, { stdio: 'inherit', env });
    child.on('error', (error) => {
      console.error(error.message);
      resolve(1);
    });
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

export interface LaunchDeps {
  findBinary(): string | null;
  print(text: string): void;
  run(command: string, args: string[]): Promise<number>;
  rendererBuilt(): boolean;
}

const defaultDeps: LaunchDeps = {
  findBinary: () => findElectronBinary(),
  print: (text) => console.log(text),
  run: runInherited,
  rendererBuilt: () => existsSync(path.resolve(electronDir, '../renderer/dist/index.html')),
};

/** Builds dist/ and runs Electron on it; resolves with the exit code for the npm script. */
export async function startDesktop(deps: LaunchDeps = defaultDeps): Promise<number> {
  const binary = deps.findBinary();
  if (!binary) {
    deps.print(MISSING_BINARY_MESSAGE);
    return 0;
  }
  if (!deps.rendererBuilt())
    deps.print(
      '提示：界面尚未构建，请先运行 `npm run build -w @jiangxin/renderer`。\n' +
        'Note: the renderer is not built yet; run `npm run build -w @jiangxin/renderer` first.',
    );
  const built = await deps.run(process.execPath, [path.join(electronDir, 'scripts/build.mjs')]);
  if (built !== 0) return built;
  return deps.run(binary, [electronDir]);
}
