import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CASE_KINDS } from '@jiangxin/shared/ops/cases';
import { OPS_ROUTES } from '@jiangxin/shared/ops/routes';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { caseKindHandler } from '../../modules/cases/registry';
import { ApiClient } from '../../test/client';
import { startTestApp, type TestApp } from '../../test/harness';
import {
  inputsOf,
  type JsonSchema,
  type OpenApiDoc,
  type OpenApiOperation,
  operationsOf,
  typesOf,
  walkSchema,
} from '../../test/openapi';
import { API_TAGS } from './openapi';

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

  it('documents every ops route from its declaration, with the declaration’s name as its operationId', async () => {
    const doc = (await new ApiClient(t.url).get<OpenApiDoc>('/openapi.json')).body;
    const ops = operationsOf(doc).filter((o) => o.path.startsWith('/api/v1/ops/'));
    expect(ops.filter((o) => !o.op.operationId).map((o) => `${o.method} ${o.path}`)).toEqual([]);
    const documented = ops.map((o) => `${o.op.operationId} ${o.method} ${o.path}`).sort();
    const declared = Object.entries(OPS_ROUTES)
      .map(([name, d]) => `${name} ${d.method} /api/v1${d.path.replace(/:([a-zA-Z]+)/g, '{$1}')}`)
      .sort();
    expect(documented).toEqual(declared);
  });

  it('passes Redocly’s linter (recommended rules, redocly.yaml) with no error and no warning', async () => {
    const doc = (await new ApiClient(t.url).get<OpenApiDoc>('/openapi.json')).body;
    expect(lint(doc)).toEqual({ errors: 0, warnings: 0, problems: [] });
  });

  it('the linter run can fail: an operation without security or operationId is an error', async () => {
    const doc = structuredClone((await new ApiClient(t.url).get<OpenApiDoc>('/openapi.json')).body);
    const me = doc.paths['/api/v1/me']?.['get'] as OpenApiOperation;
    delete me.security;
    delete me.operationId;
    const result = lint(doc);
    expect(result.errors).toBeGreaterThanOrEqual(2);
    expect(result.problems).toEqual(
      expect.arrayContaining([
        expect.stringContaining('security-defined'),
        expect.stringContaining('operation-operationId'),
      ]),
    );
  });

  it('names every operation for a client (a unique camelCase operationId declared with its route)', async () => {
    const doc = (await new ApiClient(t.url).get<OpenApiDoc>('/openapi.json')).body;
    const ops = operationsOf(doc);
    expect(ops.filter((o) => !o.op.operationId).map((o) => `${o.method} ${o.path}`)).toEqual([]);
    const ids = ops.map((o) => o.op.operationId as string);
    expect(ids.filter((id, i) => ids.indexOf(id) !== i)).toEqual([]);
    expect(ids.filter((id) => !/^[a-z][a-zA-Z]+$/.test(id))).toEqual([]);
    const named = Object.fromEntries(ops.map((o) => [o.op.operationId, `${o.method} ${o.path}`]));
    expect(named).toMatchObject({
      register: 'POST /api/v1/auth/register',
      login: 'POST /api/v1/auth/login',
      getMe: 'GET /api/v1/me',
      createOrder: 'POST /api/v1/orders',
      acceptOrder: 'POST /api/v1/orders/{id}/accept',
      createService: 'POST /api/v1/services',
      requestWithdrawal: 'POST /api/v1/wallet/withdrawals',
      listCases: 'GET /api/v1/ops/cases',
    });
  });

  it('declares security on every operation, and every problem answer a route can give', async () => {
    const raw = (await new ApiClient(t.url).get<Record<string, any>>('/openapi.json')).body;
    const doc = raw as OpenApiDoc;
    expect(raw['servers']).toHaveLength(1);
    expect(raw['components'].securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(raw['components'].responses.NotFound.content['application/problem+json'].schema).toEqual({
      $ref: '#/components/schemas/Problem',
    });
    expect(raw['components'].schemas.Problem.required).toEqual(
      expect.arrayContaining(['type', 'title', 'status', 'code', 'detail', 'details']),
    );
    const wrong: string[] = [];
    for (const o of operationsOf(doc)) {
      const op = o.op as OpenApiOperation & { responses: Record<string, { $ref?: string }> };
      const where = `${o.method} ${o.path}`;
      if (!Array.isArray(op.security)) wrong.push(`${where}: no security`);
      const secured = (op.security ?? []).length > 0;
      if (secured && JSON.stringify(op.security) !== JSON.stringify([{ bearer: [] }]))
        wrong.push(`${where}: security is not the bearer scheme`);
      const expected = ['400', '503'];
      if (secured) expected.push('401', '403');
      if (o.path.includes('{')) expected.push('404');
      if (o.method !== 'GET' && o.path.includes('{')) expected.push('409');
      if (o.op.requestBody) expected.push('413', '415');
      for (const status of expected)
        if (!op.responses[status]?.$ref?.startsWith('#/components/responses/'))
          wrong.push(`${where}: no ${status} problem`);
      // A success answer says what it is (the generator's default is "Default Response").
      for (const [status, answer] of Object.entries(
        op.responses as Record<string, { $ref?: string; description?: string }>,
      ))
        if (!answer.$ref && !/[\u4e00-\u9fff].* · [A-Z]/.test(answer.description ?? ''))
          wrong.push(`${where}: ${status} is described as "${answer.description}"`);
    }
    // Public on purpose: signing up and in, the catalog, search, public profiles and gateway notifications.
    const publicOps = operationsOf(doc)
      .filter((o) => (o.op.security ?? []).length === 0)
      .map((o) => o.op.operationId);
    expect(publicOps.sort()).toEqual(
      [
        'getService',
        'getUserProfile',
        'listCategories',
        'listCategorySkills',
        'listServiceReviews',
        'listUserReviews',
        'login',
        'logout',
        'receivePaymentNotification',
        'refreshToken',
        'register',
        'searchServices',
      ].sort(),
    );
    expect(wrong).toEqual([]);
    expect((raw['tags'] as { name: string; description: string }[]).map((t) => t.name)).toEqual(
      Object.keys(API_TAGS).filter((name) =>
        operationsOf(doc).some((o) => (o.op as any).tags?.includes(name)),
      ),
    );
  });

  it('shows a Chinese example on the main request bodies, and keeps the schemas’ descriptions', async () => {
    const doc = (await new ApiClient(t.url).get<OpenApiDoc>('/openapi.json')).body;
    const exampleOf = (id: string) => {
      const op = operationsOf(doc).find((o) => o.op.operationId === id)?.op as
        | (OpenApiOperation & { requestBody: { content: Record<string, { example?: unknown }> } })
        | undefined;
      return op?.requestBody.content['application/json']?.example;
    };
    const ids = [
      'register',
      'login',
      'createService',
      'createOrder',
      'disputeOrder',
      'requestWithdrawal',
      'claimCase',
      'assignCase',
      'releaseCase',
      'performCaseAction',
    ];
    expect(ids.filter((id) => !exampleOf(id))).toEqual([]);
    expect(JSON.stringify(exampleOf('createOrder'))).toMatch(/[\u4e00-\u9fff]/);
    // Each example is checked against its schema by the linter (no-invalid-media-type-examples: error).
    const login = doc.paths['/api/v1/auth/login']?.['post']?.requestBody?.content['application/json']?.schema;
    expect(login?.['properties'].login.description).toBe('username, email or phone');
  });

  it('describes the file upload as multipart and the download as bytes, with their own refusals', async () => {
    const doc = (await new ApiClient(t.url).get<Record<string, any>>('/openapi.json')).body;
    const upload = doc['paths']['/api/v1/files'].post;
    const form = upload.requestBody.content['multipart/form-data'].schema;
    expect(form.required).toEqual(['file']);
    expect(form.properties.file).toMatchObject({
      type: 'string',
      contentMediaType: 'application/octet-stream',
    });
    expect(upload.requestBody.content['application/json']).toBeUndefined();
    expect(upload.responses['413'].$ref).toBe('#/components/responses/PayloadTooLarge');
    expect(upload.responses['415'].$ref).toBe('#/components/responses/UnsupportedMediaType');
    const download = doc['paths']['/api/v1/files/{id}/content'].get.responses['200'];
    expect(download.content['*/*'].schema).toMatchObject({ type: 'string', format: 'binary' });
    expect(Object.keys(download.headers)).toEqual(['Content-Disposition', 'ETag']);
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

/**
 * Formats whose validators already refuse control characters (zod checks them with its own anchored
 * regexes). A string input with none of these, no `enum`/`const` and no `pattern` is a bare string.
 */
const SAFE_FORMATS = new Set(['email', 'uuid', 'date-time', 'date', 'ipv4', 'ipv6']);

/**
 * Inputs allowed to stay bare, each with the reason. Only bytes belong here (a file is not text); for
 * text use `text()`, `idQuery`, `queryInt`, `isoInstantQuery` … from `shared/api/common.ts`, or a regex.
 */
const BARE_ALLOWED: Record<string, string> = {
  // Bytes, not text: checked against the allowed types by their content and bounded by the upload limit.
  'POST /api/v1/files body(multipart/form-data).file': 'the uploaded file',
};

/** The string nodes of one input that have nothing refusing control characters, and every pattern seen. */
function auditInput(doc: OpenApiDoc, schema: JsonSchema | undefined, where: string) {
  const bare: string[] = [];
  const patterns: { where: string; pattern: string }[] = [];
  walkSchema(doc, schema, where, (node, at) => {
    if (typeof node['pattern'] === 'string') patterns.push({ where: at, pattern: node['pattern'] });
    if (!typesOf(node).includes('string')) return;
    const constrained =
      typeof node['pattern'] === 'string' ||
      ((node['allOf'] as JsonSchema[] | undefined) ?? []).some((b) => typeof b['pattern'] === 'string') ||
      Array.isArray(node['enum']) ||
      'const' in node ||
      SAFE_FORMATS.has(node['format']);
    if (!constrained) bare.push(`${at}: ${JSON.stringify(node).slice(0, 120)}`);
  });
  return { bare, patterns };
}

/**
 * A pattern that lets NUL through protects nothing: it must be anchored at both ends, and no string it
 * accepts may still be accepted with a NUL put into it. Samples come from fast-check (fixed seed).
 */
function letsNulThrough(pattern: string): string | null {
  if (!pattern.startsWith('^') || !pattern.endsWith('$')) return 'is not anchored with ^…$';
  const re = new RegExp(pattern);
  const samples = fc.sample(fc.tuple(fc.stringMatching(re), fc.nat()), { numRuns: 25, seed: 4242 });
  for (const [s, at] of samples) {
    const i = s.length ? at % (s.length + 1) : 0;
    const withNul = `${s.slice(0, i)}\u0000${s.slice(i)}`;
    if (re.test(withNul)) return `accepts ${JSON.stringify(withNul)}`;
  }
  return null;
}

describe('every input is constrained', () => {
  it('no string input of any route (parameter or body, at any depth) is a bare string', async () => {
    const doc = (await new ApiClient(t.url).get<OpenApiDoc>('/openapi.json')).body;
    const ops = operationsOf(doc);
    expect(ops.length).toBeGreaterThan(80);
    const bare: string[] = [];
    const weak: string[] = [];
    for (const o of ops) {
      for (const input of inputsOf(o)) {
        const name = `${o.method} ${o.path} ${input.where}`;
        const found = auditInput(doc, input.schema, name);
        bare.push(...found.bare.filter((b) => !Object.keys(BARE_ALLOWED).some((k) => b.startsWith(`${k}:`))));
        for (const p of found.patterns) {
          const why = letsNulThrough(p.pattern);
          if (why) weak.push(`${p.where} pattern ${p.pattern} ${why}`);
        }
      }
    }
    expect(bare).toEqual([]);
    expect(weak).toEqual([]);
  });

  it('the bodies of case actions (validated behind POST /ops/cases/:id/perform/:action) are constrained too', () => {
    const bare: string[] = [];
    let actions = 0;
    for (const kind of CASE_KINDS) {
      for (const [name, def] of Object.entries(caseKindHandler(kind)?.actions ?? {})) {
        actions += 1;
        const schema = z.toJSONSchema(def.body, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
        bare.push(...auditInput({ paths: {} }, schema, `${kind}.${name}`).bare);
      }
    }
    expect(actions).toBeGreaterThan(10);
    expect(bare).toEqual([]);
  });

  it('catches a bare string: the audit itself can fail', () => {
    const schema = z.toJSONSchema(z.object({ ok: z.string().regex(/^a$/), nope: z.string().max(5) }), {
      io: 'input',
    }) as JsonSchema;
    expect(auditInput({ paths: {} }, schema, 'body').bare).toEqual([
      'body.nope: {"type":"string","maxLength":5}',
    ]);
    expect(letsNulThrough('^[a-z\\u0000]*$')).toMatch(/accepts/);
    expect(letsNulThrough('[a-z]')).toMatch(/anchored/);
  });
});

/**
 * Runs the Redocly CLI (root devDependency, rules in redocly.yaml) on a document and returns its counts
 * and one `rule: message @ pointer` line per problem. No telemetry, no update check.
 */
function lint(doc: unknown): { errors: number; warnings: number; problems: string[] } {
  const root = path.resolve(import.meta.dirname, '../../../..');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jx-redocly-'));
  const file = path.join(dir, 'openapi.json');
  fs.writeFileSync(file, JSON.stringify(doc));
  try {
    const run = spawnSync(
      process.execPath,
      [
        path.join(root, 'node_modules/@redocly/cli/bin/cli.js'),
        'lint',
        file,
        '--config',
        path.join(root, 'redocly.yaml'),
        '--format=json',
        '--max-problems=1000',
      ],
      {
        encoding: 'utf8',
        env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
      },
    );
    const out = JSON.parse(run.stdout.slice(run.stdout.indexOf('{'))) as {
      totals: { errors: number; warnings: number };
      problems: { ruleId: string; message: string; location: { pointer?: string }[] }[];
    };
    return {
      errors: out.totals.errors,
      warnings: out.totals.warnings,
      problems: out.problems.map((p) => `${p.ruleId}: ${p.message} @ ${p.location[0]?.pointer ?? ''}`),
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
