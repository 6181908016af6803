import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, signUp } from '../../core/src/test/client';
import { type StaffMember, signUpStaff } from '../../core/src/test/factories/staff';
import { startTestApp, type TestApp } from '../../core/src/test/harness';
import { startS3Server, type TestS3Server } from '../../core/src/test/s3-server';
import { type EngineUnderTest, openEngine, removeDir, until } from './support';

/**
 * The console engine opening files of a core that keeps them in object storage (s3rver on 127.0.0.1):
 * a picture comes by the core's redirect to a presigned bucket URL, a document streams from the core;
 * with the bucket down, the person is told the storage cannot be reached.
 */
let s3: TestS3Server;
let t: TestApp;
let agent: StaffMember;
let e: EngineUnderTest;

beforeAll(async () => {
  s3 = await startS3Server();
  t = await startTestApp({ env: s3.env });
  agent = await signUpStaff(t, ['support'], '客服小周');
  e = await openEngine(t.url);
  await e.call('auth.login', { login: agent.username, password: 'correct-horse-1' });
  await until('online', async () => (await e.call('sync.status')).state === 'online');
});
afterAll(async () => {
  await e?.close();
  if (e) removeDir(e.dir);
  await t?.close();
  await s3?.close();
});

async function upload(token: string, bytes: Buffer, name: string, type: string): Promise<number> {
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(bytes)], { type }), name);
  const res = await fetch(`${t.url}/api/v1/files`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
    body: form,
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { id: number }).id;
}

describe('console files on object storage', () => {
  it('opens a picture through the bucket redirect and a document through the core; says so when the bucket is down', async () => {
    const customer = await signUp(new ApiClient(t.url));
    const png = Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), randomBytes(2048)]);
    const pdf = Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(2048)]);
    const picId = await upload(customer.api.token!, png, '付款截图.png', 'image/png');
    const docId = await upload(customer.api.token!, pdf, '合同.pdf', 'application/pdf');

    // The core redirects the picture (the engine must not follow it with the staff member's token).
    const raw = await fetch(`${t.url}/api/v1/files/${picId}/content`, {
      headers: { authorization: `Bearer ${agent.api.token}` },
      redirect: 'manual',
    });
    expect(raw.status).toBe(302);

    expect(await e.call('files.content', { fileId: picId })).toEqual({
      contentType: 'image/png',
      sizeBytes: png.length,
      dataUrl: `data:image/png;base64,${png.toString('base64')}`,
    });
    expect(await e.call('files.content', { fileId: docId })).toEqual({
      contentType: 'application/pdf',
      sizeBytes: pdf.length,
      dataUrl: `data:application/pdf;base64,${pdf.toString('base64')}`,
    });

    await s3.stop();
    try {
      const down = await e.engine.dispatch('files.content', { fileId: picId });
      expect(down).toMatchObject({
        ok: false,
        problem: {
          code: 'service_unavailable',
          message: { zh: '文件存储暂时无法访问，请稍后再试' },
        },
      });
    } finally {
      await s3.restart();
    }
  });
});
