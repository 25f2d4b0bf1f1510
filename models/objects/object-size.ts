/**
 * Serialized sizes of whole objects, by arithmetic over the schema tables (schema.ts): the protobuf body the
 * apiserver's gogo marshallers write, the etcd value, the JSON text, and one watch event in either encoding.
 */
import { jsonIntegerSize, jsonStringSize, jsonValueSize } from "./json-size.js";
import { utf8Length, varintSize } from "./protobuf-size.js";
import { KIND_SCHEMAS } from "./schema.js";
import type { FieldSchema, MessageSchema, ScalarType } from "./schema.js";
import type { KubeKind, KubeObject, ObjectMeta, WatchEventType } from "./types.js";

type Json = Record<string, unknown>;

// ---- protobuf ----

/** Bytes of the protobuf body of `obj` (no envelope), as the apiserver's gogo marshaller writes it. */
export function protobufSize(obj: KubeObject): number {
  return messageBodySize(KIND_SCHEMAS[obj.kind].schema, obj as unknown as Json);
}

/** Bytes of the body of a message (no tag, no length prefix) given its JSON-shaped value. */
export function messageBodySize(schema: MessageSchema, o: Json | undefined): number {
  let n = 0;
  const fields = schema.fields;
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i];
    if (f.num === 0) continue;
    const v = f.inline ? o : o?.[f.json];
    switch (f.go) {
      case "value":
        n += f.tag + payloadSize(f.type, v);
        break;
      case "pointer":
        if (v !== undefined && v !== null) n += f.tag + payloadSize(f.type, v);
        break;
      case "slice":
        if (v) {
          const list = v as unknown[];
          for (let k = 0; k < list.length; k++) n += f.tag + payloadSize(f.type, list[k]);
        }
        break;
      case "map":
        if (v) n += mapFieldSize(f, v as Json);
        break;
    }
  }
  return n;
}

/** Map entries are nested messages {key = 1, value = 2}, both always written (generated.pb.go map loops). */
function mapFieldSize(f: FieldSchema, map: Json): number {
  let n = 0;
  for (const k in map) {
    const keyLen = utf8Length(k);
    const entry = 1 + varintSize(keyLen) + keyLen + 1 + payloadSize(f.type, map[k]);
    n += f.tag + varintSize(entry) + entry;
  }
  return n;
}

/** Bytes after the tag: the varint, or the length prefix and the payload. */
function payloadSize(type: ScalarType | MessageSchema, v: unknown): number {
  switch (type) {
    case "string": {
      const len = v === undefined || v === null ? 0 : utf8Length(v as string);
      return varintSize(len) + len;
    }
    case "bool":
      return 1;
    case "int32":
    case "int64":
      return varintSize((v as number | undefined) ?? 0);
    case "time": {
      const body = timeBodySize(v as string | undefined);
      return varintSize(body) + body;
    }
    case "microTime": {
      const body = microTimeBodySize(v as string | undefined);
      return varintSize(body) + body;
    }
    case "quantity": {
      // quantity_proto.go: one always-written string field, the canonical form
      const len = utf8Length((v as string | undefined) ?? "0");
      const body = 1 + varintSize(len) + len;
      return varintSize(body) + body;
    }
    case "intOrString": {
      // intstr generated.pb.go: type, intVal, strVal always written
      let body: number;
      if (typeof v === "string") {
        const len = utf8Length(v);
        body = 2 + 2 + 1 + varintSize(len) + len;
      } else {
        body = 2 + 1 + varintSize((v as number | undefined) ?? 0) + 2;
      }
      return varintSize(body) + body;
    }
    case "fieldsV1": {
      // fieldsv1.go: Raw (the JSON text) written only when non-empty
      const raw = v === undefined || v === null ? 0 : jsonValueSize(v);
      const body = raw > 0 ? 1 + varintSize(raw) + raw : 0;
      return varintSize(body) + body;
    }
    default: {
      const body = messageBodySize(type, v as Json | undefined);
      return varintSize(body) + body;
    }
  }
}

const ZERO_TIME_SECONDS = -62135596800; // Go's zero time.Time, 0001-01-01T00:00:00Z

/** Unix seconds of an RFC 3339 time, or undefined for an unset one. */
export function timeSeconds(t: string | undefined | null): number | undefined {
  if (t === undefined || t === null || t === "") return undefined;
  const ms = Date.parse(t);
  if (Number.isNaN(ms)) throw new Error(`not an RFC 3339 time: ${JSON.stringify(t)}`);
  const s = Math.floor(ms / 1000);
  return s === ZERO_TIME_SECONDS ? undefined : s;
}

/**
 * time_proto.go: a zero Time marshals to nothing; otherwise a Timestamp with seconds and nanos, both written, nanos
 * always 0 (ProtoTime drops the fraction).
 */
