// Bundles the desktop shell into electron/dist/ with Vite's build API (no electron-vite):
//   main.js      the main process (ESM, Node target) with the console engine inside it
//   worker.js    the engine's cache worker thread, beside main.js where the engine looks for it
//   preload.cjs  the preload script: one CommonJS file, because a sandboxed preload can require nothing but
//                `electron` at run time
//   tray.png     the tray icon (and its @2x)
// Kept out of the bundles: `electron` (the runtime provides it), better-sqlite3 (a native module,
// rebuilt for Electron at packaging) and Node's built-ins.
import { copyFile, rm } from 'node:fs/promises';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outDir = path.join(root, 'dist');
const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];

/** Shared settings: a Node-side (SSR) build that bundles every dependency except `external`. */
const nodeBuild = ({ input, format, fileName, external }) =>
  build({
    configFile: false,
    root,
    logLevel: 'warn',
    // Do not copy a public/ folder or touch the renderer's config.
    publicDir: false,
    ssr: { noExternal: true, target: 'node' },
    build: {
      ssr: true,
      target: 'node22',
      outDir,
      emptyOutDir: false,
      minify: false,
      sourcemap: true,
      rolldownOptions: {
        input,
        external,
        output: { format, entryFileNames: fileName, chunkFileNames: 'chunks/[name]-[hash].js' },
      },
    },
  });

await rm(outDir, { recursive: true, force: true });

await nodeBuild({
  input: {
    main: path.join(root, 'main/index.ts'),
    worker: path.join(root, 'engine/cache-worker/worker.ts'),
  },
  format: 'es',
  fileName: '[name].js',
  // ws's optional native speed-ups: loaded in a try/catch when present, never required.
  external: ['electron', 'better-sqlite3', 'bufferutil', 'utf-8-validate', ...nodeBuiltins],
});

await nodeBuild({
  input: { preload: path.join(root, 'preload/index.ts') },
  format: 'cjs',
  fileName: '[name].cjs',
  external: ['electron'],
});

for (const icon of ['tray.png', 'tray@2x.png']) {
  await copyFile(path.join(root, 'build', icon), path.join(outDir, icon));
}

console.log(`built ${path.relative(process.cwd(), outDir) || '.'}: main.js, worker.js, preload.cjs`);
