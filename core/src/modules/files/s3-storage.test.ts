import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { FILE_LIMITS } from '@jiangxin/shared/api/files';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../faults/core-process';
import { loadEnv } from '../../platform/config';
import { ApiClient, signUp } from '../../test/client';
import { startTestApp, type TestApp } from '../../test/harness';
import { startS3Server, type TestS3Server } from '../../test/s3-server';
import { fileStorageFromEnv, S3FileStorage } from './s3-storage';
import {
  LocalFileStorage,
  ObjectTooLargeError,
  StorageObjectMissingError,
  StorageUnavailableError,
} from './storage';

/**
 * Object storage over the S3 API against a real S3-protocol server (s3rver on 127.0.0.1; it checks the
 * access key and the expiry of presigned URLs): the storage itself, then the files API of a core
 * configured with S3_*.
 */
let s3: TestS3Server;

beforeAll(async () => {
  s3 = await startS3Server();
});
afterAll(() => s3?.close());

const PNG_MAGIC = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const png = (size = 256) => Buffer.concat([PNG_MAGIC, randomBytes(size)]);
const pdf = (size = 300) => Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(size)]);
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** A stream of `bytes` in 64 KiB chunks, as a request body arrives. */
const chunked = (bytes: Buffer) =>
  Readable.from(
    (function* () {
      for (let i = 0; i < bytes.length; i += 65536) yield bytes.subarray(i, i + 65536);
    })(),
  );

function storageFor(server: TestS3Server, endpoint = server.endpoint): S3FileStorage {
  return new S3FileStorage({
    endpoint,
    bucket: server.bucket,
    region: 'us-east-1',
    accessKeyId: server.env.S3_ACCESS_KEY_ID,
    secretAccessKey: server.env.S3_SECRET_ACCESS_KEY,
    forcePathStyle: true,
    connectTimeoutMs: 1000,
  });
}

async function readAll(body: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of body) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

