import { MULTI_LINE_PATTERN, NO_NUL_PATTERN, SINGLE_LINE_PATTERN } from '@jiangxin/shared/api/common';
import type { CaseKind } from '@jiangxin/shared/ops/cases';
import { REPORT_REASONS } from '@jiangxin/shared/ops/moderation';
import { STAFF_ROLES } from '@jiangxin/shared/permissions';
import fc from 'fast-check';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { caseKindHandler } from '../../modules/cases/registry';
import { ApiClient, signUp } from '../../test/client';
import {
  insertPublishedService,
  orderThroughCommands,
  seedCatalog,
  serviceBody,
} from '../../test/factories/catalog';
import { type StaffMember, signUpStaff } from '../../test/factories/staff';
import { badKey, badString, badValue, friendlyText, type RawBody, rawBodies } from '../../test/fuzz-values';
import { backend, startTestApp, type TestApp } from '../../test/harness';
import {
  deref,
  type JsonSchema,
  type OpenApiDoc,
  type Operation,
  operationsOf,
  typesOf,
} from '../../test/openapi';

/**
 * Bad input never reaches PostgreSQL and never gives a 5xx — over every operation the core publishes in
 * `/openapi.json`, on a real core with real fixtures (users, a listing, orders, a dispute, chats, a
 * support case, a report, a sanction, a canned reply, a file), so ids in paths point at real rows and
 * refusals come from deep in the handlers as well as from the schemas.
 *
 * For each operation fast-check builds a plausible request from the operation's own JSON Schema and
 * breaks it in one or two places: NUL, C0/C1 control and bidi characters, lone surrogates and huge
 * strings in any string field, path parameter or query parameter; non-decimal and out-of-range ids
 * (`0x10`, `1e1`, ` 16`, `016` …); bad dates; negative, huge and fractional numbers; wrong types;
 * missing and unknown fields; extra nesting; arrays for scalars and repeated query parameters; bodies
 * that are not objects, not JSON, not UTF-8, too large or of another content type; malformed
 * Idempotency-Keys. It is sent as a user who can reach the route (a client/freelancer; for `/ops`
 * routes a member of staff with every role) or by nobody. Every answer must be below 500; every 4xx
 * must be `application/problem+json` with a `code`; a refused request must leave every table as it
 * was (row counts of all tables, the newest event, the case versions).
 *
 * Deliberately out of scope: multipart uploads to `POST /files` (sent JSON here, so always refused with
 * 415 — the multipart parser has its own suite in files.test.ts), and valid signatures on the payment
 * notifications: those routes get unsigned or garbled notifications, which must be refused in the
 * gateway's own format (Alipay: 200 `failure`; WeChat Pay: a 4xx `{"code":"FAIL"}`) and are logged in
 * `payment_notifications` by design, so that table is left out of the fingerprint.
 *
 * Bounded for `npm test`: a fixed seed per operation and RUNS requests each (no shrinking: a failure is
 * reported as generated, with the request that caused it).
 */

const RUNS = Number(process.env['JX_FUZZ_RUNS'] ?? 20);
const SEED = 20261127;
const UNKNOWN_ID = 999_999;

let t: TestApp;
let doc: OpenApiDoc;
let staff: StaffMember;
let colleague: StaffMember;
let userA: ApiClient;
let userB: ApiClient;
const anonymous = () => new ApiClient(t.url);
/** Real ids for each kind of path parameter, by the path segment before it. */
const pools: Record<string, number[]> = {};
/** Every (case id, action) the registry offers for the fixture cases. */
let performTargets: { caseId: number; kind: CaseKind; action: string }[] = [];
let fingerprintSql: string;

/**
 * What this checks — bad input refused before any SQL, never a 5xx — is the HTTP layer's and the same on
 * both backends, and it is the slowest core file: when the PostgreSQL project runs it (CI), the PGlite
 * project skips it (saying so) rather than fuzz the same layer twice.
 */
const RUNS_ON_POSTGRES_INSTEAD = backend === 'pglite' && Boolean(process.env['TEST_DATABASE_URL']);

