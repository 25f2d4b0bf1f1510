/**
 * Reference encodings for tests and the benchmark (not for the simulator): real protobuf bytes from protobufjs
 * with k8s.proto, and Go-shaped JSON text from JSON.stringify. Both are driven by protobufjs's reflection of
 * k8s.proto and by upstream-fields.json (facts extracted from upstream types.go / generated.pb.go), not by
 * schema.ts, so they check the sizers' arithmetic and their tables independently.
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import protobuf from "protobufjs";
import type { UpstreamField, UpstreamFixture } from "../scripts/extract-upstream.js";
import type { KubeKind, KubeObject, WatchEventType } from "../../models/objects/types.js";

const here = dirname(fileURLToPath(import.meta.url));

export const protoRoot: protobuf.Root = protobuf.loadSync(join(here, "k8s.proto"));
protoRoot.resolveAll();

export const upstream: UpstreamFixture = JSON.parse(readFileSync(join(here, "upstream-fields.json"), "utf8"));
const upstreamByProto = new Map(upstream.messages.map((m) => [m.proto, m]));

const KIND_PROTO: Record<KubeKind, { type: string; apiVersion: string }> = {
  EndpointSlice: { type: "k8s.io.api.discovery.v1.EndpointSlice", apiVersion: "discovery.k8s.io/v1" },
  Endpoints: { type: "k8s.io.api.core.v1.Endpoints", apiVersion: "v1" },
  Service: { type: "k8s.io.api.core.v1.Service", apiVersion: "v1" },
  Pod: { type: "k8s.io.api.core.v1.Pod", apiVersion: "v1" },
  Node: { type: "k8s.io.api.core.v1.Node", apiVersion: "v1" },
  Lease: { type: "k8s.io.api.coordination.v1.Lease", apiVersion: "coordination.k8s.io/v1" },
  Event: { type: "k8s.io.api.core.v1.Event", apiVersion: "v1" },
};

const TIME = "k8s.io.apimachinery.pkg.apis.meta.v1.Time";
const MICRO_TIME = "k8s.io.apimachinery.pkg.apis.meta.v1.MicroTime";
const QUANTITY = "k8s.io.apimachinery.pkg.api.resource.Quantity";
const INT_OR_STRING = "k8s.io.apimachinery.pkg.util.intstr.IntOrString";
const FIELDS_V1 = "k8s.io.apimachinery.pkg.apis.meta.v1.FieldsV1";

type Json = Record<string, unknown>;

function upstreamField(typeName: string, num: number): UpstreamField {
  const m = upstreamByProto.get(typeName);
  if (!m) throw new Error(`${typeName}: not in upstream-fields.json`);
  const f = m.fields.find((x) => x.num === num);
  if (!f) throw new Error(`${typeName} field ${num}: not in upstream-fields.json`);
  return f;
}

function fullName(t: protobuf.Type): string {
  return t.fullName.replace(/^\./, "");
}

function unixSeconds(t: unknown): number | undefined {
  if (typeof t !== "string" || t === "") return undefined;
  const s = Math.floor(Date.parse(t) / 1000);
  return s === -62135596800 ? undefined : s;
}

/** A MicroTime's Unix seconds and microseconds (fraction digits past six dropped), or undefined when zero. */
function unixMicros(t: unknown): { seconds: number; micros: number } | undefined {
  if (typeof t !== "string" || t === "") return undefined;
  const fraction = /\.(\d+)/.exec(t)?.[1] ?? "";
  const seconds = Math.floor(Date.parse(t.replace(/\.\d+/, "")) / 1000);
  const micros = Number(fraction.slice(0, 6).padEnd(6, "0"));
  return seconds === -62135596800 && micros === 0 ? undefined : { seconds, micros };
}

/**
 * The object as protobufjs input. gogo = true (the apiserver): every field gogo writes unconditionally is set, to
 * its zero value if absent. gogo = false (`protoc --encode` of a text message listing only the fields set): fields
 * are written only when present.
 */
export function toProtoObject(type: protobuf.Type, o: Json | undefined, gogo = true): Json {
  const out: Json = {};
  for (const f of type.fieldsArray) {
    const up = upstreamField(fullName(type), f.id);
    const v = up.inline ? o : o?.[up.json];
    if (f.map) {
      const entries = Object.entries((v as Json | undefined) ?? {});
      if (entries.length > 0) {
        out[f.name] = Object.fromEntries(entries.map(([k, e]) => [k, convert(f, e, gogo)]));
      }
    } else if (f.repeated) {
      const list = (v as unknown[] | undefined) ?? [];
      if (list.length > 0) out[f.name] = list.map((e) => convert(f, e, gogo));
    } else if (gogo && up.pbAlways) {
      out[f.name] = convert(f, v, gogo);
    } else if (v !== undefined && v !== null) {
      out[f.name] = convert(f, v, gogo);
    }
  }
  return out;
}

function convert(f: protobuf.Field, v: unknown, gogo: boolean): unknown {
  const t = f.resolvedType;
  if (t instanceof protobuf.Type) {
    switch (fullName(t)) {
      case TIME: {
        const s = unixSeconds(v);
        return s === undefined ? {} : { seconds: s, nanos: 0 };
      }
      case MICRO_TIME: {
        const t = unixMicros(v);
        return t === undefined ? {} : { seconds: t.seconds, nanos: t.micros * 1000 };
      }
      case QUANTITY:
        return { string: v ?? "0" };
      case INT_OR_STRING:
        return typeof v === "string" ? { type: 1, intVal: 0, strVal: v } : { type: 0, intVal: v ?? 0, strVal: "" };
      case FIELDS_V1: {
        const raw = Buffer.from(goJsonText(v));
        return raw.length > 0 ? { Raw: raw } : {};
      }
      default:
        return toProtoObject(t, v as Json | undefined, gogo);
    }
  }
  if (v !== undefined && v !== null) return v;
  switch (f.type) {
    case "string":
      return "";
    case "bool":
      return false;
    default:
      return 0;
  }
}

