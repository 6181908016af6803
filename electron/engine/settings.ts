import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type ConsoleSession, consoleSessionSchema } from '@jiangxin/shared/bridge';
import { z } from 'zod';

/**
 * The console's own settings (`console.json` in the data folder): which core, which language, and the
 * last signed-in session's public facts (name, roles) so a restart without the core still opens the
 * console on the cached cases. No secrets here: refresh tokens live in the host's token store.
 */
const settingsSchema = z.object({
  coreUrl: z.string().optional(),
  locale: z.enum(['zh-CN', 'en']).default('zh-CN'),
  lastSession: consoleSessionSchema.nullable().default(null),
});
export type ConsoleSettings = z.infer<typeof settingsSchema> & { coreUrl: string };

export class SettingsFile {
  private readonly path: string;
  private value: ConsoleSettings;

  constructor(
    dir: string,
    private readonly defaultCoreUrl: string,
  ) {
    mkdirSync(dir, { recursive: true });
    this.path = join(dir, 'console.json');
    let raw: unknown = {};
    try {
      raw = JSON.parse(readFileSync(this.path, 'utf8'));
    } catch {
      // Missing or unreadable: start from the defaults (the file is rewritten on the next change).
    }
    const parsed = settingsSchema.safeParse(raw);
    const base = parsed.success ? parsed.data : settingsSchema.parse({});
    this.value = { ...base, coreUrl: base.coreUrl ?? defaultCoreUrl };
  }

  get(): ConsoleSettings {
    return this.value;
  }

  update(patch: Partial<ConsoleSettings>): ConsoleSettings {
    this.value = { ...this.value, ...patch };
    if (!this.value.coreUrl) this.value.coreUrl = this.defaultCoreUrl;
    // Written aside and renamed, so a crash never leaves half a file.
    writeFileSync(`${this.path}.tmp`, JSON.stringify(this.value, null, 2));
    renameSync(`${this.path}.tmp`, this.path);
    return this.value;
  }

  lastSession(): ConsoleSession | null {
    return this.value.lastSession;
  }
}