beforeAll(async () => {
  if (RUNS_ON_POSTGRES_INSTEAD) return;
  t = await startTestApp({ payments: true });
  const api = new ApiClient(t.url);
  staff = await signUpStaff(t, [...STAFF_ROLES], '全能员工');
  colleague = await signUpStaff(t, ['support'], '客服同事');
  const a = await signUp(api, { userType: 'both', nickname: '甲方乙方' });
  const b = await signUp(api, { userType: 'both', nickname: '乙方丙方' });
  const victim = await signUp(api, { userType: 'client', nickname: '被处罚的人' });
  userA = a.api;
  userB = b.api;

  // A listing under review (a listing_review case) and a published one of A's.
  const { logo } = await seedCatalog(t);
  const pending = await userA.post('/services', serviceBody(logo.id));
  expect(pending.status, JSON.stringify(pending.body)).toBe(201);
  const { serviceId } = await insertPublishedService(t, a.userId);

  // B's orders of it: one in progress, one delivered then disputed (a dispute case), one completed.
  const inProgress = await orderThroughCommands(t, { serviceId, clientId: b.userId, status: 'in_progress' });
  const delivered = await orderThroughCommands(t, { serviceId, clientId: b.userId, status: 'delivered' });
  const completed = await orderThroughCommands(t, { serviceId, clientId: b.userId, status: 'completed' });
  const disputed = await userB.post(`/orders/${delivered.id}/dispute`, {
    reason: '交付内容与需求不符，请平台介入',
  });
  expect(disputed.status, JSON.stringify(disputed.body)).toBe(200);
  const dispute = await userB.get(`/orders/${delivered.id}/dispute`);
  expect(dispute.status).toBe(200);

  // A chat between A and B, a support chat of B's (a support_chat case), a report (a report case).
  const conversation = await userB.post('/conversations', { participantId: a.userId, message: '你好' });
  expect(conversation.status, JSON.stringify(conversation.body)).toBe(201);
  const support = await userB.post('/support/conversations', { subject: '咨询', message: '你好，客服' });
  expect(support.status, JSON.stringify(support.body)).toBe(201);
  const report = await userB.post('/reports', {
    targetType: 'listing',
    targetId: serviceId,
    reason: REPORT_REASONS[0],
  });
  expect(report.status, JSON.stringify(report.body)).toBe(201);

  // Staff fixtures: a canned reply, a sanction on the victim.
  const canned = await staff.api.post('/ops/canned-replies', {
    title: '问候',
    bodyZh: '您好 {{user.nickname}}',
  });
  expect(canned.status, JSON.stringify(canned.body)).toBe(201);
  const sanction = await staff.api.post(`/ops/users/${victim.userId}/sanctions`, {
    kind: 'warn',
    reason: REPORT_REASONS[0],
    note: '警告一次',
  });
  expect(sanction.status, JSON.stringify(sanction.body)).toBe(201);

  // A file of B's.
  const form = new FormData();
  form.append('file', new Blob([Buffer.from('hello')], { type: 'text/plain' }), 'note.txt');
  const upload = await fetch(`${t.url}/api/v1/files`, {
    method: 'POST',
    headers: { authorization: `Bearer ${userB.token}` },
    body: form,
  });
  expect(upload.status).toBe(201);
  const fileId = ((await upload.json()) as { id: number }).id;

  const cases = (await t.db.read.selectFrom('cases').select(['id', 'kind']).orderBy('id').execute()) as {
    id: number;
    kind: CaseKind;
  }[];
  Object.assign(pools, {
    users: [victim.userId, UNKNOWN_ID],
    services: [serviceId, pending.body.id, UNKNOWN_ID],
    categories: [logo.id, UNKNOWN_ID],
    orders: [inProgress.id, delivered.id, completed.id, UNKNOWN_ID],
    conversations: [conversation.body.id, UNKNOWN_ID],
    'support/conversations': [support.body.id, UNKNOWN_ID],
    'ops/support/conversations': [
      ...cases.filter((c) => c.kind === 'support_chat').map((c) => c.id),
      UNKNOWN_ID,
    ],
    files: [fileId, UNKNOWN_ID],
    cases: [...cases.map((c) => c.id), UNKNOWN_ID],
    disputes: [dispute.body.id, UNKNOWN_ID],
    sanctions: [sanction.body.id, UNKNOWN_ID],
    'canned-replies': [canned.body.id, UNKNOWN_ID],
    staff: [colleague.userId, staff.userId, UNKNOWN_ID],
  });
  performTargets = cases.flatMap((c) =>
    Object.keys(caseKindHandler(c.kind)?.actions ?? {}).map((action) => ({
      caseId: c.id,
      kind: c.kind,
      action,
    })),
  );
  expect(new Set(cases.map((c) => c.kind))).toEqual(
    new Set<CaseKind>(['listing_review', 'dispute', 'support_chat', 'report']),
  );

  doc = (await api.get<OpenApiDoc>('/openapi.json')).body;

  // Every table's row count in one statement, plus the newest event and the sum of case versions.
  const tables = await sql<{ name: string }>`
    SELECT table_name AS name FROM information_schema.tables
    WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'
      AND table_name NOT IN ('payment_notifications') AND table_name NOT LIKE 'kysely_%'
    ORDER BY table_name`.execute(t.db.read);
  expect(tables.rows.length).toBeGreaterThan(20);
  fingerprintSql = `SELECT ${[
    ...tables.rows.map((r) => `(SELECT count(*) FROM "${r.name}")::int AS "${r.name}"`),
    '(SELECT coalesce(max(id), 0) FROM events)::bigint AS "events.max_id"',
    '(SELECT coalesce(sum(version), 0) FROM cases)::bigint AS "cases.versions"',
  ].join(', ')}`;
}, 300_000);
afterAll(() => t?.close());

