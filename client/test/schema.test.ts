import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { generateSchema, SCHEMA_FILE } from '../scripts/generate';

describe('the generated API client', () => {
  it('matches the OpenAPI document the core serves now', async () => {
    const fresh = await generateSchema();
    const committed = fs.readFileSync(SCHEMA_FILE, 'utf8');
    if (committed === fresh) return;
    const a = committed.split('\n');
    const b = fresh.split('\n');
    let line = 0;
    while (line < Math.min(a.length, b.length) && a[line] === b[line]) line += 1;
    expect.fail(
      "client/src/schema.ts no longer matches the core's OpenAPI document: run `npm run api:client` and " +
        `commit the result.\nFirst difference at line ${line + 1}:\n` +
        `  committed: ${a[line]?.trim() ?? '(end of file)'}\n  document:  ${b[line]?.trim() ?? '(end of file)'}`,
    );
  }, 120_000);
});
