import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../../test/client';
import { startTestApp, type TestApp } from '../../test/harness';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t?.close());

describe('service surface', () => {
  it('publishes an OpenAPI 3.1 document covering the marketplace routes, and a docs page', async () => {
    const api = new ApiClient(t.url);
    const doc = await api.get('/openapi.json');
    expect(doc.status).toBe(200);
    expect(doc.body.openapi).toBe('3.1.0');
    const paths = Object.keys(doc.body.paths);
    for (const p of [
      '/api/v1/auth/register',
      '/api/v1/auth/login',
      '/api/v1/auth/refresh',
      '/api/v1/auth/logout',
      '/api/v1/me',
      '/api/v1/categories',
      '/api/v1/services',
      '/api/v1/services/{id}',
      '/api/v1/orders',
      '/api/v1/orders/{id}',
      '/api/v1/orders/{id}/accept',
      '/api/v1/orders/{id}/decline',
      '/api/v1/orders/{id}/deliver',
      '/api/v1/orders/{id}/request-revision',
      '/api/v1/orders/{id}/complete',
      '/api/v1/orders/{id}/cancel',
      '/api/v1/orders/{id}/dispute',
      '/api/v1/orders/{id}/reviews',
      '/api/v1/payments/{provider}/notify',
      '/api/v1/wallet',
      '/api/v1/wallet/transactions',
      '/api/v1/conversations',
      '/api/v1/conversations/{id}/messages',
      '/api/v1/files',
    ])
      expect(paths, p).toContain(p);
    const orderPost = doc.body.paths['/api/v1/orders'].post;
    expect(orderPost.requestBody.content['application/json'].schema.properties).toHaveProperty(
      'paymentProvider',
    );
    const docs = await fetch(`${t.url}/docs/`);
    expect(docs.status).toBe(200);
    expect(await docs.text()).toContain('swagger');
  });

  it('answers health, readiness and metrics', async () => {
    const api = new ApiClient(t.url);
    expect((await api.get('/healthz')).body).toEqual({ status: 'ok' });
    expect((await api.get('/readyz')).body).toMatchObject({ status: 'ready' });
    await api.get('/api/v1/categories');
    const metrics = await fetch(`${t.url}/metrics`);
    const text = await metrics.text();
    expect(text).toContain('http_request_duration_seconds_bucket');
    expect(text).toContain('route="/api/v1/categories"');
  });

  it('answers unknown routes with a problem in the caller language', async () => {
    const res = await new ApiClient(t.url, undefined, 'en').get('/api/v1/nope');
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.body.detail).toContain('No such route');
  });
});
