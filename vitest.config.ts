import { defineConfig } from 'vitest/config';

/**
 * Test projects. The core's suites run once per database backend: always on embedded PGlite, and on a
 * real PostgreSQL server when TEST_DATABASE_URL is set (CI sets it). `npm test` prints which ran.
 */
const postgres = process.env['TEST_DATABASE_URL'];
const coreProject = (backend: 'pglite' | 'postgres') => ({
  test: {
    name: `core:${backend}`,
    root: './core',
    include: ['src/**/*.test.ts'],
    environment: 'node',
    env: { JX_TEST_BACKEND: backend },
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks' as const,
  },
});

export default defineConfig({
  test: {
    // Vitest's default is one worker per CPU but one; on the 2-CPU machines here that ran every file in
    // turn while most of them wait on PostgreSQL, PGlite's I/O, sockets or Chromium. Two workers overlap
    // those waits (every suite has its own database, ports and folders, so files do not meet).
    maxWorkers: 2,
    projects: [
      { test: { name: 'shared', root: './shared', include: ['src/**/*.test.ts'], environment: 'node' } },
      // The generated API client: its committed types must match the document the core serves.
      {
        test: {
          name: 'client',
          root: './client',
          include: ['test/**/*.test.ts'],
          environment: 'node',
          testTimeout: 120_000,
        },
      },
      // The console engine runs in plain Node (no Electron binary needed), so its suites run here too.
      {
        test: {
          name: 'engine',
          root: './electron',
          include: ['engine/**/*.test.ts'],
          environment: 'node',
          pool: 'forks' as const,
        },
      },
      // The console against a real core: engine suites with the core in-process, and the web host's
      // browser tests. On PostgreSQL when TEST_DATABASE_URL is set (CI), on PGlite otherwise.
      {
        test: {
          name: 'console',
          root: './electron',
          include: ['test/**/*.test.ts', 'web-host/**/*.test.ts', 'main/**/*.test.ts'],
          environment: 'node',
          env: { JX_TEST_BACKEND: postgres ? 'postgres' : 'pglite' },
          testTimeout: 120_000,
          hookTimeout: 120_000,
          pool: 'forks' as const,
        },
      },
      // The renderer's components in jsdom, with a scripted bridge (the real one is in the browser suite).
      {
        test: {
          name: 'renderer',
          root: './renderer',
          include: ['src/**/*.test.tsx'],
          environment: 'jsdom',
          setupFiles: ['./src/test/setup.ts'],
          testTimeout: 20_000,
        },
      },
      coreProject('pglite'),
      ...(postgres ? [coreProject('postgres')] : []),
    ],
  },
});
