/**
 * Reading the core's own `/openapi.json` in tests: its operations, and every input (path, query and
 * header parameters, request bodies) as JSON Schema. The input-contract test and the fuzz test walk
 * the same document the core publishes, so a new route is covered the moment it is registered.
 */

/** A JSON Schema node as @fastify/swagger emits it (zod → JSON Schema 2020-12 inside OpenAPI 3.1). */
export type JsonSchema = Record<string, any>;

export interface OpenApiDoc {
  paths: Record<string, Record<string, OpenApiOperation>>;
  components?: { schemas?: Record<string, JsonSchema> };
}

export interface OpenApiParameter {
  in: 'path' | 'query' | 'header' | 'cookie';
  name: string;
  required?: boolean;
  schema: JsonSchema;
}

export interface OpenApiOperation {
  /** The ops routes' declaration names (`claimCase` …), which the console's client calls them by. */
  operationId?: string;
  parameters?: OpenApiParameter[];
  requestBody?: { required?: boolean; content: Record<string, { schema: JsonSchema }> };
  security?: unknown[];
}

export interface Operation {
  method: string;
  /** As in the document: `/api/v1/orders/{id}/pay`. */
  path: string;
  op: OpenApiOperation;
}

const METHODS = new Set(['get', 'post', 'put', 'patch', 'delete']);

/** Every operation of the document, in document order. */
export function operationsOf(doc: OpenApiDoc): Operation[] {
  return Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.entries(ops)
      .filter(([method]) => METHODS.has(method))
      .map(([method, op]) => ({ method: method.toUpperCase(), path, op })),
  );
}

/** Follows a `$ref` into `components.schemas` (or a local `$defs`); anything else is returned as is. */
export function deref(doc: OpenApiDoc, s: JsonSchema | undefined, root?: JsonSchema): JsonSchema | undefined {
  if (!s || typeof s !== 'object' || typeof s['$ref'] !== 'string') return s;
  const ref: string = s['$ref'];
  const parts = ref.replace(/^#\//, '').split('/');
  let at: any = ref.startsWith('#/$defs/') || ref.startsWith('#/definitions/') ? root : doc;
  for (const p of parts) at = at?.[p];
  return at as JsonSchema | undefined;
}

/** Types a node admits (`type` may be a string or a list). */
export function typesOf(s: JsonSchema): string[] {
  if (Array.isArray(s['type'])) return s['type'] as string[];
  return typeof s['type'] === 'string' ? [s['type']] : [];
}

/**
 * Visits every node of an input schema with its location (`body.account.name`, `body[]`, …): object
 * properties, `additionalProperties`, array items and tuple items, and the branches of `anyOf` /
 * `oneOf` / `allOf`. Cycles are followed once.
 */
export function walkSchema(
  doc: OpenApiDoc,
  schema: JsonSchema | undefined,
  where: string,
  visit: (node: JsonSchema, where: string) => void,
  root: JsonSchema | undefined = schema,
  seen: Set<JsonSchema> = new Set(),
): void {
  const s = deref(doc, schema, root);
  if (!s || typeof s !== 'object' || seen.has(s)) return;
  seen.add(s);
  visit(s, where);
  for (const key of ['anyOf', 'oneOf', 'allOf'] as const)
    for (const [i, branch] of ((s[key] as JsonSchema[] | undefined) ?? []).entries())
      walkSchema(doc, branch, `${where}|${key}[${i}]`, visit, root, seen);
  for (const [name, prop] of Object.entries((s['properties'] as Record<string, JsonSchema>) ?? {}))
    walkSchema(doc, prop, `${where}.${name}`, visit, root, seen);
  if (s['additionalProperties'] && typeof s['additionalProperties'] === 'object')
    walkSchema(doc, s['additionalProperties'], `${where}.*`, visit, root, seen);
  if (s['items'] && typeof s['items'] === 'object')
    walkSchema(doc, s['items'], `${where}[]`, visit, root, seen);
  for (const [i, item] of ((s['prefixItems'] as JsonSchema[] | undefined) ?? []).entries())
    walkSchema(doc, item, `${where}[${i}]`, visit, root, seen);
}

/** Every input of an operation with where it is: `query:q`, `path:id`, `header:idempotency-key`, `body`. */
export function inputsOf(o: Operation): { where: string; schema: JsonSchema }[] {
  const params = (o.op.parameters ?? []).map((p) => ({ where: `${p.in}:${p.name}`, schema: p.schema }));
  const bodies = Object.entries(o.op.requestBody?.content ?? {}).map(([type, c]) => ({
    where: `body(${type})`,
    schema: c.schema,
  }));
  return [...params, ...bodies];
}
