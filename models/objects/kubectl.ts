/**
 * Reads one object as `kubectl get <kind> <name> -o json` prints it into the modelled subset (types.ts).
 * Fields outside the subset are dropped and listed in `ignored` (dotted paths, `[i]` for list items); a modelled
 * field of the wrong type is an error naming the field and what it allows. JSON null on any field means unset,
 * as for Go's decoder.
 */
import { KIND_SCHEMAS } from "./schema.js";
import type { FieldSchema, MessageSchema, ScalarType } from "./schema.js";
import { microTimeParts, timeSeconds } from "./object-size.js";
import type { KubeObject } from "./types.js";

export interface ParsedObject {
  object: KubeObject;
  /** Dotted paths of the fields present in the input that the model does not hold. */
  ignored: string[];
}

type Json = Record<string, unknown>;

const KINDS = Object.keys(KIND_SCHEMAS) as (keyof typeof KIND_SCHEMAS)[];

export function parseKubeObject(json: unknown): ParsedObject {
  if (!isObject(json)) throw new Error(`expected one JSON object (kubectl get ... -o json), got ${describe(json)}`);
  const kind = json.kind;
  if (kind === "List" || (typeof kind === "string" && kind.endsWith("List"))) {
    const n = Array.isArray(json.items) ? json.items.length : 0;
    throw new Error(`kind: ${kind} holds ${n} item(s); pass a single object (kubectl get <kind> <name> -o json), not a list`);
  }
  if (typeof kind !== "string" || !(KINDS as string[]).includes(kind)) {
    throw new Error(`kind: must be one of ${KINDS.join(", ")} (got ${describe(kind)})`);
  }
  const { schema, apiVersion } = KIND_SCHEMAS[kind as keyof typeof KIND_SCHEMAS];
  if (json.apiVersion !== apiVersion) {
    throw new Error(`apiVersion: must be "${apiVersion}" for kind ${kind} (got ${describe(json.apiVersion)})`);
  }
  const ignored: string[] = [];
  const object = parseMessage(schema, json, "", ignored) as unknown as KubeObject;
  return { object, ignored };
}

function parseMessage(schema: MessageSchema, o: Json, path: string, ignored: string[]): Json {
  const out: Json = {};
  const known = new Set<string>();
  collect(schema, o, path, ignored, out, known);
  for (const key of Object.keys(o)) if (!known.has(key)) ignored.push(join(path, key));
  return out;
}

/** Parses the fields of `schema` (inline structs' fields included) from `o` into `out`. */
function collect(schema: MessageSchema, o: Json, path: string, ignored: string[], out: Json, known: Set<string>): void {
  for (const f of schema.fields) {
    if (f.inline) {
      collect(f.type as MessageSchema, o, path, ignored, out, known);
      continue;
    }
    known.add(f.json);
    const v = o[f.json];
    if (v === undefined || v === null) continue;
    out[f.json] = parseField(f, v, join(path, f.json), ignored);
  }
}

function parseField(f: FieldSchema, v: unknown, path: string, ignored: string[]): unknown {
  switch (f.go) {
    case "value":
    case "pointer":
      return parseValue(f.type, v, path, ignored);
    case "slice": {
      if (!Array.isArray(v)) throw new Error(`${path}: must be a list of ${what(f.type)} (got ${describe(v)})`);
      return v.map((e, i) => {
        if (e === null) throw new Error(`${path}[${i}]: must be ${what(f.type)} (got null)`);
        return parseValue(f.type, e, `${path}[${i}]`, ignored);
      });
    }
    case "map": {
      if (!isObject(v)) throw new Error(`${path}: must be an object of ${what(f.type)} values (got ${describe(v)})`);
      const out: Record<string, unknown> = {};
      for (const [k, e] of Object.entries(v)) out[k] = parseValue(f.type, e, `${path}.${k}`, ignored);
      return out;
    }
  }
}

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

function parseValue(type: ScalarType | MessageSchema, v: unknown, path: string, ignored: string[]): unknown {
  switch (type) {
    case "string":
    case "quantity":
      if (typeof v !== "string") throw new Error(`${path}: must be ${what(type)} (got ${describe(v)})`);
      return v;
    case "bool":
      if (typeof v !== "boolean") throw new Error(`${path}: must be true or false (got ${describe(v)})`);
      return v;
    case "int32":
      if (!Number.isInteger(v) || (v as number) < INT32_MIN || (v as number) > INT32_MAX) {
        throw new Error(`${path}: must be ${what(type)} (got ${describe(v)})`);
      }
      return v;
    case "int64":
      if (!Number.isSafeInteger(v)) throw new Error(`${path}: must be ${what(type)} (got ${describe(v)})`);
      return v;
    case "time":
      if (typeof v !== "string" || !RFC3339.test(v) || !isTime(v)) {
        throw new Error(`${path}: must be ${what(type)} (got ${describe(v)})`);
      }
      return v;
    case "microTime":
      if (typeof v !== "string" || !RFC3339_MICRO.test(v) || !isMicroTime(v)) {
        throw new Error(`${path}: must be ${what(type)} (got ${describe(v)})`);
      }
      return v;
    case "intOrString":
      if (typeof v === "string") return v;
      if (Number.isInteger(v) && (v as number) >= INT32_MIN && (v as number) <= INT32_MAX) return v;
      throw new Error(`${path}: must be ${what(type)} (got ${describe(v)})`);
    case "fieldsV1":
      if (!isObject(v)) throw new Error(`${path}: must be ${what(type)} (got ${describe(v)})`);
      return v;
    default:
      if (!isObject(v)) throw new Error(`${path}: must be an object (got ${describe(v)})`);
      return parseMessage(type, v, path, ignored);
  }
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

// metav1.MicroTime.UnmarshalJSON parses with RFC3339Micro, "2006-01-02T15:04:05.000000Z07:00": exactly six digits.
const RFC3339_MICRO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}(Z|[+-]\d{2}:\d{2})$/;

function isTime(v: string): boolean {
  try {
    timeSeconds(v);
    return true;
  } catch {
    return false;
  }
}

function isMicroTime(v: string): boolean {
  try {
    microTimeParts(v);
    return true;
  } catch {
    return false;
  }
}

function what(type: ScalarType | MessageSchema): string {
  switch (type) {
    case "string":
      return "a string";
    case "quantity":
      return 'a quantity string such as "100m" or "128Mi"';
    case "bool":
      return "true or false";
    case "int32":
      return `an integer in ${INT32_MIN}..${INT32_MAX}`;
    case "int64":
      return "an integer (within ±2^53)";
    case "time":
      return 'an RFC 3339 time such as "2026-01-01T00:00:00Z"';
    case "microTime":
      return 'an RFC 3339 time with microseconds such as "2026-01-01T00:00:00.000000Z"';
    case "intOrString":
      return `an integer in ${INT32_MIN}..${INT32_MAX} or a string`;
    case "fieldsV1":
      return "a JSON object";
    default:
      return "an object";
  }
}

function join(path: string, key: string): string {
  return path === "" ? key : `${path}.${key}`;
}

function isObject(v: unknown): v is Json {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function describe(v: unknown): string {
  if (v === undefined) return "nothing";
  if (Array.isArray(v)) return "a list";
  if (v === null) return "null";
  if (typeof v === "object") return "an object";
  const text = JSON.stringify(v);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