describe('S3FileStorage against an S3-protocol server', () => {
  let storage: S3FileStorage;
  beforeAll(() => {
    storage = storageFor(s3);
  });
  afterAll(() => storage?.close());

  it('streams a 12 MB object in (multipart), reads the same bytes back, and deletes it', async () => {
    const bytes = randomBytes(12 * 1024 * 1024);
    await storage.put('t/big.bin', chunked(bytes), {
      contentType: 'application/zip',
      maxBytes: FILE_LIMITS.maxBytes,
    });
    expect(s3.keys()).toContain('t/big.bin');
    const got = await storage.get('t/big.bin');
    expect(got.size).toBe(bytes.length);
    expect(sha256(await readAll(got.body))).toBe(sha256(bytes));

    await storage.delete('t/big.bin');
    expect(s3.keys()).not.toContain('t/big.bin');
    await expect(storage.get('t/big.bin')).rejects.toBeInstanceOf(StorageObjectMissingError);
    // Deleting what is not there is not an error.
    await storage.delete('t/big.bin');
  });

  it('refuses a stream over its limit while it flows, leaving no object', async () => {
    const err = await storage
      .put('t/over.bin', chunked(randomBytes(6 * 1024 * 1024 + 1)), {
        contentType: 'application/zip',
        maxBytes: 6 * 1024 * 1024,
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ObjectTooLargeError);
    expect(s3.keys()).not.toContain('t/over.bin');
  });

  it('answers a missing object as missing, not as an outage', async () => {
    await expect(storage.get('t/never-stored')).rejects.toBeInstanceOf(StorageObjectMissingError);
  });

  it('presigns a URL that downloads with the asked type and name, and one that has expired is refused', async () => {
    const bytes = png(2048);
    await storage.put('t/pic.png', Readable.from([bytes]), { contentType: 'image/png', maxBytes: 1 << 20 });
    const disposition = `inline; filename="a.png"; filename*=UTF-8''${encodeURIComponent('头像.png')}`;
    const url = await storage.presign('t/pic.png', {
      expiresInSeconds: 120,
      contentType: 'image/png',
      contentDisposition: disposition,
    });
    expect(url.startsWith(`${s3.endpoint}/${s3.bucket}/t/pic.png?`)).toBe(true);
    const ok = await fetch(url);
    expect(ok.status).toBe(200);
    expect(Buffer.from(await ok.arrayBuffer()).equals(bytes)).toBe(true);
    expect(ok.headers.get('content-type')).toBe('image/png');
    expect(ok.headers.get('content-disposition')).toBe(disposition);

    // Signed ten minutes ago for two minutes: expired.
    const old = await storage.presign('t/pic.png', {
      expiresInSeconds: 120,
      contentType: 'image/png',
      contentDisposition: disposition,
      signedAt: new Date(Date.now() - 10 * 60_000),
    });
    const expired = await fetch(old);
    expect(expired.status).toBe(403);
    expect(await expired.text()).toContain('Request has expired');
  });

  it('calls an unreachable storage unavailable, within seconds', async () => {
    const nowhere = storageFor(s3, `http://127.0.0.1:${await freePort()}`);
    try {
      const started = Date.now();
      const put = await nowhere
        .put('t/x', Readable.from([Buffer.from('x')]), { contentType: 'text/plain', maxBytes: 10 })
        .catch((e: unknown) => e);
      expect(put).toBeInstanceOf(StorageUnavailableError);
      expect((put as Error).message).toContain(s3.bucket);
      await expect(nowhere.get('t/x')).rejects.toBeInstanceOf(StorageUnavailableError);
      expect(Date.now() - started).toBeLessThan(10_000);
    } finally {
      nowhere.close();
    }
  });
});

describe('files API on object storage', () => {
  let t: TestApp;
  let api: ApiClient;

  beforeAll(async () => {
    t = await startTestApp({ env: s3.env });
    api = new ApiClient(t.url);
  });
  afterAll(() => t?.close());

  async function upload(
    token: string | undefined,
    bytes: Buffer,
    filename: string,
    type: string,
  ): Promise<{ status: number; body: any; headers: Headers }> {
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(bytes)], { type }), filename);
    const res = await fetch(`${t.url}/api/v1/files`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'accept-language': 'zh-CN' },
      body: form,
    });
    return { status: res.status, body: await res.json(), headers: res.headers };
  }

  async function fileCount(): Promise<number> {
    const row = await t.db.write
      .selectFrom('files')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async function keyOf(id: number): Promise<string> {
    const row = await t.db.write
      .selectFrom('files')
      .select('storage_key')
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    return row.storage_key;
  }

  const localFiles = () => fs.existsSync(path.join(t.ctx.env.DATA_DIR, 'files'));

  it('stores an upload in the bucket, not on local disk; a picture downloads by a presigned redirect', async () => {
    const { api: me } = await signUp(api);
    const bytes = png(8192);
    const up = await upload(me.token, bytes, '作品集封面.png', 'image/png');
    expect(up.status).toBe(201);
    expect(up.body).toMatchObject({
      contentType: 'image/png',
      sizeBytes: bytes.length,
      sha256: sha256(bytes),
    });
    const key = await keyOf(up.body.id);
    expect(key).toMatch(/^uploads\/\d{4}-\d{2}\/[0-9a-f-]{36}$/);
    expect(s3.keys()).toContain(key);
    expect(localFiles()).toBe(false);

    const res = await fetch(t.url + up.body.url, {
      headers: { authorization: `Bearer ${me.token}` },
      redirect: 'manual',
    });
    expect(res.status).toBe(302);
    expect(res.headers.get('cache-control')).toBe('private, no-store');
    const location = res.headers.get('location')!;
    expect(location.startsWith(`${s3.endpoint}/${s3.bucket}/${key}?`)).toBe(true);
    expect(new URL(location).searchParams.get('X-Amz-Expires')).toBe('300');

    // The browser follows it without our token; the bucket answers with the stored name and type.
    const pic = await fetch(location);
    expect(pic.status).toBe(200);
    expect(Buffer.from(await pic.arrayBuffer()).equals(bytes)).toBe(true);
    expect(pic.headers.get('content-type')).toBe('image/png');
    expect(pic.headers.get('content-disposition')).toContain(
      `inline; filename="_____.png"; filename*=UTF-8''${encodeURIComponent('作品集封面.png')}`,
    );

    // A client following redirects with its token (fetch here; the console engine's axios alike) does not
    // carry the token to the bucket's origin, which would refuse two kinds of credentials at once.
    const followed = await fetch(t.url + up.body.url, { headers: { authorization: `Bearer ${me.token}` } });
    expect(followed.status).toBe(200);
    expect(Buffer.from(await followed.arrayBuffer()).equals(bytes)).toBe(true);

    // Someone who may not read it gets no URL at all.
    const outsider = await signUp(api);
    const refused = await fetch(t.url + up.body.url, {
      headers: { authorization: `Bearer ${outsider.api.token}` },
      redirect: 'manual',
    });
    expect(refused.status).toBe(404);
    expect(refused.headers.get('location')).toBeNull();
  });

  it('streams documents through the core after the access check (no redirect), 13 MB intact', async () => {
    const { api: me } = await signUp(api);
    const bytes = pdf(13 * 1024 * 1024);
    const up = await upload(me.token, bytes, '交付物-终稿.pdf', 'application/pdf');
    expect(up.status).toBe(201);
    const res = await fetch(t.url + up.body.url, {
      headers: { authorization: `Bearer ${me.token}` },
      redirect: 'manual',
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/pdf');
    expect(res.headers.get('content-length')).toBe(String(bytes.length));
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-disposition')).toMatch(/^attachment;/);
    expect(sha256(Buffer.from(await res.arrayBuffer()))).toBe(sha256(bytes));
  });

  it('decides the type from the bytes: an unnamed screenshot is a PNG; a PDF called a PNG is refused and not stored', async () => {
    const { api: me } = await signUp(api);
    const screenshot = await upload(me.token, png(), '截图', 'application/octet-stream');
    expect(screenshot.status).toBe(201);
    expect(screenshot.body.contentType).toBe('image/png');

    const keysBefore = s3.keys();
    const rowsBefore = await fileCount();
    const disguised = await upload(me.token, pdf(), 'photo.png', 'image/png');
    expect(disguised.status).toBe(415);
    expect(disguised.body.detail).toContain('PDF');
    expect(s3.keys()).toEqual(keysBefore);
    expect(await fileCount()).toBe(rowsBefore);
  });

  it('refuses a file one byte over the limit with 413 mid-stream: no object, no row', async () => {
    const { api: me } = await signUp(api);
    const keysBefore = s3.keys();
    const rowsBefore = await fileCount();
    const big = Buffer.alloc(FILE_LIMITS.maxBytes + 1, 0x41);
    big.write('%PDF-1.7', 0, 'latin1');
    const res = await upload(me.token, big, 'big.pdf', 'application/pdf');
    expect(res.status).toBe(413);
    expect(res.body.code).toBe('file_too_large');
    expect(s3.keys()).toEqual(keysBefore);
    expect(await fileCount()).toBe(rowsBefore);
  });

  it('keeps identical bytes once in the bucket, whoever uploads them', async () => {
    const a = await signUp(api);
    const b = await signUp(api);
    const bytes = pdf();
    const before = s3.keys().length;
    const first = await upload(a.api.token, bytes, '合同.pdf', 'application/pdf');
    const second = await upload(b.api.token, bytes, 'contract.pdf', 'application/pdf');
    expect([first.status, second.status]).toEqual([201, 201]);
    expect(await keyOf(second.body.id)).toBe(await keyOf(first.body.id));
    expect(s3.keys().length).toBe(before + 1);
    const dl = await b.api.get(`/files/${second.body.id}/content`);
    expect(dl.status).toBe(200);
  });

  it('answers a file whose object is gone from the bucket with 404 and words, not 500', async () => {
    const { api: me } = await signUp(api);
    const up = await upload(me.token, pdf(), '报价单.pdf', 'application/pdf');
    await t.ctx.storage.delete(await keyOf(up.body.id));
    const res = await fetch(t.url + up.body.url, {
      headers: { authorization: `Bearer ${me.token}`, 'accept-language': 'zh-CN' },
    });
    expect(res.status).toBe(404);
    const problem = (await res.json()) as { detail: string; details: { en: string } };
    expect(problem.detail).toBe('文件内容已丢失，请联系客服');
    expect(problem.details.en).toContain('missing from storage');
  });

  it('while the storage is down: uploads answer 503 in both languages with Retry-After and leave no row; downloads 503', async () => {
    const { api: me } = await signUp(api);
    const stored = await upload(me.token, pdf(), '合同.pdf', 'application/pdf');
    expect(stored.status).toBe(201);
    const rowsBefore = await fileCount();
    await s3.stop();
    try {
      const res = await upload(me.token, pdf(), '需求说明.pdf', 'application/pdf');
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('5');
      expect(res.body.code).toBe('service_unavailable');
      expect(res.body.detail).toBe('文件存储暂时无法访问，请稍后再试');
      expect(res.body.details.en).toBe('File storage cannot be reached right now; try again shortly');
      expect(await fileCount()).toBe(rowsBefore);

      const dl = await fetch(t.url + stored.body.url, { headers: { authorization: `Bearer ${me.token}` } });
      expect(dl.status).toBe(503);
      expect(((await dl.json()) as { code: string }).code).toBe('service_unavailable');
      // The metadata does not need the storage.
      expect((await me.get(`/files/${stored.body.id}`)).status).toBe(200);
    } finally {
      await s3.restart();
    }
    // Back up: the same upload goes through.
    const again = await upload(me.token, pdf(), '需求说明.pdf', 'application/pdf');
    expect(again.status).toBe(201);
    expect(await fileCount()).toBe(rowsBefore + 1);
  });
});

describe('configuration', () => {
  it('uses local disk without S3_BUCKET, the bucket with it, and refuses a bucket without its key', () => {
    const base = { DATA_DIR: '/tmp/jx-unused' };
    expect(fileStorageFromEnv(loadEnv(base), '/tmp/jx-unused/files')).toBeInstanceOf(LocalFileStorage);
    const s3Storage = fileStorageFromEnv(loadEnv({ ...base, ...s3.env }), '/tmp/jx-unused/files');
    expect(s3Storage).toBeInstanceOf(S3FileStorage);
    (s3Storage as S3FileStorage).close();
    expect(() =>
      fileStorageFromEnv(loadEnv({ ...base, S3_BUCKET: 'jiangxin-files' }), '/tmp/jx-unused/files'),
    ).toThrow(/S3_ACCESS_KEY_ID or S3_SECRET_ACCESS_KEY/);
    expect(() => loadEnv({ ...base, S3_FORCE_PATH_STYLE: 'yes' })).toThrow(/S3_FORCE_PATH_STYLE/);
  });
});

describe('s3rver itself', () => {
  // s3rver checks the access key and a presigned URL's expiry, but not the HMAC of a V4 signature.
  it('refuses an unknown access key (so the tests above can fail), and the storage calls that unavailable', async () => {
    const wrong = new S3FileStorage({
      endpoint: s3.endpoint,
      bucket: s3.bucket,
      region: 'us-east-1',
      accessKeyId: 'NOT-A-KEY',
      secretAccessKey: s3.env.S3_SECRET_ACCESS_KEY,
      forcePathStyle: true,
    });
    try {
      const err = await wrong.get('t/anything').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(StorageUnavailableError);
      expect(String((err as Error).message)).toContain('InvalidAccessKeyId');
    } finally {
      wrong.close();
    }
  });
});
