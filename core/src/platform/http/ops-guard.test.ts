import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { guardOpsRoutes } from './ops-guard';
import { opsRoute } from './ops-route';
import { createHttpServer, type HttpServer } from './server';

let http: HttpServer | undefined;
afterEach(async () => {
  await http?.close();
  http = undefined;
});

/**
 * Builds a bare server the way `buildApp` does (the ops guard, then the API under `/api/v1`) with the
 * routes `register` adds, and makes it ready; returns the ops routes the guard saw.
 */
async function start(register: (api: HttpServer) => void): Promise<string[]> {
  http = await createHttpServer({ logger: pino({ level: 'silent' }) });
  http.decorateRequest('principal', null);
  http.decorateRequest('staff', null);
  const registered = guardOpsRoutes(http, '/api/v1');
  await http.register(async (api) => register(api), { prefix: '/api/v1' });
  await http.ready();
  return registered;
}

describe('the ops guard at start-up', () => {
  it('refuses an ops route registered by hand (app.get), naming it', async () => {
    await expect(
      start((api) => {
        api.get('/ops/stats', async () => ({}));
      }),
    ).rejects.toThrow(
      'ops route GET /ops/stats is not registered from its declaration in OPS_ROUTES (shared/src/ops/routes.ts); use opsRoute()',
    );
  });

  it('refuses a route whose operationId names another declaration, or none', async () => {
    for (const operationId of ['listAudit', 'noSuchRoute']) {
      await expect(
        start((api) => {
          api.get('/ops/stats', { schema: { operationId } }, async () => ({}));
        }),
        operationId,
      ).rejects.toThrow(/^ops route GET \/ops\/stats is not registered/);
      await http?.close();
    }
  });

  it('accepts routes registered from their declaration and guards them', async () => {
    const registered = await start((api) => {
      opsRoute(api, 'getSettings', async () => {
        throw new Error('the guard lets nobody through here');
      });
      // Routes outside /ops are not its business.
      api.get('/categories', async () => ({}));
    });
    expect(registered).toEqual(['GET /ops/settings']);
    const res = await http!.inject({ method: 'GET', url: '/api/v1/ops/settings' });
    expect(res.statusCode).toBe(401);
  });
});
