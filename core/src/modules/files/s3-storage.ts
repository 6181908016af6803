import type { Readable } from 'node:stream';
import { DeleteObjectCommand, GetObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { Env } from '../../platform/config';
import {
  type FileStorage,
  LocalFileStorage,
  limitBytes,
  ObjectTooLargeError,
  type PresignOptions,
  type PutOptions,
  StorageObjectMissingError,
  StorageUnavailableError,
  type StoredObject,
} from './storage';

/** Where and how to reach the bucket; see `s3ConfigFromEnv` for the variables. */
export interface S3StorageConfig {
  /** `https://oss-cn-hangzhou.aliyuncs.com`, `https://cos.ap-shanghai.myqcloud.com`, a MinIO URL; unset: AWS. */
  endpoint?: string;
  /** The endpoint presigned URLs name, when clients reach the bucket by another address than the core does. */
  publicEndpoint?: string;
  bucket: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** `https://endpoint/bucket/key` instead of `https://bucket.endpoint/key` (MinIO, s3rver; not OSS). */
  forcePathStyle: boolean;
  /** How long to wait for a connection before calling the storage unreachable. */
  connectTimeoutMs?: number;
  /** How long a request may go without any bytes moving (an upload of a slow client streams for longer). */
  idleTimeoutMs?: number;
}

/** The S3 settings of the environment, or null when S3_BUCKET is unset (local disk is then the store). */
export function s3ConfigFromEnv(env: Env): S3StorageConfig | null {
  if (!env.S3_BUCKET) return null;
  if (!env.S3_ACCESS_KEY_ID || !env.S3_SECRET_ACCESS_KEY)
    throw new Error(
      'Invalid configuration: S3_BUCKET is set but S3_ACCESS_KEY_ID or S3_SECRET_ACCESS_KEY is not',
    );
  return {
    endpoint: env.S3_ENDPOINT,
    publicEndpoint: env.S3_PUBLIC_ENDPOINT,
    bucket: env.S3_BUCKET,
    region: env.S3_REGION,
    accessKeyId: env.S3_ACCESS_KEY_ID,
    secretAccessKey: env.S3_SECRET_ACCESS_KEY,
    forcePathStyle: env.S3_FORCE_PATH_STYLE,
    connectTimeoutMs: env.S3_CONNECT_TIMEOUT_MS,
  };
}

/** Multipart part size: S3's minimum. An upload holds QUEUE_SIZE parts being sent and one filling, at most. */
const PART_SIZE = 5 * 1024 * 1024;
const QUEUE_SIZE = 2;

function client(config: S3StorageConfig, endpoint: string | undefined): S3Client {
  return new S3Client({
    ...(endpoint ? { endpoint } : {}),
    region: config.region,
    credentials: { accessKeyId: config.accessKeyId, secretAccessKey: config.secretAccessKey },
    forcePathStyle: config.forcePathStyle,
    // Since 3.729 the SDK adds CRC32 checksums (x-amz-checksum-* headers and trailers) to every upload
    // and validates them on downloads. S3-compatible services that predate them may refuse or mangle such
    // requests (Aliyun OSS, Tencent COS and older MinIO cannot be tested here; s3rver accepts both), and
    // every file already gets our own SHA-256. So: checksums only where an operation requires one.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    // One retry: a request in an outage should be answered 503 within seconds, not after backing off.
    maxAttempts: 2,
    requestHandler: {
      connectionTimeout: config.connectTimeoutMs ?? 3000,
      socketTimeout: config.idleTimeoutMs ?? 30_000,
    },
  });
}

/** S3 error codes that mean "no such object" (HEAD answers carry no body, only the status). */
const MISSING = new Set(['NoSuchKey', 'NotFound']);

/**
 * Files in an S3-compatible bucket. Uploads stream through lib-storage's multipart upload (5 MB parts,
 * at most three in memory; an aborted or failed stream aborts the multipart upload, so no object appears);
 * downloads stream the object's body; `presign` signs a GET that carries its own content type and
 * disposition. Every failure other than a missing object is a `StorageUnavailableError`.
 */
export class S3FileStorage implements FileStorage {
  readonly kind = 's3';
  private readonly s3: S3Client;
  private readonly signer: S3Client;

  constructor(private readonly config: S3StorageConfig) {
    this.s3 = client(config, config.endpoint);
    this.signer = config.publicEndpoint ? client(config, config.publicEndpoint) : this.s3;
  }

  async put(key: string, body: Readable, opts: PutOptions): Promise<void> {
    const limited = body.pipe(limitBytes(opts.maxBytes));
    // A failure of the source (the client went away, the upload was refused mid-stream) fails the upload.
    body.once('error', (err) => limited.destroy(err));
    const upload = new Upload({
      client: this.s3,
      params: { Bucket: this.config.bucket, Key: key, Body: limited, ContentType: opts.contentType },
      partSize: PART_SIZE,
      queueSize: QUEUE_SIZE,
      leavePartsOnError: false,
    });
    try {
      await upload.done();
    } catch (err) {
      if (err instanceof ObjectTooLargeError || body.errored || limited.errored) {
        throw body.errored ?? limited.errored ?? err;
      }
      throw this.unavailable('upload', key, err);
    }
  }

  async get(key: string): Promise<StoredObject> {
    try {
      const res = await this.s3.send(new GetObjectCommand({ Bucket: this.config.bucket, Key: key }));
      return { body: res.Body as Readable, size: Number(res.ContentLength ?? 0) };
    } catch (err) {
      if (err instanceof S3ServiceException && MISSING.has(err.name))
        throw new StorageObjectMissingError(key);
      throw this.unavailable('download', key, err);
    }
  }

  async delete(key: string): Promise<void> {
    try {
      await this.s3.send(new DeleteObjectCommand({ Bucket: this.config.bucket, Key: key }));
    } catch (err) {
      throw this.unavailable('delete', key, err);
    }
  }

  /** Signing is local (no request): it works while the bucket is down; the URL then fails for the client. */
  async presign(key: string, opts: PresignOptions): Promise<string> {
    return getSignedUrl(
      this.signer,
      new GetObjectCommand({
        Bucket: this.config.bucket,
        Key: key,
        ResponseContentType: opts.contentType,
        ResponseContentDisposition: opts.contentDisposition,
        ResponseCacheControl: `private, max-age=${opts.expiresInSeconds}`,
      }),
      { expiresIn: opts.expiresInSeconds, ...(opts.signedAt ? { signingDate: opts.signedAt } : {}) },
    );
  }

  /** Closes the connection pool (tests; a process that exits needs nothing). */
  close(): void {
    this.s3.destroy();
    if (this.signer !== this.s3) this.signer.destroy();
  }

  private unavailable(what: string, key: string, err: unknown): StorageUnavailableError {
    const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    const code = (err as { name?: string; code?: string }).code ?? (err as { name?: string }).name;
    return new StorageUnavailableError(
      `object storage ${what} of ${key} in bucket ${this.config.bucket} failed: ${code ?? 'error'}${status ? ` (HTTP ${status})` : ''}`,
      { cause: err },
    );
  }
}

/**
 * The file storage the configuration asks for: the S3 bucket when S3_BUCKET is set, otherwise local
 * disk under `localRoot` (the embedded default).
 */
export function fileStorageFromEnv(env: Env, localRoot: string): FileStorage {
  const s3 = s3ConfigFromEnv(env);
  return s3 ? new S3FileStorage(s3) : new LocalFileStorage(localRoot);
}
