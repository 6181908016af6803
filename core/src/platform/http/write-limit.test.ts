import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, signUp } from '../../test/client';
import { startTestApp, type TestApp } from '../../test/harness';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ env: { WRITE_LIMIT_PER_MINUTE: '3' } });
});
afterAll(() => t?.close());

describe('write-route rate limit', () => {
  it('gives each signed-in user their own budget of writes per minute, then 429 with the code', async () => {
    const a = (await signUp(new ApiClient(t.url))).api;
    const b = (await signUp(new ApiClient(t.url))).api;
    const ask = (api: ApiClient, i: number) =>
      api.post('/support/conversations', { subject: `问题${i}`, message: '请问怎么申请发票？' });
    const statuses = [];
    for (let i = 0; i < 4; i += 1) statuses.push((await ask(a, i)).status);
    expect(statuses.slice(0, 3).every((s) => s === 200 || s === 201)).toBe(true);
    const limited = await ask(a, 4);
    expect(limited.status).toBe(429);
    expect(limited.body.code).toBe('rate_limited');
    // Another user is unaffected.
    expect([200, 201]).toContain((await ask(b, 0)).status);
  });

  it('never limits gateway notifications (a retrying gateway must always get through)', async () => {
    const anon = new ApiClient(t.url);
    for (let i = 0; i < 6; i += 1) {
      const res = await anon.request('POST', '/payments/alipay/notify', 'a=b', {
        'content-type': 'application/x-www-form-urlencoded',
      });
      expect(res.status).not.toBe(429);
    }
  });
});
