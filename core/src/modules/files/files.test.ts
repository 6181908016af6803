import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { FILE_LIMITS } from '@jiangxin/shared/api/files';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, signUp, uniqueName } from '../../test/client';
import { eventually } from '../../test/flows';
import { startTestApp, type TestApp } from '../../test/harness';
import { registerUser } from '../accounts/commands';
import { insertOrder } from '../messaging/test-fixtures';
import { contentDisposition, sanitizeFilename } from './content';
import { assertFilesUsable } from './queries';

let t: TestApp;
let api: ApiClient;

beforeAll(async () => {
  t = await startTestApp();
  api = new ApiClient(t.url);
});
afterAll(() => t?.close());

const PNG_MAGIC = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const png = (size = 256) => Buffer.concat([PNG_MAGIC, randomBytes(size)]);
const pdf = () => Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(300)]);
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** Multipart upload through fetch + FormData, like a browser. */
async function upload(
  token: string | undefined,
  bytes: Buffer,
  filename: string,
  type: string,
  field = 'file',
): Promise<{ status: number; body: any }> {
  const form = new FormData();
  form.append(field, new Blob([new Uint8Array(bytes)], { type }), filename);
  const res = await fetch(`${t.url}/api/v1/files`, {
    method: 'POST',
    headers: token ? { authorization: `Bearer ${token}` } : {},
    body: form,
  });
  return { status: res.status, body: await res.json() };
}