/** Encoded bytes of the object's protobuf body (no envelope), as the apiserver writes it or as protoc would. */
export function encodeBody(obj: KubeObject, encoder: "gogo" | "protoc" = "gogo"): Uint8Array {
  const type = protoRoot.lookupType(KIND_PROTO[obj.kind].type);
  return type.encode(type.fromObject(toProtoObject(type, obj as unknown as Json, encoder === "gogo"))).finish();
}

/** "k8s\0" + runtime.Unknown around a body, as serializer/protobuf/protobuf.go writes it. */
export function encodeEnvelope(kind: KubeKind, body: Uint8Array): Uint8Array {
  const Unknown = protoRoot.lookupType("k8s.io.apimachinery.pkg.runtime.Unknown");
  const unknown = Unknown.encode(
    Unknown.fromObject({
      typeMeta: { apiVersion: KIND_PROTO[kind].apiVersion, kind },
      raw: body,
      contentEncoding: "",
      contentType: "",
    }),
  ).finish();
  return Buffer.concat([Buffer.from([0x6b, 0x38, 0x73, 0x00]), unknown]);
}

/** A protobuf watch event: 4-byte big-endian length, then WatchEvent{type, object: RawExtension{raw}}. */
export function encodeWatchEvent(type: WatchEventType, envelope: Uint8Array): Uint8Array {
  const WatchEvent = protoRoot.lookupType("k8s.io.apimachinery.pkg.apis.meta.v1.WatchEvent");
  const event = WatchEvent.encode(WatchEvent.fromObject({ type, object: { raw: envelope } })).finish();
  const frame = Buffer.alloc(4);
  frame.writeUInt32BE(event.length);
  return Buffer.concat([frame, event]);
}

// ---- JSON ----

/**
 * The object rebuilt as encoding/json would lay it out: Go field order, omitempty/omitzero applied, nil slices,
 * maps and pointers without omitempty as null, zero times as null, map keys sorted. (Field order and key order do
 * not change the length; they make the text comparable with Go's by eye.)
 */
export function goShaped(obj: KubeObject): Json {
  const type = protoRoot.lookupType(KIND_PROTO[obj.kind].type);
  return { kind: obj.kind, apiVersion: obj.apiVersion, ...goShapedMessage(type, obj as unknown as Json) };
}

function goShapedMessage(type: protobuf.Type, o: Json | undefined): Json {
  const m = upstreamByProto.get(fullName(type));
  if (!m) throw new Error(`${fullName(type)}: not in upstream-fields.json`);
  const out: Json = {};
  for (const up of m.fields) {
    if (up.num === 0) continue; // TypeMeta, written by goShaped
    const f = type.fieldsArray.find((x) => x.id === up.num);
    if (!f) continue; // not modelled
    if (up.inline) {
      Object.assign(out, goShapedMessage(f.resolvedType as protobuf.Type, o));
      continue;
    }
    const v = o?.[up.json];
    const shaped = goShapedField(f, up, v);
    if (shaped !== OMIT) out[up.json] = shaped;
  }
  return out;
}

const OMIT = Symbol("omit");

function goShapedField(f: protobuf.Field, up: UpstreamField, v: unknown): unknown {
  switch (up.goKind) {
    case "value": {
      if (up.omitZero && unixSeconds(v) === undefined) return OMIT;
      if (up.omitEmpty && f.resolvedType === null && !v) return OMIT;
      return goShapedValue(f, v);
    }
    case "pointer":
      if (v === undefined || v === null) return up.omitEmpty ? OMIT : null;
      return goShapedValue(f, v);
    case "slice": {
      const list = v as unknown[] | undefined;
      if (!list || list.length === 0) return up.omitEmpty ? OMIT : null;
      return list.map((e) => goShapedValue(f, e));
    }
    case "map": {
      const keys = Object.keys((v as Json | undefined) ?? {}).sort();
      if (keys.length === 0) return up.omitEmpty ? OMIT : null;
      return Object.fromEntries(keys.map((k) => [k, goShapedValue(f, (v as Json)[k])]));
    }
  }
}

function goShapedValue(f: protobuf.Field, v: unknown): unknown {
  const t = f.resolvedType;
  if (t instanceof protobuf.Type) {
    switch (fullName(t)) {
      case TIME: {
        const s = unixSeconds(v);
        return s === undefined ? null : new Date(s * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");
      }
      case MICRO_TIME: {
        const t = unixMicros(v);
        if (t === undefined) return null;
        const micros = String(t.micros).padStart(6, "0");
        return new Date(t.seconds * 1000).toISOString().replace(/\.\d{3}Z$/, `.${micros}Z`);
      }
      case QUANTITY:
        return v ?? "0";
      case INT_OR_STRING:
        return v ?? 0;
      case FIELDS_V1:
        return v;
      default:
        return goShapedMessage(t, v as Json | undefined);
    }
  }
  if (v !== undefined && v !== null) return v;
  return f.type === "string" ? "" : f.type === "bool" ? false : 0;
}

/** JSON.stringify with encoding/json's HTML-safe escapes (<, >, &, U+2028, U+2029 as \u00XX). */
export function goJsonText(v: unknown): string {
  return JSON.stringify(v).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/** Bytes of the object's JSON as the apiserver writes it (no trailing newline). */
export function encodeJson(obj: KubeObject): Buffer {
  return Buffer.from(goJsonText(goShaped(obj)));
}