async function fingerprint(): Promise<Record<string, unknown>> {
  const r = await sql<Record<string, unknown>>`${sql.raw(fingerprintSql)}`.execute(t.db.read);
  return r.rows[0]!;
}

/**
 * The fingerprint once nothing is writing any more. A request that succeeded may leave work running after
 * its answer (a refund sent to the gateway and booked when it answers), which must not be blamed on the
 * next, refused request: after a success, wait until two reads 50 ms apart agree (at most 5 s).
 */
let lastSucceeded = false;
async function settledFingerprint(): Promise<Record<string, unknown>> {
  let fp = await fingerprint();
  if (!lastSucceeded) return fp;
  for (let i = 0; i < 100; i += 1) {
    await new Promise((r) => setTimeout(r, 50));
    const next = await fingerprint();
    if (JSON.stringify(next) === JSON.stringify(fp)) return next;
    fp = next;
  }
  return fp;
}

/** Whether every event after `afterId` is a `payment.notification_rejected`. */
async function onlyRejectedNotificationEvents(afterId: number): Promise<boolean> {
  const rows = await t.db.read.selectFrom('events').select('type').where('id', '>', afterId).execute();
  return rows.every((r) => r.type === 'payment.notification_rejected');
}

// ---------------------------------------------------------------------------------------------------
// Plausible values from an operation's JSON Schema

/** The text rules of shared/api/common.ts as they appear in the document: plain text satisfies them. */
const TEXT_PATTERNS = new Set([SINGLE_LINE_PATTERN.source, MULTI_LINE_PATTERN.source, NO_NUL_PATTERN.source]);

/** Ids named like these point at fixture rows (plus an unknown one), so requests reach real data. */
const ID_POOLS: Record<string, string> = {
  serviceId: 'services',
  participantId: 'users',
  userId: 'users',
  targetId: 'users',
  actorId: 'users',
  orderId: 'orders',
  fileId: 'files',
  fileIds: 'files',
  caseId: 'cases',
  caseIds: 'cases',
  subjectId: 'cases',
  cannedReplyId: 'canned-replies',
  assigneeId: 'staff',
  categoryId: 'categories',
};
const DATE_PATTERN_START = '^([0-9]{4})-';

/**
 * A value the schema would mostly accept (it may not: refusals are fine, 5xx are not). `name` is the
 * property or parameter it is for: ids by a known name come from the fixtures; decimal and date
 * parameters get small numbers and recent dates rather than whatever their pattern allows.
 */
