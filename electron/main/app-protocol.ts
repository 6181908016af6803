import { readFile } from 'node:fs/promises';
import { contentTypeOf } from '../renderer-files';
import { resolveAppFile } from './security';

/**
 * The `app://console/` handler (`protocol.handle`): serves the built renderer from `rendererDir`, nothing
 * else. It sets the CSP header itself because `session.webRequest`'s header hooks never see responses of
 * custom protocol handlers (electron/electron#6021). Plain `Request` → `Response`, so it is tested in Node.
 */
export function createAppProtocolHandler(opts: {
  rendererDir: string;
  /** The CSP for the core configured now. */
  contentSecurityPolicy: () => Promise<string>;
}): (request: Request) => Promise<Response> {
  return async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return new Response(null, { status: 405 });
    const file = resolveAppFile(opts.rendererDir, request.url);
    if (!file) return new Response('Not found', { status: 404 });
    let body: Buffer;
    try {
      body = await readFile(file);
    } catch {
      return new Response('Not found', { status: 404 });
    }
    return new Response(request.method === 'HEAD' ? null : new Uint8Array(body), {
      status: 200,
      headers: {
        'Content-Type': contentTypeOf(file),
        'Content-Security-Policy': await opts.contentSecurityPolicy(),
        'X-Content-Type-Options': 'nosniff',
        'Cache-Control': 'no-cache',
      },
    });
  };
}
