import protobuf from "protobufjs";
import { describe, expect, it } from "vitest";
import { protoRoot, upstream } from "../../test/oracles/reference-encoders.js";
import { allMessageSchemas } from "./schema.js";
import type { MessageSchema } from "./schema.js";

const upstreamByProto = new Map(upstream.messages.map((m) => [m.proto, m]));
const schemas = allMessageSchemas();

describe("upstream facts (test/oracles/upstream-fields.json)", () => {
  it("confirm the rule: gogo writes exactly the non-pointer, non-slice, non-map fields unconditionally", () => {
    const exceptions: string[] = [];
    for (const m of upstream.messages) {
      for (const f of m.fields) {
        if (f.num === 0 || f.pbAlways === undefined) continue;
        if (f.pbAlways !== (f.goKind === "value")) exceptions.push(`${m.proto}.${f.goName}`);
      }
    }
    expect(exceptions).toEqual([]);
  });
});

describe("schema.ts", () => {
  it("matches upstream for every modelled field: json name and options, Go kind, protobuf number and name", () => {
    for (const schema of schemas) {
      const up = upstreamByProto.get(schema.name);
      expect(up, schema.name).toBeDefined();
      for (const f of schema.fields) {
        const u = f.num === 0 ? up!.fields.find((x) => x.num === 0) : up!.fields.find((x) => x.num === f.num);
        expect(u, `${schema.name} field ${f.json || f.proto}`).toBeDefined();
        if (f.num === 0) continue; // TypeMeta's kind/apiVersion: an inline struct upstream
        expect({ json: f.json, proto: f.proto, go: f.go, omitEmpty: f.omitEmpty, omitZero: f.omitZero, inline: f.inline }, `${schema.name}.${f.proto}`).toEqual(
          {
            json: u!.json,
            proto: u!.proto,
            go: u!.goKind,
            omitEmpty: u!.omitEmpty,
            omitZero: u!.omitZero,
            inline: u!.inline,
          },
        );
      }
    }
  });

  it("lists fields in Go struct order, so JSON field order is Go's", () => {
    for (const schema of schemas) {
      const up = upstreamByProto.get(schema.name)!;
      const order = schema.fields.filter((f) => f.num !== 0).map((f) => up.fields.findIndex((u) => u.num === f.num));
      expect(order, schema.name).toEqual([...order].sort((a, b) => a - b));
    }
  });

  it("models every field gogo always writes (leaving one out would undercount 2+ bytes per message)", () => {
    for (const schema of schemas) {
      const modelled = new Set(schema.fields.map((f) => f.num));
      const missing = upstreamByProto
        .get(schema.name)!
        .fields.filter((u) => u.pbAlways && !modelled.has(u.num))
        .map((u) => u.goName);
      expect(missing, schema.name).toEqual([]);
    }
  });

  it("declares the same fields, numbers and element types as k8s.proto", () => {
    for (const schema of schemas) {
      const type = protoRoot.lookupType(schema.name);
      const protoFields = type.fieldsArray.map((f) => `${f.name}=${f.id}`).sort();
      const schemaFields = schema.fields
        .filter((f) => f.num !== 0)
        .map((f) => `${f.proto}=${f.num}`)
        .sort();
      expect(schemaFields, schema.name).toEqual(protoFields);
      for (const f of schema.fields) {
        if (f.num === 0) continue;
        const pf = type.fields[f.proto];
        expect(pf.repeated || pf.map, `${schema.name}.${f.proto} repeated`).toBe(f.go === "slice" || f.go === "map");
        expect(protoTypeOf(pf), `${schema.name}.${f.proto} type`).toBe(schemaTypeOf(f.type));
      }
    }
  });
});

function protoTypeOf(f: protobuf.Field): string {
  const t = f.resolvedType;
  if (t instanceof protobuf.Type) {
    const name = t.fullName.replace(/^\./, "");
    const special: Record<string, string> = {
      "k8s.io.apimachinery.pkg.apis.meta.v1.Time": "time",
      "k8s.io.apimachinery.pkg.apis.meta.v1.MicroTime": "microTime",
      "k8s.io.apimachinery.pkg.api.resource.Quantity": "quantity",
      "k8s.io.apimachinery.pkg.util.intstr.IntOrString": "intOrString",
      "k8s.io.apimachinery.pkg.apis.meta.v1.FieldsV1": "fieldsV1",
    };
    return special[name] ?? name;
  }
  return f.type;
}

function schemaTypeOf(t: string | MessageSchema): string {
  return typeof t === "string" ? t : t.name;
}