function plausible(s0: JsonSchema | undefined, depth = 0, name = ''): fc.Arbitrary<unknown> {
  const s = deref(doc, s0);
  if (!s || depth > 6) return fc.constant(undefined);
  const pool = ID_POOLS[name] && pools[ID_POOLS[name]!];
  const types0 = typesOf(s);
  if (pool && !s['enum'] && (types0.includes('integer') || types0.includes('string'))) {
    const id = fc.constantFrom(...pool);
    return types0.includes('integer') ? id : id.map(String);
  }
  if ('const' in s) return fc.constant(s['const']);
  if (Array.isArray(s['enum'])) return fc.constantFrom(...(s['enum'] as unknown[]));
  const branches = (s['anyOf'] ?? s['oneOf']) as JsonSchema[] | undefined;
  if (branches) return fc.oneof(...branches.map((b) => plausible(b, depth + 1, name)));
  if (Array.isArray(s['allOf']) && !s['type'])
    return plausible(Object.assign({}, ...(s['allOf'] as JsonSchema[])), depth + 1, name);
  const types = typesOf(s);
  if (types.length > 1) return fc.oneof(...types.map((type) => plausible({ ...s, type }, depth, name)));
  switch (types[0]) {
    case 'string': {
      const min = (s['minLength'] as number | undefined) ?? 0;
      const max = (s['maxLength'] as number | undefined) ?? 40;
      const pattern = s['pattern'] as string | undefined;
      if (s['format'] === 'email') return fc.constantFrom('fuzz@example.com', 'a.b@example.cn');
      if (pattern && TEXT_PATTERNS.has(pattern)) return friendlyText(min, max);
      if (pattern === '^(0|[1-9][0-9]{0,15})$') return fc.integer({ min: 0, max: 60 }).map(String);
      if (pattern === '^[1-9][0-9]{0,15}$') return fc.integer({ min: 1, max: 60 }).map(String);
      if (pattern?.startsWith('^(0|[1-9][0-9]{0,8})(')) return fc.constantFrom('0', '3', '4.5', '5');
      if (pattern?.startsWith(DATE_PATTERN_START))
        return fc
          .integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2030, 0, 1) })
          .map((ms) => new Date(ms).toISOString());
      if (pattern)
        return fc.stringMatching(new RegExp(pattern)).filter((v) => v.length >= min && v.length <= max);
      return friendlyText(min, max);
    }
    case 'integer': {
      const lo = Math.max(
        (s['minimum'] as number | undefined) ?? ((s['exclusiveMinimum'] as number | undefined) ?? -1001) + 1,
        -1000,
      );
      const hi = Math.min((s['maximum'] as number | undefined) ?? 1_000_000, 1_000_000);
      return fc.oneof(fc.integer({ min: lo, max: Math.min(hi, lo + 20) }), fc.integer({ min: lo, max: hi }));
    }
    case 'number':
      return fc.double({
        min: (s['minimum'] as number | undefined) ?? -1000,
        max: (s['maximum'] as number | undefined) ?? 1000,
        noNaN: true,
        noDefaultInfinity: true,
      });
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array': {
      const min = (s['minItems'] as number | undefined) ?? 0;
      const max = Math.max(min, Math.min((s['maxItems'] as number | undefined) ?? 3, 3));
      return fc.array(plausible(s['items'] as JsonSchema, depth + 1, name), {
        minLength: min,
        maxLength: max,
      });
    }
    case 'object': {
      const props = (s['properties'] ?? {}) as Record<string, JsonSchema>;
      const model = Object.fromEntries(
        Object.entries(props).map(([k, v]) => [k, plausible(v, depth + 1, k)]),
      );
      return fc.record(model, {
        requiredKeys: ((s['required'] as string[]) ?? []).filter((k) => k in model),
      });
    }
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

// ---------------------------------------------------------------------------------------------------
// Requests

type Caller = 'staff' | 'colleague' | 'userA' | 'userB' | 'anonymous';
interface Req {
  caller: Caller;
  params: Record<string, string>;
  query: [string, string][];
  headers: Record<string, string>;
  /** `json` sent as JSON, or (`form`) its fields as application/x-www-form-urlencoded. */
  body: { json: unknown; form?: true } | { raw: RawBody } | null;
}
type Mutation = {
  where:
    | 'param'
    | 'query'
    | 'queryArray'
    | 'dropQuery'
    | 'body'
    | 'everyString'
    | 'bodyWhole'
    | 'raw'
    | 'header';
  pick: number;
  kind: 'set' | 'delete' | 'add' | 'wrap';
  value: unknown;
  str: string;
  key: string;
  raw: RawBody;
};

const mutation: fc.Arbitrary<Mutation> = fc.record({
  where: fc.constantFrom(
    'param',
    'query',
    'queryArray',
    'dropQuery',
    'body',
    'body',
    'body',
    'everyString',
    'everyString',
    'bodyWhole',
    'raw',
    'header',
  ),
  pick: fc.nat(),
  kind: fc.constantFrom('set', 'set', 'set', 'delete', 'add', 'wrap'),
  value: badValue,
  str: badString,
  key: badKey,
  raw: rawBodies,
});

/** `/orders/{id}/pay` → the pool for `{id}`: the longest known path before the parameter. */
function poolFor(path: string, param: string): number[] {
  const before = path.replace('/api/v1/', '').split(`/{${param}}`)[0] ?? '';
  const segments = before.split('/');
  for (let i = 0; i < segments.length; i += 1) {
    const key = segments.slice(i).join('/');
    if (pools[key]) return pools[key];
  }
  return [UNKNOWN_ID];
}

