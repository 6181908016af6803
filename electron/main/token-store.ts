import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { SafeStorage } from 'electron';
import type { StoredLogin, TokenStore } from '../engine/api';

/** The parts of Electron's `safeStorage` the store uses (its asynchronous API; the sync one is deprecated). */
export type TokenCipher = Pick<
  SafeStorage,
  'isAsyncEncryptionAvailable' | 'encryptStringAsync' | 'decryptStringAsync' | 'getSelectedStorageBackend'
>;

function isStoredLogin(v: unknown): v is StoredLogin {
  if (typeof v !== 'object' || v === null) return false;
  const r = v as Record<string, unknown>;
  return (
    typeof r['refreshToken'] === 'string' &&
    typeof r['username'] === 'string' &&
    typeof r['userId'] === 'number' &&
    Number.isInteger(r['userId'])
  );
}

/**
 * Refresh tokens encrypted with the OS keychain (`safeStorage`), one file per core under `dir` (named by
 * a hash of the core URL, so the file name does not reveal which core). When the OS offers no real
 * encryption — no keychain, or Linux's `basic_text` backend, which "encrypts" with a hard-coded key — the
 * token is kept in memory only (the person signs in again after a restart): a plaintext token is never
 * written to disk. `cipher` is Electron's `safeStorage` in the app and a reversible stand-in in tests.
 */
export function safeStorageTokenStore(
  dir: string,
  cipher: TokenCipher,
  opts: { platform?: NodeJS.Platform; log?: (line: string) => void } = {},
): TokenStore {
  const platform = opts.platform ?? process.platform;
  const log = opts.log ?? (() => {});
  const memory = new Map<string, StoredLogin>();
  let refusalLogged = false;

  const fileFor = (coreUrl: string) =>
    path.join(dir, `${createHash('sha256').update(coreUrl).digest('hex').slice(0, 32)}.login`);

  const encryptionAvailable = async (): Promise<boolean> => {
    let why: string | null = null;
    if (!(await cipher.isAsyncEncryptionAvailable())) why = 'the OS offers no encryption (safeStorage)';
    else if (platform === 'linux' && cipher.getSelectedStorageBackend() === 'basic_text')
      why = 'no Linux secret service (safeStorage backend basic_text uses a fixed key)';
    if (why && !refusalLogged) {
      refusalLogged = true;
      log(`token store: ${why}; the login is kept in memory only and asked again after a restart`);
    }
    return why === null;
  };

  const write = async (coreUrl: string, login: StoredLogin) => {
    const file = fileFor(coreUrl);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const tmp = `${file}.tmp`;
    await writeFile(tmp, await cipher.encryptStringAsync(JSON.stringify(login)), { mode: 0o600 });
    await rename(tmp, file);
  };

  return {
    async load(coreUrl) {
      const held = memory.get(coreUrl);
      if (held) return held;
      if (!(await encryptionAvailable())) return null;
      let encrypted: Buffer;
      try {
        encrypted = await readFile(fileFor(coreUrl));
      } catch {
        return null;
      }
      try {
        const { result, shouldReEncrypt } = await cipher.decryptStringAsync(encrypted);
        const login: unknown = JSON.parse(result);
        if (!isStoredLogin(login)) throw new Error('unexpected content');
        // The OS rotated its key: store the token again under the new one.
        if (shouldReEncrypt) await write(coreUrl, login);
        return login;
      } catch (error) {
        // Kept on disk: a locked keychain can make decryption fail now and work on the next launch.
        log(`token store: cannot read the saved login (${error instanceof Error ? error.message : error})`);
        return null;
      }
    },
    async save(coreUrl, login) {
      if (await encryptionAvailable()) {
        memory.delete(coreUrl);
        await write(coreUrl, login);
      } else memory.set(coreUrl, login);
    },
    async clear(coreUrl) {
      memory.delete(coreUrl);
      await rm(fileFor(coreUrl), { force: true });
    },
  };
}
