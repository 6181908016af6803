import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/**
 * base './': asset URLs are relative to index.html, so the same dist/ works from Electron's app://
 * protocol and from the web host's http://127.0.0.1. Relative URLs resolve against the page's path, so the
 * console navigates without changing the path (hash or in-memory routes), never with path routes.
 */
export default defineConfig({
  base: './',
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2023' },
});