function callersOf(o: Operation): fc.Arbitrary<Caller> {
  if (o.path.startsWith('/api/v1/ops/'))
    return fc.constantFrom<Caller>('staff', 'staff', 'staff', 'staff', 'colleague', 'userA', 'anonymous');
  if (o.path.startsWith('/api/v1/auth/') || o.path.includes('/payments/'))
    return fc.constantFrom<Caller>('anonymous', 'anonymous', 'userA');
  return fc.constantFrom<Caller>('userA', 'userA', 'userB', 'userB', 'anonymous');
}

/**
 * An unsigned gateway notification (the notify routes have no body schema: the adapter reads the raw
 * text): Alipay's form fields or WeChat Pay's JSON envelope, with plausible or bad values.
 */
const notifyValue = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom('JX20261127000001', 'TRADE_SUCCESS', '1.00', 'abc') },
  { weight: 1, arbitrary: badString },
);
const notification: fc.Arbitrary<Req['body']> = fc.oneof(
  fc
    .record({
      out_trade_no: notifyValue,
      trade_no: notifyValue,
      trade_status: fc.constantFrom('TRADE_SUCCESS', 'TRADE_CLOSED', 'WAIT_BUYER_PAY'),
      total_amount: fc.constantFrom('1.00', '500.00', '0.01'),
      app_id: notifyValue,
      sign_type: fc.constant('RSA2'),
      sign: notifyValue,
    })
    .map((json) => ({ json, form: true as const })),
  fc
    .record({
      id: notifyValue,
      event_type: fc.constant('TRANSACTION.SUCCESS'),
      resource: fc.record({ ciphertext: notifyValue, nonce: notifyValue, associated_data: notifyValue }),
    })
    .map((json) => ({ json })),
);

/**
 * Valid bodies for operations whose schema a generator rarely satisfies (three ordered packages, a
 * withdrawal account …): half the runs break one of these instead, so refusals come from one bad field.
 */
const EXAMPLES: Record<string, () => fc.Arbitrary<unknown>> = {
  'POST /api/v1/services': () => fc.constant(serviceBody(pools['categories']![0]!)),
  'PATCH /api/v1/services/{id}': () =>
    fc.constantFrom(
      { title: 'Logo design, fast' },
      { description: '重新编写的服务描述，二十个字以上的内容。', submit: false },
    ),
  'POST /api/v1/orders': () =>
    fc.record({
      serviceId: fc.constantFrom(...pools['services']!),
      tier: fc.constantFrom('basic', 'standard', 'premium'),
      requirements: fc.constantFrom('', '需要两种配色\n以及源文件'),
      paymentProvider: fc.constantFrom('alipay', 'wechat'),
    }),
  'POST /api/v1/wallet/withdrawals': () =>
    fc.constant({ amountFen: 1000, channel: 'alipay', account: { name: '王小明', number: '13800138000' } }),
  'POST /api/v1/ops/users/{id}/sanctions': () =>
    fc.constant({ kind: 'suspend', days: 3, reason: REPORT_REASONS[0], note: '多次违规' }),
  'POST /api/v1/ops/staff': () =>
    fc.constant({
      username: 'fuzzstaff1',
      nickname: '新同事',
      password: 'correct-horse-1',
      roles: ['support'],
    }),
  'PUT /api/v1/ops/settings': () => fc.constant({ slaMinutes: { report: 600 }, disputeEvidenceHours: 48 }),
};

function bodySchemaOf(o: Operation): JsonSchema | undefined {
  return o.op.requestBody?.content['application/json']?.schema;
}