export function timeBodySize(t: string | undefined | null): number {
  const s = timeSeconds(t);
  return s === undefined ? 0 : 1 + varintSize(s) + 2;
}

/** An RFC 3339 time split at its fraction: "2026-01-01T00:00:00.123456Z" -> whole-second time, "123456". */
const FRACTION = /^(.*T\d{2}:\d{2}:\d{2})[.,](\d+)(.*)$/;

/**
 * Unix seconds and nanoseconds of a metav1.MicroTime (RFC 3339, any number of fraction digits), or undefined for
 * an unset or zero one. Nanoseconds are truncated to whole microseconds, as ProtoMicroTime does (apimachinery
 * pkg/apis/meta/v1/micro_time_proto.go).
 */
export function microTimeParts(t: string | undefined | null): { seconds: number; nanos: number } | undefined {
  if (t === undefined || t === null || t === "") return undefined;
  const m = FRACTION.exec(t);
  const whole = m ? m[1] + m[3] : t;
  const ms = Date.parse(whole);
  if (Number.isNaN(ms)) throw new Error(`not an RFC 3339 time: ${JSON.stringify(t)}`);
  const seconds = Math.floor(ms / 1000);
  const nanos = m ? Number(m[2].slice(0, 6).padEnd(6, "0")) * 1000 : 0;
  return seconds === ZERO_TIME_SECONDS && nanos === 0 ? undefined : { seconds, nanos };
}

/**
 * micro_time_proto.go: a zero MicroTime marshals to nothing; otherwise a Timestamp with seconds and nanos, both
 * written (generated.pb.go Timestamp), nanos holding the microseconds.
 */
export function microTimeBodySize(t: string | undefined | null): number {
  const p = microTimeParts(t);
  return p === undefined ? 0 : 1 + varintSize(p.seconds) + 1 + varintSize(p.nanos);
}

// ---- storage envelope and watch events ----

const K8S_PREFIX_BYTES = 4; // "k8s\0", serializer/protobuf/protobuf.go protoEncodingPrefix

/**
 * Bytes of the protobuf serialization of an object whose body is `bodyBytes`: the prefix "k8s\0" and a
 * runtime.Unknown{typeMeta{apiVersion, kind}, raw, contentEncoding, contentType}. runtime/types_proto.go
 * NestedMarshalTo writes raw, and contentEncoding and contentType even though both are empty.
 */
export function envelopeSizeFromBody(kind: KubeKind, bodyBytes: number): number {
  const apiVersion = KIND_SCHEMAS[kind].apiVersion;
  const typeMeta = 2 + apiVersion.length + 2 + kind.length;
  const unknown = 1 + varintSize(typeMeta) + typeMeta + 1 + varintSize(bodyBytes) + bodyBytes + 2 + 2;
  return K8S_PREFIX_BYTES + unknown;
}

/** Bytes of the protobuf serialization (envelope included) of `obj` as given. */
export function protobufEnvelopeSize(obj: KubeObject): number {
  return envelopeSizeFromBody(obj.kind, protobufSize(obj));
}

/**
 * Bytes of the value etcd holds for `obj`: the protobuf envelope of the object with metadata.resourceVersion and
 * metadata.selfLink cleared, as the apiserver's etcd3 store does before every write
 * (kubernetes/apiserver pkg/storage/api_object_versioner.go PrepareObjectForStorage).
 */
export function storedSize(obj: KubeObject): number {
  return envelopeSizeFromBody(obj.kind, protobufSize(forStorage(obj)));
}

/** `obj` as the etcd3 store writes it: resourceVersion and selfLink cleared. */
export function forStorage<T extends KubeObject>(obj: T): T {
  const meta: ObjectMeta | undefined = obj.metadata;
  if (!meta || (!meta.resourceVersion && !meta.selfLink)) return obj;
  return { ...obj, metadata: { ...meta, resourceVersion: undefined, selfLink: undefined } };
}

/**
 * Bytes of one protobuf watch event carrying an object whose protobuf envelope is `envelopeBytes`: the 4-byte
 * big-endian length frame (apimachinery pkg/util/framer lengthDelimitedFrameWriter) and a metav1.WatchEvent{type,
 * object: RawExtension{raw}} written by the raw (unwrapped) protobuf serializer (kubernetes/apiserver
 * pkg/endpoints/handlers/response.go watchEncoder.doEncode; serializer/codec_factory.go StreamSerializer).
 */
export function protobufWatchEventSizeFromEnvelope(envelopeBytes: number, type: WatchEventType): number {
  const rawExtension = 1 + varintSize(envelopeBytes) + envelopeBytes;
  const event = 2 + type.length + 1 + varintSize(rawExtension) + rawExtension;
  return 4 + event;
}