async function fileCount(): Promise<number> {
  const row = await t.db.write
    .selectFrom('files')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Stored blobs (and leftovers of any write) under the storage root. */
function storedBlobs(): string[] {
  const root = path.join(t.ctx.env.DATA_DIR, 'files');
  if (!fs.existsSync(root)) return [];
  // A temporary file may be renamed or removed between listing and looking at it.
  return (fs.readdirSync(root, { recursive: true }) as string[]).filter(
    (p) => fs.statSync(path.join(root, p), { throwIfNoEntry: false })?.isFile() ?? false,
  );
}

describe('files', () => {
  it('round-trips an upload with a Chinese filename: same bytes, same sha256, UTF-8 disposition', async () => {
    const { api: me } = await signUp(api);
    const bytes = png(4096);
    const res = await upload(me.token, bytes, '项目设计稿（终版）.png', 'image/png');
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      filename: '项目设计稿（终版）.png',
      contentType: 'image/png',
      sizeBytes: bytes.length,
      sha256: sha256(bytes),
      url: `/api/v1/files/${res.body.id}/content`,
    });

    const meta = await me.get(`/files/${res.body.id}`);
    expect(meta.status).toBe(200);
    expect(meta.body).toEqual(res.body);

    const dl = await fetch(t.url + res.body.url, { headers: { authorization: `Bearer ${me.token}` } });
    expect(dl.status).toBe(200);
    const got = Buffer.from(await dl.arrayBuffer());
    expect(sha256(got)).toBe(res.body.sha256);
    expect(got.equals(bytes)).toBe(true);
    expect(dl.headers.get('content-type')).toBe('image/png');
    expect(dl.headers.get('x-content-type-options')).toBe('nosniff');
    const disposition = dl.headers.get('content-disposition') ?? '';
    expect(disposition).toContain(`filename*=UTF-8''${encodeURIComponent('项目设计稿（终版）.png')}`);
    expect(disposition).toMatch(/filename="[\x20-\x7e]+"/);
  });

  it('stores identical bytes once, whoever uploads them', async () => {
    const a = await signUp(api);
    const b = await signUp(api);
    const bytes = pdf();
    const before = storedBlobs().length;
    const first = await upload(a.api.token, bytes, '合同.pdf', 'application/pdf');
    const second = await upload(b.api.token, bytes, 'contract.pdf', 'application/pdf');
    expect([first.status, second.status]).toEqual([201, 201]);
    expect(second.body.id).not.toBe(first.body.id);
    expect(second.body.sha256).toBe(first.body.sha256);
    expect(storedBlobs().length).toBe(before + 1);
  });

  it('refuses a file one byte over the limit with 413 and stores nothing', async () => {
    const { api: me } = await signUp(api);
    const rowsBefore = await fileCount();
    const blobsBefore = storedBlobs().length;
    const big = Buffer.alloc(FILE_LIMITS.maxBytes + 1, 0x41);
    big.write('%PDF-1.7', 0, 'latin1');
    const res = await upload(me.token, big, 'big.pdf', 'application/pdf');
    expect(res.status).toBe(413);
    expect(res.body.code).toBe('file_too_large');
    expect(res.body.errors).toEqual([expect.objectContaining({ field: 'body.file' })]);
    expect(await fileCount()).toBe(rowsBefore);
    expect(storedBlobs().length).toBe(blobsBefore);

    // Exactly at the limit is fine.
    const atLimit = await upload(
      me.token,
      big.subarray(0, FILE_LIMITS.maxBytes),
      'max.pdf',
      'application/pdf',
    );
    expect(atLimit.status).toBe(201);
  });

  it('a client that goes away mid-upload leaves no file, no temporary file and no row', async () => {
    const { api: me } = await signUp(api);
    const rowsBefore = await fileCount();
    const blobsBefore = storedBlobs().length;
    const boundary = `----jx${randomBytes(8).toString('hex')}`;
    const { port } = new URL(t.url);
    const req = http.request({
      host: '127.0.0.1',
      port: Number(port),
      method: 'POST',
      path: '/api/v1/files',
      headers: {
        authorization: `Bearer ${me.token}`,
        'content-type': `multipart/form-data; boundary=${boundary}`,
        'content-length': String(FILE_LIMITS.maxBytes),
      },
    });
    req.on('error', () => {});
    req.write(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="半截.pdf"\r\n` +
        'Content-Type: application/pdf\r\n\r\n',
    );
    req.write(pdf());
    req.write(Buffer.alloc(512 * 1024, 0x41));
    // Some bytes reached the storage's temporary file; then the connection drops.
    await eventually(() => storedBlobs().some((p) => p.endsWith('.tmp')) || undefined);
    req.destroy();
    await eventually(() => (storedBlobs().length === blobsBefore ? true : undefined));
    expect(storedBlobs().filter((p) => p.endsWith('.tmp'))).toEqual([]);
    expect(await fileCount()).toBe(rowsBefore);
  });

  it('refuses types that are not allowed, and content that is not what it claims', async () => {
    const { api: me } = await signUp(api);
    const rowsBefore = await fileCount();

    const html = await upload(me.token, Buffer.from('<script>alert(1)</script>'), 'x.html', 'text/html');
    expect(html.status).toBe(415);
    expect(html.body.code).toBe('file_type_not_allowed');

    const fakePng = await upload(me.token, pdf(), 'photo.png', 'image/png');
    expect(fakePng.status).toBe(415);
    expect(fakePng.body.code).toBe('file_type_not_allowed');
    expect(fakePng.body.detail).toContain('PDF');
    expect(fakePng.body.errors[0].field).toBe('body.file');

    const exeAsZip = await upload(
      me.token,
      Buffer.concat([Buffer.from('MZ'), randomBytes(100)]),
      'a.zip',
      'application/zip',
    );
    expect(exeAsZip.status).toBe(415);

    const pngAsText = await upload(me.token, png(), 'notes.txt', 'text/plain');
    expect(pngAsText.status).toBe(415);

    const docx = await upload(
      me.token,
      Buffer.concat([Buffer.from('PK\x03\x04', 'latin1'), randomBytes(200)]),
      '需求说明.docx',
      'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    );
    expect(docx.status).toBe(201);
    expect(await fileCount()).toBe(rowsBefore + 1);
  });

  it('refuses uploads without a signed-in user, outside the file field, or not multipart', async () => {
    const { api: me } = await signUp(api);
    expect((await upload(undefined, png(), 'a.png', 'image/png')).status).toBe(401);
    const wrongField = await upload(me.token, png(), 'a.png', 'image/png', 'attachment');
    expect(wrongField.status).toBe(400);
    expect(wrongField.body.errors.map((e: { field: string }) => e.field)).toContain('body.attachment');
    const json = await me.post('/files', { file: 'aGVsbG8=' });
    expect(json.status).toBe(415);
  });

  it('lets only the owner, order parties and staff read a file; others get 404', async () => {
    const owner = await signUp(api, { userType: 'freelancer' });
    const client = await signUp(api);
    const outsider = await signUp(api);
    const up = await upload(owner.api.token, png(), '交付物.png', 'image/png');
    expect(up.status).toBe(201);
    const id = up.body.id as number;

    for (const who of [outsider.api, client.api]) {
      expect((await who.get(`/files/${id}`)).status).toBe(404);
      expect((await who.get(`/files/${id}/content`)).status).toBe(404);
    }
    expect((await api.get(`/files/${id}`)).status).toBe(401);
    expect((await outsider.api.get('/files/999999')).status).toBe(404);

    // A delivery of an order between owner and client references it: the client may read it now.
    const { orderId } = await insertOrder(t, { clientId: client.userId, freelancerId: owner.userId });
    await t.db.transact((tx) =>
      tx
        .insertInto('order_deliveries')
        .values({ order_id: orderId, message: '初稿', file_ids: [id] })
        .execute(),
    );
    expect((await client.api.get(`/files/${id}/content`)).status).toBe(200);
    expect((await outsider.api.get(`/files/${id}/content`)).status).toBe(404);

    // Dispute evidence: the other party of that order may read the client's evidence.
    const evidence = await upload(client.api.token, pdf(), '证据.pdf', 'application/pdf');
    expect((await owner.api.get(`/files/${evidence.body.id}`)).status).toBe(404);
    await t.db.transact((tx) =>
      tx
        .insertInto('disputes')
        .values({
          order_id: orderId,
          opened_by: client.userId,
          reason: '未按要求交付',
          file_ids: [evidence.body.id],
        })
        .execute(),
    );
    expect((await owner.api.get(`/files/${evidence.body.id}`)).status).toBe(200);

    const staffTokens = await registerUser(
      t.ctx,
      { username: uniqueName('staff'), password: 'correct-horse-1', userType: 'client' },
      { staffRoles: ['support'] },
    );
    const staff = api.as(staffTokens.accessToken);
    expect((await staff.get(`/files/${id}/content`)).status).toBe(200);
    // Dispute evidence too (the dispute pane opens it).
    expect((await staff.get(`/files/${evidence.body.id}/content`)).status).toBe(200);
  });

  it('stops a staff member’s file reads once they are disabled or lose their roles, whatever their token says', async () => {
    const party = await signUp(api);
    const evidence = await upload(party.api.token, pdf(), '聊天截图.pdf', 'application/pdf');
    expect(evidence.status).toBe(201);
    const contentPath = `/files/${evidence.body.id}/content`;
    const staffMember = async () => {
      const tokens = await registerUser(
        t.ctx,
        { username: uniqueName('staff'), password: 'correct-horse-1', userType: 'client' },
        { staffRoles: ['moderator'] },
      );
      return { id: tokens.user.id, api: api.as(tokens.accessToken) };
    };

    const disabled = await staffMember();
    expect((await disabled.api.get(contentPath)).status).toBe(200);
    await t.db.write
      .updateTable('users')
      .set({ staff_disabled_at: new Date() })
      .where('id', '=', disabled.id)
      .execute();
    // The access token still carries the moderator role; the account no longer does.
    const refused = await disabled.api.get(contentPath);
    expect(refused.status).toBe(404);
    expect((await disabled.api.get(`/files/${evidence.body.id}`)).status).toBe(404);

    const demoted = await staffMember();
    expect((await demoted.api.get(contentPath)).status).toBe(200);
    await t.db.write.updateTable('users').set({ staff_roles: [] }).where('id', '=', demoted.id).execute();
    expect((await demoted.api.get(contentPath)).status).toBe(404);
    // The uploader still reads their own file.
    expect((await party.api.get(contentPath)).status).toBe(200);
  });

  it('assertFilesUsable accepts only the caller’s own uploads and names the others', async () => {
    const a = await signUp(api);
    const b = await signUp(api);
    const mine = await upload(a.api.token, png(), 'a.png', 'image/png');
    const theirs = await upload(b.api.token, png(), 'b.png', 'image/png');
    const ok = await t.db.transact((tx) => assertFilesUsable(tx, a.userId, [mine.body.id]));
    expect(ok.map((f) => f.id)).toEqual([mine.body.id]);
    await expect(
      t.db.transact((tx) => assertFilesUsable(tx, a.userId, [mine.body.id, theirs.body.id, 987654])),
    ).rejects.toMatchObject({ code: 'file_not_usable', extra: { fileIds: [theirs.body.id, 987654] } });
  });
});

describe('filenames', () => {
  it('keeps Chinese, drops paths, control and bidi characters, bounds the length keeping the extension', () => {
    expect(sanitizeFilename('设计稿 终版.png')).toBe('设计稿 终版.png');
    expect(sanitizeFilename('../../etc/passwd')).toBe('passwd');
    expect(sanitizeFilename('C:\\Users\\王\\简历.docx')).toBe('简历.docx');
    expect(sanitizeFilename('报告\u202Egnp.exe')).toBe('报告gnp.exe');
    expect(sanitizeFilename('a\u0000b\nc.txt')).toBe('abc.txt');
    expect(sanitizeFilename('...')).toBe('file');
    const long = sanitizeFilename(`${'长'.repeat(500)}.pdf`);
    expect([...long].length).toBe(FILE_LIMITS.maxFilenameLength);
    expect(long.endsWith('长.pdf')).toBe(true);
    expect(contentDisposition('a"b.pdf', false)).toBe(
      `attachment; filename="a_b.pdf"; filename*=UTF-8''a%22b.pdf`,
    );
  });
});
