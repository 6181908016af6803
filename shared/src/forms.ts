import { z } from 'zod';

/**
 * What a form needs to know about one field of a request schema, read from the schema itself so a form
 * never restates the core's limits: a note's `maxLength`, whether it may be empty, a number's range.
 *
 *   const note = fieldLimits(requestChangesBodySchema, 'note');  // { required: true, minLength: 1, maxLength: 500 }
 *   <TextArea maxLength={note.maxLength} />   if (text.length < note.minLength) …
 */
export interface FieldLimits {
  /** The field must be sent (it has no default and is not optional). */
  required: boolean;
  /** Shortest text accepted after trimming (0 when an empty string is fine). */
  minLength: number;
  /** Longest text accepted; undefined when the schema sets none. */
  maxLength?: number;
  /** Smallest and largest number accepted. */
  minimum?: number;
  maximum?: number;
  /** Fewest and most items of an array. */
  minItems?: number;
  maxItems?: number;
  /** The regular expression a text must match (JSON Schema `pattern`, without flags). */
  pattern?: string;
}

/** The part of zod's JSON Schema output the limits are read from (the same keyword names). */
interface JsonSchemaNode extends Partial<Omit<FieldLimits, 'required'>> {
  properties?: Record<string, JsonSchemaNode>;
  required?: string[];
  anyOf?: JsonSchemaNode[];
  allOf?: JsonSchemaNode[];
}

/** An object schema whose fields can be read (a `z.object`, strict or not). */
type ObjectSchema = z.ZodObject;
type Field<S extends ObjectSchema> = keyof z.input<S> & string;
export type SchemaLimits<S extends ObjectSchema> = { readonly [K in Field<S>]-?: FieldLimits };

const cache = new WeakMap<ObjectSchema, Record<string, FieldLimits>>();

/**
 * Every field's limits of an object schema, as the caller sends it (`io: 'input'`: a field with a default
 * is not required). Computed once per schema through zod's JSON Schema output — the same description the
 * OpenAPI document publishes — and remembered.
 */
export function schemaLimits<S extends ObjectSchema>(schema: S): SchemaLimits<S> {
  let limits = cache.get(schema);
  if (!limits) {
    const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchemaNode;
    const required = new Set(json.required ?? []);
    limits = {};
    for (const [name, node] of Object.entries(json.properties ?? {}))
      limits[name] = limitsOf(node, required.has(name));
    cache.set(schema, limits);
  }
  return limits as SchemaLimits<S>;
}

/** One field's limits: `fieldLimits(upholdReportBodySchema, 'note').maxLength` is 500. */
export function fieldLimits<S extends ObjectSchema, K extends Field<S>>(schema: S, field: K): FieldLimits {
  const found = (schemaLimits(schema) as Record<string, FieldLimits>)[field];
  if (!found) throw new Error(`the schema has no field ${field}`);
  return found;
}

/** The keywords copied as they are when the schema sets them. */
const OPTIONAL_LIMITS = ['maxLength', 'minimum', 'maximum', 'minItems', 'maxItems', 'pattern'] as const;

function limitsOf(node: JsonSchemaNode, required: boolean): FieldLimits {
  // `.optional()` and `.nullable()` may wrap the field's own schema in anyOf / allOf: read the branch
  // that carries the limits.
  const own = [node, ...(node.anyOf ?? []), ...(node.allOf ?? [])];
  const first = <K extends keyof JsonSchemaNode>(key: K) => own.find((n) => n[key] !== undefined)?.[key];
  const limits: FieldLimits = { required, minLength: first('minLength') ?? 0 };
  for (const key of OPTIONAL_LIMITS) {
    const value = first(key);
    if (value !== undefined) Object.assign(limits, { [key]: value });
  }
  return limits;
}
