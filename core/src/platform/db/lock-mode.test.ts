import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

// The lock order (locks.ts) holds only if no command takes a row lock that conflicts with the FOR KEY
// SHARE lock PostgreSQL takes on a referenced row whenever a row pointing at it is inserted. FOR UPDATE
// does; FOR NO KEY UPDATE excludes every other writer just the same and does not. A plain FOR UPDATE that
// waits is therefore refused in the service's code (SKIP LOCKED never waits, so it cannot close a cycle).
const root = path.resolve(__dirname, '../..');

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return sources(p);
    return e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') ? [p] : [];
  });
}

describe('row lock modes', () => {
  it('no command locks a row FOR UPDATE and waits (use the lock helpers or FOR NO KEY UPDATE)', () => {
    const offending: string[] = [];
    for (const file of sources(root)) {
      fs.readFileSync(file, 'utf8')
        .split('\n')
        .forEach((line, i) => {
          const code = line.replace(/\/\/.*$/, '').replace(/^\s*\*.*$/, '');
          const waits =
            /\.forUpdate\(\)/.test(code) || (/\bFOR UPDATE\b/.test(code) && !/SKIP LOCKED|NOWAIT/.test(code));
          if (waits) offending.push(`${path.relative(root, file)}:${i + 1}: ${line.trim()}`);
        });
    }
    expect(offending).toEqual([]);
  });
});
