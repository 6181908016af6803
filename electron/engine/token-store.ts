import type { StoredLogin, TokenStore } from './api';

/** The web host's token store: refresh tokens live only as long as the process (browser mode). */
export class MemoryTokenStore implements TokenStore {
  private readonly logins = new Map<string, StoredLogin>();

  async load(coreUrl: string): Promise<StoredLogin | null> {
    return this.logins.get(coreUrl) ?? null;
  }

  async save(coreUrl: string, login: StoredLogin): Promise<void> {
    this.logins.set(coreUrl, { ...login });
  }

  async clear(coreUrl: string): Promise<void> {
    this.logins.delete(coreUrl);
  }
}
