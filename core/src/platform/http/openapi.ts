import type { FastifyDynamicSwaggerOptions } from '@fastify/swagger';
import { categoryNodeSchema } from '@jiangxin/shared/api/catalog';
import { problemSchema } from '@jiangxin/shared/errors';
import type { RouteOptions } from 'fastify';
import { jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod';
import { z } from 'zod';

/** The error answers the document declares, each a `components.responses` entry of `application/problem+json`. */
export const PROBLEM_RESPONSES = {
  400: ['BadRequest', '请求不合法 · Invalid input (`validation_failed`; `errors` names the fields)'],
  401: ['Unauthorized', '未登录或登录已过期 · No valid access token (`unauthenticated`, `token_expired` …)'],
  403: [
    'Forbidden',
    '无权限或账号受限 · Not allowed: a missing permission, a suspended account, not a party',
  ],
  404: ['NotFound', '不存在或不可见 · No such resource (or not one the caller may see)'],
  409: ['Conflict', '状态冲突 · The resource’s state or version does not allow this now; reload and decide'],
  422: [
    'IdempotencyKeyReused',
    '幂等键已用于另一请求 · The Idempotency-Key was used for a different request',
  ],
  413: [
    'PayloadTooLarge',
    '请求内容过大 · The body (or an uploaded file: `file_too_large`) is over the limit',
  ],
  415: [
    'UnsupportedMediaType',
    '内容类型不支持 · The body is not the declared content type (`unsupported_media_type`, `file_type_not_allowed`)',
  ],
  429: ['TooManyRequests', '操作过于频繁 · Rate limited; `Retry-After` says when to try again'],
  503: [
    'ServiceUnavailable',
    '依赖暂不可用 · A dependency (database, Redis) is down; retry after `Retry-After`',
  ],
} as const;
export type ProblemStatus = keyof typeof PROBLEM_RESPONSES;

declare module 'fastify' {
  interface FastifySchema {
    /**
     * Error answers this route can give beyond those the document derives from the route itself (see
     * `problemsOf`): say 409 for a create that can collide (a taken username), 429 for a route limited
     * by its own guard rather than `config.rateLimit`.
     */
    'x-problems'?: readonly ProblemStatus[];
    /**
     * An OpenAPI request body for a route whose body is not JSON validated by a schema (a multipart
     * upload): published as the operation's `requestBody`.
     */
    'x-request-body'?: Record<string, unknown>;
    /**
     * OpenAPI response objects for answers the route sends without a serialized schema (the bytes of a
     * file), by status; they replace what the document would otherwise say for that status.
     */
    'x-responses'?: Record<number, Record<string, unknown>>;
  }
}

/** The document's groups, in this order, each `中文 · English`. A route's tag must be one of these. */
export const API_TAGS: Record<string, string> = {
  accounts: '账号与登录 · Accounts, sign-up and sign-in, profile',
  catalog: '分类与服务 · Categories and listings',
  search: '搜索 · Listing search',
  orders: '订单与托管 · Orders and escrow',
  payments: '支付通知 · Payment gateway notifications (Alipay, WeChat Pay)',
  wallet: '钱包与提现 · Wallet, history and withdrawals',
  reviews: '评价 · Reviews',
  messaging: '消息 · Conversations between users',
  files: '文件 · File upload and download',
  disputes: '纠纷 · Disputes and evidence',
  moderation: '举报 · Reports',
  support: '客服 · Support conversations',
  'ops: cases': '运营 · 工单队列 · Ops: the case queue',
  'ops: audit': '运营 · 审计日志 · Ops: audit log',
  'ops: settings': '运营 · 运行参数 · Ops: run-time settings',
  'ops: stats': '运营 · 数据看板 · Ops: dashboard figures',
  'ops: moderation': '运营 · 处罚 · Ops: sanctions',
  'ops: payouts': '运营 · 提现审批 · Ops: payout approval',
  'ops: ledger': '运营 · 账本 · Ops: ledger',
  'ops: support': '运营 · 客服工作台 · Ops: support desk',
  'ops: drill-down': '运营 · 客户与订单详情 · Ops: customer and order pages',
  'ops: staff': '运营 · 员工与角色 · Ops: staff and roles',
  'ops: routing': '运营 · 团队与分派 · Ops: teams, presence and saved views',
};

/**
 * Schemas published once under `components.schemas` and referred to by `$ref` (a recursive one must be).
 * They are named in zod's global registry, where `.describe()` and `.meta()` put descriptions and
 * examples too, so the document keeps those.
 */
if (!z.globalRegistry.has(categoryNodeSchema))
  z.globalRegistry.add(categoryNodeSchema, { id: 'CategoryNode' });

/**
 * What a success answer is called when its route says nothing more (the generator's default would be
 * "Default Response"): the status in words, `中文 · English` like the problem answers.
 */
const SUCCESS_DESCRIPTIONS: Record<string, string> = {
  200: '成功 · OK: the answer below',
  201: '已创建 · Created: the new resource',
  202: '已受理 · Accepted: the work continues in the background',
  204: '成功，无内容 · Done, no content',
};

const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * The error answers of one route, derived from what it declares: 400 always (input is validated, bodies
 * parsed); 401 and 403 when it needs a bearer token; 404 when its path names a resource; 409 when it
 * writes to a named resource, carries an Idempotency-Key or a `version` (a stale one is refused); 413 and
 * 415 when it takes a body (over the size limit; not JSON); 422 with an Idempotency-Key (reused for
 * another request); 429 when rate limited; 503 always (an outage of the database or Redis). `x-problems`
 * adds what a route knows beyond that.
 */
export function problemsOf(route: {
  method: string;
  url: string;
  secured: boolean;
  rateLimited: boolean;
  idempotent: boolean;
  versioned: boolean;
  hasBody?: boolean;
  declared?: readonly ProblemStatus[];
}): ProblemStatus[] {
  const s = new Set<ProblemStatus>([400, 503, ...(route.declared ?? [])]);
  if (route.secured) {
    s.add(401);
    s.add(403);
  }
  const named = route.url.includes('/:');
  if (named) s.add(404);
  if (WRITE_METHODS.has(route.method) && (named || route.idempotent || route.versioned)) s.add(409);
  if (route.hasBody) {
    s.add(413);
    s.add(415);
  }
  if (route.idempotent) s.add(422);
  if (route.rateLimited) s.add(429);
  return [...s].sort((a, b) => a - b);
}

// biome-ignore lint/suspicious/noExplicitAny: the swagger document and its JSON Schemas, walked by key
type Json = Record<string, any>;

/** The per-route transform: zod → JSON Schema, then `security` (explicit `[]` when public) and the problems. */
const transform: FastifyDynamicSwaggerOptions['transform'] = (input) => {
  const out = jsonSchemaTransform(input);
  const schema = out.schema as Json;
  if (schema['hide']) return out;
  const route = input.route as RouteOptions & { config?: { rateLimit?: unknown } };
  const method = [route.method].flat()[0] as string;
  const security = (schema['security'] as unknown[] | undefined) ?? [];
  const headers = (schema['headers'] as Json | undefined)?.['properties'] ?? {};
  const body = schema['body'] as Json | undefined;
  schema['security'] = security;
  schema['x-jx-problems'] = problemsOf({
    method,
    url: out.url,
    secured: security.length > 0,
    rateLimited: Boolean(route.config?.rateLimit),
    idempotent: 'idempotency-key' in headers,
    versioned: Boolean(body?.['properties']?.['version']),
    hasBody: Boolean(body || schema['x-request-body']),
    declared: schema['x-problems'],
  });
  delete schema['x-problems'];
  // Renamed so that Fastify's own schema keys and the document's extensions cannot be confused.
  for (const key of ['x-request-body', 'x-responses'] as const) {
    if (schema[key]) schema[`x-jx-${key.slice(2)}`] = schema[key];
    delete schema[key];
  }
  return out;
};

const retryAfter = {
  'Retry-After': {
    description: 'Seconds to wait before trying again',
    schema: { type: 'integer', minimum: 0 },
  },
};

/** The whole document once built: components, problem answers, tags, and JSON Schema fixes. */
function transformObject(doc: Parameters<NonNullable<FastifyDynamicSwaggerOptions['transformObject']>>[0]) {
  const api = jsonSchemaTransformObject(doc) as Json;
  const schemas: Json = api['components'].schemas;
  for (const [id, s] of Object.entries(schemas)) {
    // The input form of a component nobody sends is not published (it would be an unused component).
    if (id.endsWith('Input')) delete schemas[id];
    else schemas[id] = s;
  }
  const used = new Set<string>();
  for (const ops of Object.values(api['paths'] as Record<string, Json>)) {
    for (const op of Object.values(ops) as Json[]) {
      const problems = (op['x-jx-problems'] as ProblemStatus[] | undefined) ?? [];
      delete op['x-jx-problems'];
      if (op['x-jx-request-body']) op['requestBody'] = op['x-jx-request-body'];
      delete op['x-jx-request-body'];
      Object.assign(op['responses'], op['x-jx-responses'] ?? {});
      delete op['x-jx-responses'];
      for (const [status, answer] of Object.entries(op['responses'] as Json))
        if (answer['description'] === 'Default Response')
          answer['description'] = SUCCESS_DESCRIPTIONS[status] ?? answer['description'];
      for (const status of problems)
        op['responses'][status] = { $ref: `#/components/responses/${PROBLEM_RESPONSES[status][0]}` };
      for (const tag of (op['tags'] as string[] | undefined) ?? []) used.add(tag);
    }
  }
  // A tag missing from API_TAGS is listed without a description: the linter's tag-description rule (an
  // error in redocly.yaml) fails npm test and openapi.test.ts on it, while the running core still answers.
  api['tags'] = [
    ...Object.entries(API_TAGS)
      .filter(([name]) => used.has(name))
      .map(([name, description]) => ({ name, description })),
    ...[...used].filter((name) => !(name in API_TAGS)).map((name) => ({ name })),
  ];
  fixRecordsWithRequiredKeys(api);
  return api;
}

/**
 * zod writes a record over an enum of keys as `propertyNames` + `additionalProperties` + `required`, which
 * is valid JSON Schema but names required properties nowhere in `properties` (and code generators then
 * drop them). Each required key gets its property, the value schema it already had.
 */
function fixRecordsWithRequiredKeys(node: unknown): void {
  if (Array.isArray(node)) {
    for (const n of node) fixRecordsWithRequiredKeys(n);
    return;
  }
  if (!node || typeof node !== 'object') return;
  const s = node as Json;
  if (
    Array.isArray(s['required']) &&
    !s['properties'] &&
    s['additionalProperties'] &&
    typeof s['additionalProperties'] === 'object'
  )
    s['properties'] = Object.fromEntries(
      (s['required'] as string[]).map((k) => [k, structuredClone(s['additionalProperties'])]),
    );
  for (const v of Object.values(s)) fixRecordsWithRequiredKeys(v);
}

function jsonSchemaOf(schema: z.ZodType): Json {
  const { $schema: _, ...rest } = z.toJSONSchema(schema, { io: 'output', target: 'draft-2020-12' }) as Json;
  return rest;
}

/** The @fastify/swagger options of the core's document (`/openapi.json`). */
export function openApiOptions(opts: { publicUrl?: string | undefined }): FastifyDynamicSwaggerOptions {
  const responses = Object.fromEntries(
    Object.entries(PROBLEM_RESPONSES).map(([status, [name, description]]) => [
      name,
      {
        description,
        ...(status === '429' || status === '503' ? { headers: retryAfter } : {}),
        content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
      },
    ]),
  );
  return {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: '匠心 Jiangxin API',
        version: '1.0.0',
        description:
          'Marketplace core service. Money is integer fen (分). Errors are application/problem+json with a stable `code`; messages follow Accept-Language (zh by default, en).',
        license: { name: 'Proprietary', identifier: 'LicenseRef-Jiangxin-Proprietary' },
      },
      // Paths carry their /api/v1 prefix, so the server is the service's origin: the configured public
      // URL, or the origin this document was fetched from.
      servers: [
        opts.publicUrl
          ? { url: opts.publicUrl.replace(/\/+$/, ''), description: '本服务 · This service (PUBLIC_URL)' }
          : { url: '/', description: '本服务 · This service (the origin of this document)' },
      ],
      components: {
        securitySchemes: {
          bearer: {
            type: 'http',
            scheme: 'bearer',
            bearerFormat: 'JWT',
            description: 'The access token of POST /api/v1/auth/login (or register, refresh)',
          },
        },
        schemas: { Problem: jsonSchemaOf(problemSchema) },
        responses,
      },
    } as FastifyDynamicSwaggerOptions['openapi'],
    transform,
    transformObject: transformObject as FastifyDynamicSwaggerOptions['transformObject'],
  };
}
