/// <reference path="./s3rver.d.ts" />
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import S3rver from 's3rver';
import { freePort } from '../faults/core-process';

/** s3rver's built-in account: it refuses any other access key (it does not check V4 signatures' HMAC). */
export const S3RVER_KEY = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;

export interface TestS3Server {
  /** `http://127.0.0.1:<port>` */
  endpoint: string;
  bucket: string;
  /** The folder s3rver keeps the bucket in (`<dir>/<bucket>/…`), to see what is stored. */
  dir: string;
  /** The S3_* settings that point a core at this bucket. */
  env: Record<
    | 'S3_ENDPOINT'
    | 'S3_BUCKET'
    | 'S3_REGION'
    | 'S3_ACCESS_KEY_ID'
    | 'S3_SECRET_ACCESS_KEY'
    | 'S3_FORCE_PATH_STYLE',
    string
  >;
  /** Object keys in the bucket now. */
  keys(): string[];
  /** Stops listening (connections refused), keeping the stored objects: an outage. */
  stop(): Promise<void>;
  /** Listens again on the same port and folder. */
  restart(): Promise<void>;
  close(): Promise<void>;
}

/** Starts an S3-protocol server (s3rver, in this process) on a free 127.0.0.1 port with one empty bucket. */
export async function startS3Server(bucket = 'jiangxin-files'): Promise<TestS3Server> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jx-s3-'));
  const port = await freePort();
  const make = () =>
    new S3rver({
      address: '127.0.0.1',
      port,
      directory: dir,
      silent: true,
      vhostBuckets: false,
      configureBuckets: [{ name: bucket }],
    });
  let server: S3rver | null = make();
  await server.run();
  const stop = async () => {
    const s = server;
    server = null;
    await s?.close();
  };
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    endpoint,
    bucket,
    dir,
    env: {
      S3_ENDPOINT: endpoint,
      S3_BUCKET: bucket,
      S3_REGION: 'us-east-1',
      S3_ACCESS_KEY_ID: S3RVER_KEY.accessKeyId,
      S3_SECRET_ACCESS_KEY: S3RVER_KEY.secretAccessKey,
      S3_FORCE_PATH_STYLE: 'true',
    },
    keys() {
      const root = path.join(dir, bucket);
      if (!fs.existsSync(root)) return [];
      // s3rver keeps each object as `<key>._S3rver_object` (plus metadata files beside it).
      return (fs.readdirSync(root, { recursive: true }) as string[])
        .filter((p) => p.endsWith('._S3rver_object'))
        .map((p) => p.slice(0, -'._S3rver_object'.length).split(path.sep).join('/'))
        .sort();
    },
    stop,
    async restart() {
      if (server) throw new Error('the S3 server is already running');
      server = make();
      await server.run();
    },
    async close() {
      await stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
