import type { Answer, PathParams, paths, Query, RequestBody } from '@jiangxin/client';
import type { HttpClient } from './load';

/**
 * The load loops' calls, typed by the core's OpenAPI document (@jiangxin/client's generated `paths`)
 * but sent over the bench's keep-alive node:http client instead of openapi-fetch: measured against the
 * raw Fastify hello-world, openapi-fetch over fetch cost ~145 µs of client CPU per request where node:http
 * costs ~35 µs, and the load generator shares the machine's 2 CPUs with the core (the `GET /healthz`
 * floor is ~110 µs of core CPU per request). So the path, parameters, body and answer come from the
 * document — a route or field that drifts is a type error — and the wire stays as light as before.
 * Setup and verification use the typed client itself (createJiangxinClient).
 */

type Method = 'get' | 'post';

export interface TypedAnswer<T> {
  status: number;
  /** The raw body (a problem document when status is not 2xx). */
  text: string;
  /** The body parsed as the document's success answer (call only when the status says success). */
  json(): T;
}

/** `method path` with its parameters and body as the document types them. */
export async function call<P extends keyof paths, M extends Method & keyof paths[P]>(
  http: HttpClient,
  method: M,
  path: P,
  init: {
    path?: PathParams<P, M>;
    query?: Query<P, M>;
    body?: RequestBody<P, M>;
    headers?: Record<string, string>;
  } = {},
): Promise<TypedAnswer<Answer<P, M>>> {
  let url: string = path;
  for (const [k, v] of Object.entries((init.path ?? {}) as Record<string, string>))
    url = url.replace(`{${k}}`, encodeURIComponent(v));
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries((init.query ?? {}) as Record<string, unknown>)) {
    if (v === undefined) continue;
    for (const item of Array.isArray(v) ? v : [v]) qs.append(k, String(item));
  }
  if (qs.size > 0) url += `?${qs}`;
  const headers = { ...init.headers };
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  const res = await http.request(method.toUpperCase(), url, {
    headers,
    ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
  });
  return { status: res.status, text: res.body, json: () => JSON.parse(res.body) as Answer<P, M> };
}
