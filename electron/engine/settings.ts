import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CONSOLE_THEMES,
  type ConsoleSession,
  consoleSessionSchema,
  type TeamViewsResult,
  teamViewsResultSchema,
} from '@jiangxin/shared/bridge';
import {
  MAX_SAVED_VIEWS,
  type QueueViewState,
  type SavedView,
  savedViewSchema,
} from '@jiangxin/shared/console/views';
import { z } from 'zod';

/**
 * The console's own settings (`console.json` in the data folder): which core, which language, and the
 * last signed-in session's public facts (name, roles) so a restart without the core still opens the
 * console on the cached cases. No secrets here: refresh tokens live in the host's token store.
 */
const settingsSchema = z.object({
  coreUrl: z.string().optional(),
  locale: z.enum(['zh-CN', 'en']).default('zh-CN'),
  theme: z.enum(CONSOLE_THEMES).default('system'),
  lastSession: consoleSessionSchema.nullable().default(null),
  /** Saved queue views: account id → workspace id → views. A damaged entry is dropped, not fatal. */
  views: z
    .record(z.string(), z.record(z.string(), z.array(z.unknown())))
    .default({})
    .transform((byUser) =>
      Object.fromEntries(
        Object.entries(byUser).map(([user, byWorkspace]) => [
          user,
          Object.fromEntries(
            Object.entries(byWorkspace).map(([ws, views]) => [
              ws,
              views.flatMap((v) => {
                const parsed = savedViewSchema.safeParse(v);
                return parsed.success ? [parsed.data] : [];
              }),
            ]),
          ),
        ]),
      ),
    ),
  /**
   * The last team views the core gave each account, per queue (account id → workspace id → list), so
   * the team's views still show offline. A damaged entry is dropped, not fatal.
   */
  teamViews: z
    .record(z.string(), z.record(z.string(), z.unknown()))
    .default({})
    .transform((byUser) =>
      Object.fromEntries(
        Object.entries(byUser).map(([user, byWorkspace]) => [
          user,
          Object.fromEntries(
            Object.entries(byWorkspace).flatMap(([ws, list]) => {
              const parsed = teamViewsResultSchema.safeParse(list);
              return parsed.success ? [[ws, parsed.data]] : [];
            }),
          ),
        ]),
      ),
    ),
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

  views(userId: number, workspace: string): SavedView[] {
    return this.value.views[String(userId)]?.[workspace] ?? [];
  }

  /** Saves a view under its name (replacing one of the same name), newest last; at most MAX_SAVED_VIEWS. */
  saveView(userId: number, workspace: string, name: string, state: QueueViewState, now: Date): SavedView[] {
    const kept = this.views(userId, workspace).filter((v) => v.name !== name);
    if (kept.length >= MAX_SAVED_VIEWS) throw new TooManyViews();
    return this.putViews(userId, workspace, [...kept, { ...state, name, savedAt: now.toISOString() }]);
  }

  deleteView(userId: number, workspace: string, name: string): SavedView[] {
    return this.putViews(
      userId,
      workspace,
      this.views(userId, workspace).filter((v) => v.name !== name),
    );
  }

  /** The last team views fetched for this account and queue, or null if never. */
  teamViews(userId: number, workspace: string): TeamViewsResult | null {
    return this.value.teamViews[String(userId)]?.[workspace] ?? null;
  }

  putTeamViews(userId: number, workspace: string, list: TeamViewsResult): void {
    const user = String(userId);
    this.update({
      teamViews: { ...this.value.teamViews, [user]: { ...this.value.teamViews[user], [workspace]: list } },
    });
  }

  private putViews(userId: number, workspace: string, views: SavedView[]): SavedView[] {
    const user = String(userId);
    this.update({
      views: { ...this.value.views, [user]: { ...this.value.views[user], [workspace]: views } },
    });
    return views;
  }
}

export class TooManyViews extends Error {
  constructor() {
    super(`at most ${MAX_SAVED_VIEWS} saved views per queue`);
    this.name = 'TooManyViews';
  }
}
