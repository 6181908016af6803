import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { safeStorageTokenStore, type TokenCipher } from './token-store';

/**
 * Electron's safeStorage cannot run outside Electron, so these tests use a reversible stand-in
 * (XOR + a header) with the same asynchronous interface: they test the file handling and the refusals
 * around the cipher, not the OS keychain itself.
 */
function testCipher(opts: { available?: boolean; backend?: string; reEncrypt?: boolean } = {}) {
  const key = 0x5a;
  const encrypted: string[] = [];
  const cipher = {
    isAsyncEncryptionAvailable: async () => opts.available ?? true,
    getSelectedStorageBackend: () => opts.backend ?? 'gnome_libsecret',
    encryptStringAsync: async (plain: string) => {
      encrypted.push(plain);
      return Buffer.concat([Buffer.from('TEST1'), Buffer.from(plain).map((b) => b ^ key)]);
    },
    decryptStringAsync: async (data: Buffer) => {
      if (data.subarray(0, 5).toString() !== 'TEST1') throw new Error('not ours');
      return {
        result: Buffer.from(data.subarray(5).map((b) => b ^ key)).toString(),
        shouldReEncrypt: opts.reEncrypt ?? false,
      };
    },
  } as TokenCipher;
  return { cipher, encrypted };
}

const CORE = 'http://127.0.0.1:3000';
const LOGIN = { refreshToken: 'rt-SECRET-匠心', userId: 7, username: 'support' };

let dir: string;
const freshDir = () => {
  dir = mkdtempSync(path.join(tmpdir(), 'jx-tokens-'));
  return path.join(dir, 'logins');
};
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('safeStorageTokenStore', () => {
  it('stores the login encrypted, one file per core, and reads it back in a new store', async () => {
    const logins = freshDir();
    const { cipher } = testCipher();
    await safeStorageTokenStore(logins, cipher, { platform: 'linux' }).save(CORE, LOGIN);
    await safeStorageTokenStore(logins, cipher, { platform: 'linux' }).save('https://other.example', {
      ...LOGIN,
      userId: 8,
    });

    const files = readdirSync(logins);
    expect(files).toHaveLength(2);
    for (const file of files) {
      expect(file).toMatch(/^[0-9a-f]{32}\.login$/);
      const bytes = readFileSync(path.join(logins, file));
      expect(bytes.includes(Buffer.from('rt-SECRET'))).toBe(false);
      expect(bytes.includes(Buffer.from('support'))).toBe(false);
    }
    const again = safeStorageTokenStore(logins, cipher, { platform: 'linux' });
    expect(await again.load(CORE)).toEqual(LOGIN);
    expect(await again.load('https://other.example')).toEqual({ ...LOGIN, userId: 8 });
    expect(await again.load('https://unknown.example')).toBeNull();
  });

  it('clears one core only', async () => {
    const logins = freshDir();
    const store = safeStorageTokenStore(logins, testCipher().cipher);
    await store.save(CORE, LOGIN);
    await store.save('https://other.example', LOGIN);
    await store.clear(CORE);
    expect(await store.load(CORE)).toBeNull();
    expect(await store.load('https://other.example')).toEqual(LOGIN);
    await store.clear('https://never-saved.example');
  });

  it.each([
    ['the OS offers no encryption', { available: false }, 'darwin' as const],
    ['Linux has only the basic_text backend', { backend: 'basic_text' }, 'linux' as const],
  ])('keeps the login in memory only when %s, never on disk', async (_why, opts, platform) => {
    const logins = freshDir();
    const lines: string[] = [];
    const { cipher, encrypted } = testCipher(opts);
    const store = safeStorageTokenStore(logins, cipher, { platform, log: (l) => lines.push(l) });
    await store.save(CORE, LOGIN);
    expect(await store.load(CORE)).toEqual(LOGIN);
    expect(existsSync(logins)).toBe(false);
    expect(encrypted).toEqual([]);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/memory only/);
    // Gone after a restart.
    expect(await safeStorageTokenStore(logins, cipher, { platform }).load(CORE)).toBeNull();
    await store.clear(CORE);
    expect(await store.load(CORE)).toBeNull();
  });

  it('ignores basic_text outside Linux (the backend exists only there)', async () => {
    const logins = freshDir();
    const store = safeStorageTokenStore(logins, testCipher({ backend: 'basic_text' }).cipher, {
      platform: 'win32',
    });
    await store.save(CORE, LOGIN);
    expect(readdirSync(logins)).toHaveLength(1);
  });

  it('answers null for a file it cannot decrypt or that holds something else, and keeps the file', async () => {
    const logins = freshDir();
    const { cipher } = testCipher();
    const store = safeStorageTokenStore(logins, cipher, { log: () => {} });
    await store.save(CORE, LOGIN);
    const file = path.join(logins, readdirSync(logins)[0]!);
    writeFileSync(file, 'garbage');
    expect(await store.load(CORE)).toBeNull();
    expect(existsSync(file)).toBe(true);
    writeFileSync(file, await cipher.encryptStringAsync(JSON.stringify({ refreshToken: 1 })));
    expect(await store.load(CORE)).toBeNull();
  });

  it('re-encrypts when the OS says the key rotated', async () => {
    const logins = freshDir();
    const { cipher, encrypted } = testCipher({ reEncrypt: true });
    const store = safeStorageTokenStore(logins, cipher);
    await store.save(CORE, LOGIN);
    expect(await store.load(CORE)).toEqual(LOGIN);
    expect(encrypted).toHaveLength(2);
  });
});