/**
 * Bytes of one JSON watch event carrying an object whose JSON is `objectJsonBytes`:
 * `{"type":"MODIFIED","object":{...}}` and the newline json.Encoder.Encode appends; the JSON framer writes objects
 * as they are (serializer/json/json.go jsonFramer). The embedded object's own trailing newline is dropped when
 * encoding/json compacts the RawExtension's bytes.
 */
export function jsonWatchEventSizeFromObject(objectJsonBytes: number, type: WatchEventType): number {
  return '{"type":'.length + type.length + 2 + ',"object":'.length + objectJsonBytes + "}\n".length;
}

/** Bytes of one watch event for `obj` (as given, resourceVersion included) on a protobuf or JSON watch. */
export function watchEventSize(obj: KubeObject, encoding: "protobuf" | "json", type: WatchEventType): number {
  return encoding === "protobuf" ? protobufWatchEventSizeFromEnvelope(protobufEnvelopeSize(obj), type) : jsonWatchEventSizeFromObject(jsonSize(obj), type);
}

// ---- JSON ----

/** Bytes of the compact JSON encoding/json writes for `obj` (no trailing newline). */
export function jsonSize(obj: KubeObject): number {
  return messageJsonSize(KIND_SCHEMAS[obj.kind].schema, obj as unknown as Json);
}

/** Bytes of a message's JSON object given its JSON-shaped value (undefined: the Go zero value). */
export function messageJsonSize(schema: MessageSchema, o: Json | undefined): number {
  const acc = { bytes: 0, count: 0 };
  addJsonFields(schema, o, acc);
  return 2 + acc.bytes + (acc.count > 0 ? acc.count - 1 : 0);
}

function addJsonFields(schema: MessageSchema, o: Json | undefined, acc: { bytes: number; count: number }): void {
  const fields = schema.fields;
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i];
    if (f.inline) {
      addJsonFields(f.type as MessageSchema, o, acc);
      continue;
    }
    const size = fieldJsonSize(f, o?.[f.json]);
    if (size >= 0) {
      acc.bytes += f.keyBytes + size;
      acc.count++;
    }
  }
}

/** Bytes of the field's JSON value, or -1 when encoding/json leaves the field out. */
export function fieldJsonSize(f: FieldSchema, v: unknown): number {
  switch (f.go) {
    case "value":
      if (f.omitZero && f.type === "time" && timeSeconds(v as string | undefined) === undefined) return -1;
      if (f.omitEmpty && isEmptyScalar(f.type, v)) return -1;
      return valueJsonSize(f.type, v);
    case "pointer":
      if (v === undefined || v === null) return f.omitEmpty ? -1 : 4;
      return valueJsonSize(f.type, v);
    case "slice": {
      const list = v as unknown[] | undefined | null;
      if (!list || list.length === 0) return f.omitEmpty ? -1 : 4;
      let n = 1 + list.length;
      for (let k = 0; k < list.length; k++) n += valueJsonSize(f.type, list[k]);
      return n;
    }
    case "map": {
      const map = v as Json | undefined | null;
      let n = 1;
      let count = 0;
      if (map) {
        for (const k in map) {
          n += jsonStringSize(k) + 1 + valueJsonSize(f.type, map[k]) + 1;
          count++;
        }
      }
      if (count === 0) return f.omitEmpty ? -1 : 4;
      return n;
    }
  }
}

/** encoding/json omitempty: "", 0, false are empty; structs (Time, Quantity, IntOrString, messages) never are. */
function isEmptyScalar(type: ScalarType | MessageSchema, v: unknown): boolean {
  switch (type) {
    case "string":
    case "bool":
    case "int32":
    case "int64":
      return !v;
    default:
      return false;
  }
}

function valueJsonSize(type: ScalarType | MessageSchema, v: unknown): number {
  switch (type) {
    case "string":
      return jsonStringSize((v as string | undefined) ?? "");
    case "bool":
      return v ? 4 : 5;
    case "int32":
    case "int64":
      return jsonIntegerSize((v as number | undefined) ?? 0);
    case "time":
      // metav1.Time.MarshalJSON: null when zero, else RFC 3339 in UTC to the second, "2026-01-01T00:00:00Z"
      return timeSeconds(v as string | undefined) === undefined ? 4 : 22;
    case "microTime":
      // metav1.MicroTime.MarshalJSON: null when zero, else RFC3339Micro in UTC, "2026-01-01T00:00:00.000000Z"
      return microTimeParts(v as string | undefined) === undefined ? 4 : 29;
    case "quantity":
      return jsonStringSize((v as string | undefined) ?? "0");
    case "intOrString":
      return typeof v === "string" ? jsonStringSize(v) : jsonIntegerSize((v as number | undefined) ?? 0);
    case "fieldsV1":
      return jsonValueSize(v);
    default:
      return messageJsonSize(type, v as Json | undefined);
  }
}