/** A plausible request for the operation: params from the fixtures, query and body from the schema. */
function baseRequest(o: Operation): fc.Arbitrary<Req> {
  const pathParams = (o.op.parameters ?? []).filter((p) => p.in === 'path');
  const queryParams = (o.op.parameters ?? []).filter((p) => p.in === 'query');
  const hasKey = (o.op.parameters ?? []).some((p) => p.in === 'header' && p.name === 'idempotency-key');
  const isPerform = o.path.endsWith('/perform/{action}');
  const caseWrite = o.method === 'POST' && o.path.startsWith('/api/v1/ops/cases/{id}/');

  const params: fc.Arbitrary<Record<string, string>> = isPerform
    ? fc.constantFrom(...performTargets).map((p) => ({ id: String(p.caseId), action: p.action }))
    : fc.record(
        Object.fromEntries(
          pathParams.map((p) => [
            p.name,
            p.name === 'provider'
              ? fc.constantFrom('alipay', 'wechat')
              : fc.constantFrom(...poolFor(o.path, p.name)).map(String),
          ]),
        ),
      );

  const query = fc
    .tuple(
      ...queryParams.map((p) =>
        p.required
          ? plausible(p.schema, 0, p.name).map((v) => [p.name, v] as const)
          : fc.oneof(
              { weight: 2, arbitrary: fc.constant(null) },
              { weight: 1, arbitrary: plausible(p.schema, 0, p.name).map((v) => [p.name, v] as const) },
            ),
      ),
    )
    .map((pairs) =>
      pairs
        .filter((x): x is readonly [string, unknown] => x !== null && x[1] !== undefined)
        .map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : String(v)] as [string, string]),
    );

  const bodySchema = bodySchemaOf(o);
  const body: fc.Arbitrary<Req['body']> = isPerform
    ? fc.constant(null) // filled per action below
    : o.path.endsWith('/notify')
      ? notification
      : bodySchema
        ? (EXAMPLES[`${o.method} ${o.path}`]
            ? fc.oneof(EXAMPLES[`${o.method} ${o.path}`]!(), plausible(bodySchema))
            : plausible(bodySchema)
          ).map((json) => ({ json: structuredClone(json) ?? {} }))
        : o.method === 'GET' || o.method === 'DELETE'
          ? fc.constant(null)
          : fc.constant({ json: {} });

  return fc
    .record({ caller: callersOf(o), params, query, body })
    .chain((r) => {
      if (!isPerform) return fc.constant(r);
      // The action's own body (from the registry) plus the case's current version, resolved when sent.
      const target = performTargets.find(
        (p) => String(p.caseId) === r.params['id'] && p.action === r.params['action'],
      )!;
      const def = caseKindHandler(target.kind)!.actions[target.action]!;
      const schema = z.toJSONSchema(def.body, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
      return plausible(schema).map((json) => ({
        ...r,
        body: { json: { ...(json as object), version: CURRENT_VERSION } },
      }));
    })
    .chain((r) =>
      // The console sends an Idempotency-Key with every case write (not in the route's schema).
      (caseWrite ? fc.boolean() : fc.constant(hasKey)).map(
        (key): Req => ({ ...r, headers: key ? { 'idempotency-key': FRESH_KEY } : {} }),
      ),
    );
}

const CURRENT_VERSION = '@@current-version';
const FRESH_KEY = '@@fresh-key';

/** Every node of a JSON value with its path (the root excluded). */
function nodes(v: unknown, at: (string | number)[] = []): (string | number)[][] {
  if (Array.isArray(v)) return v.flatMap((x, i) => [[...at, i], ...nodes(x, [...at, i])]);
  if (v && typeof v === 'object')
    return Object.entries(v).flatMap(([k, x]) => [[...at, k], ...nodes(x, [...at, k])]);
  return [];
}
function containers(v: unknown, at: (string | number)[] = []): (string | number)[][] {
  if (Array.isArray(v)) return v.flatMap((x, i) => containers(x, [...at, i]));
  if (v && typeof v === 'object')
    return [at, ...Object.entries(v).flatMap(([k, x]) => containers(x, [...at, k]))];
  return [];
}
function parentOf(root: unknown, path: (string | number)[]): any {
  let at: any = root;
  for (const p of path.slice(0, -1)) at = at[p];
  return at;
}

