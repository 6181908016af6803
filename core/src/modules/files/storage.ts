import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { type Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/** What `put` is told about the bytes it stores. */
export interface PutOptions {
  /** The content type the files module decided from the bytes (kept as the object's metadata). */
  contentType: string;
  /** The most bytes the stream may carry: one more and the write fails and nothing is kept. */
  maxBytes: number;
}

/** A stored object being read: its bytes as a stream, and how many there are. */
export interface StoredObject {
  body: Readable;
  size: number;
}

/** How a presigned download answers: the type, disposition and caching the bucket sends with the bytes. */
export interface PresignOptions {
  expiresInSeconds: number;
  contentType: string;
  contentDisposition: string;
  /** When the URL is signed (default: now); its validity runs from then. */
  signedAt?: Date;
}

/**
 * Where file bytes live: local disk under DATA_DIR (the embedded default) or an S3-compatible bucket
 * (AWS S3, Aliyun OSS, Tencent COS, MinIO; see s3-storage.ts). Bytes move as streams, never as whole
 * buffers. Failures are the errors below, so the routes can answer them in words: the storage cannot be
 * reached (503), the object is not there (404), the stream is over its limit (413).
 */
export interface FileStorage {
  /** `local` or `s3`, for logs and /healthz-style reports. */
  readonly kind: string;
  /** Stores the stream under `key`, all or nothing: a failed or oversized write leaves no object behind. */
  put(key: string, body: Readable, opts: PutOptions): Promise<void>;
  /** The object's bytes; `StorageObjectMissingError` when there is none. */
  get(key: string): Promise<StoredObject>;
  /** Removes the object; removing one that is not there is not an error. */
  delete(key: string): Promise<void>;
  /** A URL that downloads the object without credentials until it expires (only stores that have one). */
  presign?(key: string, opts: PresignOptions): Promise<string>;
}

/** The storage cannot be reached or refused to work (network, credentials, its own outage). */
export class StorageUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StorageUnavailableError';
  }
}

/** The storage answers, but holds no object under the key. */
export class StorageObjectMissingError extends Error {
  constructor(readonly key: string) {
    super(`no stored object under ${key}`);
    this.name = 'StorageObjectMissingError';
  }
}

/** A stream passed to `put` carried more than its `maxBytes`. */
export class ObjectTooLargeError extends Error {
  constructor(readonly maxBytes: number) {
    super(`the stream is longer than ${maxBytes} bytes`);
    this.name = 'ObjectTooLargeError';
  }
}

/** Passes bytes through and fails the stream as soon as more than `maxBytes` went by. */
export function limitBytes(maxBytes: number): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      seen += chunk.length;
      if (seen > maxBytes) done(new ObjectTooLargeError(maxBytes));
      else done(null, chunk);
    },
  });
}

/** Stores files under `<root>/<key>`; keys are the paths the files module chooses. */
export class LocalFileStorage implements FileStorage {
  readonly kind = 'local';

  constructor(private readonly root: string) {}

  private resolve(key: string): string {
    const full = path.resolve(this.root, key);
    if (!full.startsWith(path.resolve(this.root) + path.sep))
      throw new Error(`storage key escapes the root: ${key}`);
    return full;
  }

  /** Streams to a temporary name and renames, so a reader never sees half a file and a failure leaves none. */
  async put(key: string, body: Readable, opts: PutOptions): Promise<void> {
    const full = this.resolve(key);
    await fsp.mkdir(path.dirname(full), { recursive: true });
    const tmp = `${full}.${randomBytes(6).toString('hex')}.tmp`;
    try {
      await pipeline(body, limitBytes(opts.maxBytes), fs.createWriteStream(tmp, { flags: 'wx' }));
      await fsp.rename(tmp, full);
    } catch (err) {
      // The source's own failure (a refused or broken upload) as it is; the disk's (full, read-only) as an outage.
      if (err instanceof ObjectTooLargeError || body.errored) throw body.errored ?? err;
      throw new StorageUnavailableError(`writing ${key} to local storage failed`, { cause: err });
    } finally {
      await fsp.rm(tmp, { force: true });
    }
  }

  async get(key: string): Promise<StoredObject> {
    const full = this.resolve(key);
    let handle: fsp.FileHandle;
    try {
      handle = await fsp.open(full, 'r');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new StorageObjectMissingError(key);
      throw err;
    }
    // Size and stream from one open file, so a concurrent rename cannot make them disagree.
    const { size } = await handle.stat();
    return { body: handle.createReadStream(), size };
  }

  async delete(key: string): Promise<void> {
    await fsp.rm(this.resolve(key), { force: true });
  }
}
