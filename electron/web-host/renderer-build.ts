import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { RENDERER_DIST } from './stack';

const REPO_ROOT = path.resolve(import.meta.dirname, '../..');
const RENDERER_ROOT = path.join(REPO_ROOT, 'renderer');

function newestMtime(target: string): number {
  const stat = fs.statSync(target, { throwIfNoEntry: false });
  if (!stat) return 0;
  if (!stat.isDirectory()) return stat.mtimeMs;
  return fs
    .readdirSync(target)
    .reduce((newest, name) => Math.max(newest, newestMtime(path.join(target, name))), stat.mtimeMs);
}

/**
 * Builds the renderer (`vite build` with the renderer's own config) when dist/ is missing or older than
 * its sources — the shared contract included, since the renderer bundles it.
 *
 * The build runs in a child process with NODE_ENV=production rather than through vite's JS API in this
 * process: vite takes the mode from an already-set NODE_ENV, and under vitest (NODE_ENV=test) that would
 * produce a development bundle (React's dev runtime) for the end-to-end test.
 */
export async function ensureRendererBuilt(log: (line: string) => void = () => {}): Promise<void> {
  const built = fs.statSync(path.join(RENDERER_DIST, 'index.html'), { throwIfNoEntry: false })?.mtimeMs ?? 0;
  const sources = Math.max(
    ...['src', 'public', 'index.html', 'vite.config.ts'].map((p) => newestMtime(path.join(RENDERER_ROOT, p))),
    newestMtime(path.join(REPO_ROOT, 'shared', 'src')),
  );
  if (built >= sources) return;
  log('构建控制台页面 Building the renderer (vite build)…');
  const vite = path.join(
    path.dirname(createRequire(path.join(RENDERER_ROOT, 'package.json')).resolve('vite/package.json')),
    'bin',
    'vite.js',
  );
  const child = spawn(process.execPath, [vite, 'build', '--logLevel', 'warn'], {
    cwd: RENDERER_ROOT,
    env: { ...process.env, NODE_ENV: 'production' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', resolve);
  });
  if (code !== 0) throw new Error(`The renderer build failed (控制台页面构建失败):\n${output.trim()}`);
}