/** Applies one mutation where it can (falling back to another place when the operation has none). */
function mutate(o: Operation, req: Req, m: Mutation): Req {
  const r: Req = structuredClone(req);
  const pathNames = Object.keys(r.params);
  const queryNames = (o.op.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name);
  const hasBody = o.method !== 'GET' && o.method !== 'DELETE';
  const wheres: Mutation['where'][] = [m.where, 'param', 'query', 'body'];
  const where = wheres.find(
    (w) =>
      (w === 'param' && pathNames.length > 0) ||
      ((w === 'query' || w === 'queryArray') && true) ||
      (w === 'dropQuery' && r.query.length > 0) ||
      ((w === 'body' || w === 'bodyWhole' || w === 'raw') && hasBody) ||
      (w === 'everyString' && (hasBody || r.query.length > 0)) ||
      (w === 'header' && 'idempotency-key' in r.headers),
  )!;
  const asString = typeof m.value === 'string' ? m.value : m.str;
  switch (where) {
    case 'param': {
      const name = pathNames[m.pick % pathNames.length]!;
      r.params[name] = m.str;
      break;
    }
    case 'query':
    case 'queryArray': {
      const names = [...queryNames, 'bogus'];
      const name = names[m.pick % names.length]!;
      r.query = r.query.filter(([k]) => k !== name);
      r.query.push([name, asString]);
      if (where === 'queryArray') r.query.push([name, m.str]);
      break;
    }
    case 'dropQuery':
      r.query.splice(m.pick % r.query.length, 1);
      break;
    case 'header':
      r.headers['idempotency-key'] = m.str.replace(/[^\x20-\x7e]/g, '') || 'short';
      break;
    case 'bodyWhole':
      r.body = { json: m.value };
      break;
    case 'everyString': {
      // The same bad string in every string of the body and every query value at once.
      r.query = r.query.map(([k]) => [k, m.str]);
      const json = r.body && 'json' in r.body ? r.body.json : undefined;
      for (const path of nodes(json)) {
        const parent = parentOf(json, path);
        if (typeof parent[path.at(-1)!] === 'string') parent[path.at(-1)!] = m.str;
      }
      break;
    }
    case 'raw':
      r.body = { raw: m.raw };
      break;
    case 'body': {
      const json = r.body && 'json' in r.body ? r.body.json : {};
      const all = nodes(json);
      if (m.kind === 'add' || all.length === 0) {
        const homes = containers(json);
        if (homes.length === 0) {
          r.body = { json: m.value };
          break;
        }
        const home = homes[m.pick % homes.length]!;
        let target: any = json;
        for (const p of home) target = target[p];
        target[m.key] = m.value;
      } else {
        const path = all[m.pick % all.length]!;
        const parent = parentOf(json, path);
        const last = path.at(-1)!;
        if (m.kind === 'delete' && !Array.isArray(parent)) delete parent[last];
        else if (m.kind === 'wrap') parent[last] = m.pick % 2 ? [parent[last]] : { value: parent[last] };
        else parent[last] = typeof parent[last] === 'string' ? asString : m.value;
      }
      r.body = r.body && 'form' in r.body ? { json, form: true } : { json };
      break;
    }
  }
  return r;
}

/** Percent-encodes a path segment; a lone surrogate (no UTF-8 form) goes as the bytes of its CESU-8 form. */
function encodeSegment(v: string): string {
  return [...v]
    .map((ch) =>
      ch.isWellFormed()
        ? encodeURIComponent(ch)
        : Buffer.from([0xed, 0xa0 | ((ch.charCodeAt(0) >> 6) & 0x1f), 0x80 | (ch.charCodeAt(0) & 0x3f)])
            .toString('hex')
            .replace(/../g, '%$&'),
    )
    .join('');
}

function concretePath(o: Operation, r: Req): string {
  return o.path.replace(/\{(\w+)\}/g, (_, name: string) => encodeSegment(r.params[name] ?? ''));
}

let keyCounter = 0;
async function send(o: Operation, r: Req) {
  const client =
    r.caller === 'staff'
      ? staff.api
      : r.caller === 'colleague'
        ? colleague.api
        : r.caller === 'userA'
          ? userA
          : r.caller === 'userB'
            ? userB
            : anonymous();
  const path = concretePath(o, r);
  const qs = r.query.map(([k, v]) => `${encodeSegment(k)}=${encodeSegment(v)}`).join('&');
  const headers: Record<string, string> = { 'accept-language': 'en' };
  for (const [k, v] of Object.entries(r.headers)) {
    keyCounter += 1;
    headers[k] = v === FRESH_KEY ? `fuzz-key-${process.pid}-${keyCounter}` : v;
  }
  if (client.token) headers['authorization'] = `Bearer ${client.token}`;
  let body: string | Uint8Array | undefined;
  if (r.body && 'raw' in r.body) {
    headers['content-type'] = r.body.raw.contentType;
    body = r.body.raw.text;
  } else if (r.body && 'form' in r.body && r.body.json && typeof r.body.json === 'object') {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    body = Object.entries(r.body.json)
      .map(([k, v]) => `${encodeSegment(k)}=${encodeSegment(typeof v === 'string' ? v : JSON.stringify(v))}`)
      .join('&');
  } else if (r.body) {
    let json = r.body.json;
    if (
      json &&
      typeof json === 'object' &&
      (json as Record<string, unknown>)['version'] === CURRENT_VERSION
    ) {
      const id = /^[1-9][0-9]{0,8}$/.test(r.params['id'] ?? '') ? Number(r.params['id']) : 0;
      const row = await t.db.read
        .selectFrom('cases')
        .select('version')
        .where('id', '=', id)
        .executeTakeFirst();
      json = { ...(json as object), version: row?.version ?? 1 };
    }
    headers['content-type'] = 'application/json';
    body = JSON.stringify(json) ?? 'null';
  }
  const url = `${t.url}${path}${qs ? `?${qs}` : ''}`;
  const res = await fetch(url, { method: o.method, headers, body: body as string | undefined });
  const text = await res.text();
  return { url, status: res.status, contentType: res.headers.get('content-type') ?? '', text, sent: body };
}

const describeReq = (o: Operation, r: Req, url: string, sent: unknown) =>
  `${o.method} ${url.replace(t.url, '')} as ${r.caller} ${
    typeof sent === 'string' ? sent.slice(0, 160) : sent ? '<bytes>' : ''
  }`.slice(0, 400);

/** What is wrong with an answer, or null. Payment notifications answer in the gateway's own format. */
function wrongAnswer(o: Operation, res: Awaited<ReturnType<typeof send>>): string | null {
  if (res.status >= 500) return `${res.status} ${res.text.slice(0, 200)}`;
  if (res.status < 400) {
    if (o.path.includes('/payments/') && res.text !== 'failure') return `accepted: ${res.status} ${res.text}`;
    return null;
  }
  if (o.path.includes('/payments/{provider}/notify') && /"code":"FAIL"/.test(res.text)) return null;
  if (!res.contentType.startsWith('application/problem+json')) return `${res.status} as ${res.contentType}`;
  let code: unknown;
  try {
    code = (JSON.parse(res.text) as { code?: unknown }).code;
  } catch {
    return `${res.status} not JSON: ${res.text.slice(0, 100)}`;
  }
  return typeof code === 'string' ? null : `${res.status} problem without a code`;
}

describe.skipIf(RUNS_ON_POSTGRES_INSTEAD)(
  `fuzzing every operation with bad input${RUNS_ON_POSTGRES_INSTEAD ? ' (skipped on PGlite: it runs in the PostgreSQL project)' : ''}`,
  () => {
    it('never answers 5xx, refuses with a problem+json code, and writes nothing when it refuses', async () => {
      const ops = operationsOf(doc);
      expect(ops.length).toBeGreaterThan(80);
      const failures: string[] = [];
      let requests = 0;
      const statuses = new Map<number, number>();
      const perOp = new Map<number, number>();
      for (const [index, o] of ops.entries()) {
        const arb = fc.tuple(baseRequest(o), fc.array(mutation, { minLength: 1, maxLength: 2 }));
        const details = await fc.check(
          fc.asyncProperty(arb, async ([base, mutations]) => {
            const r = mutations.reduce((req, m) => mutate(o, req, m), base);
            const before = await settledFingerprint();
            const res = await send(o, r);
            lastSucceeded = res.status < 400;
            requests += 1;
            statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
            perOp.set(res.status, (perOp.get(res.status) ?? 0) + 1);
            const what = describeReq(o, r, res.url, res.sent);
            const wrong = wrongAnswer(o, res);
            if (wrong) failures.push(`${what} → ${wrong}`);
            const notify = o.path.endsWith('/notify');
            if (res.status >= 400 || (notify && res.text === 'failure')) {
              const after = await fingerprint();
              let changed = Object.keys(after).filter((k) => String(after[k]) !== String(before[k]));
              // A refused payment notification is logged (payment_notifications, left out above) and
              // announced to ops as `payment.notification_rejected`, by design; nothing else may change.
              if (notify && (await onlyRejectedNotificationEvents(Number(before['events.max_id']))))
                changed = changed.filter((k) => k !== 'events' && k !== 'events.max_id');
              if (changed.length) failures.push(`${what} → ${res.status} but wrote: ${changed.join(', ')}`);
            }
            return true;
          }),
          { seed: SEED + index, numRuns: RUNS, endOnFailure: true },
        );
        if (details.failed) failures.push(`${o.method} ${o.path}: ${String(details.errorInstance)}`);
        if (process.env['JX_FUZZ_VERBOSE'])
          process.stderr.write(`${o.method} ${o.path} ${JSON.stringify([...perOp].sort())}\n`);
        perOp.clear();
      }
      // Most requests must be refused (the fuzz breaks each one), and some must get deep enough to pass.
      const refused = [...statuses].filter(([s]) => s >= 400).reduce((n, [, c]) => n + c, 0);
      expect(failures).toEqual([]);
      expect(requests).toBe(ops.length * RUNS);
      expect(refused / requests).toBeGreaterThan(0.5);
    }, 600_000);
  },
);
