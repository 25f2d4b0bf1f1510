import fc from "fast-check";
import protobuf from "protobufjs";
import { describe, expect, it } from "vitest";
import { jsonIntegerSize, jsonStringSize, jsonValueSize } from "./json-size.js";
import { tagSize, utf8Length, varintSize } from "./protobuf-size.js";
import { goJsonText } from "../../test/oracles/reference-encoders.js";

function encodedVarint(v: number): number {
  return protobuf.Writer.create().int64(v).finish().length;
}

describe("varintSize", () => {
  it("matches protobufjs's int64 encoding at every 7-bit boundary, for negatives and at 2^53", () => {
    const values = [0, 1, -1, -2147483648, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER];
    for (let bits = 7; bits <= 52; bits += 7) values.push(2 ** bits - 1, 2 ** bits);
    for (const v of values) expect(varintSize(v), String(v)).toBe(encodedVarint(v));
  });

  it("matches protobufjs for random safe integers", () => {
    fc.assert(
      fc.property(fc.maxSafeInteger(), (v) => varintSize(v) === encodedVarint(v)),
      { numRuns: 2000 },
    );
  });

  it("gives an int32 negative 10 bytes, as sign extension to 64 bits does", () => {
    expect(varintSize(-5)).toBe(protobuf.Writer.create().int32(-5).finish().length);
  });
});

describe("tagSize", () => {
  it("is 1 byte up to field 15, 2 up to 2047, 3 beyond", () => {
    expect([1, 15, 16, 2047, 2048].map(tagSize)).toEqual([1, 1, 2, 2, 3]);
  });
});

describe("utf8Length", () => {
  it("equals the UTF-8 (TextEncoder) length of any string, lone surrogates included", () => {
    fc.assert(fc.property(fc.string({ unit: "binary" }), (s) => utf8Length(s) === new TextEncoder().encode(s).length));
    fc.assert(fc.property(fc.string({ unit: "grapheme" }), (s) => utf8Length(s) === new TextEncoder().encode(s).length));
    expect(utf8Length("\ud800x")).toBe(new TextEncoder().encode("\ud800x").length);
  });
});

describe("jsonStringSize", () => {
  it("equals the bytes of Go's escaping (JSON.stringify plus the HTML-safe escapes) for valid strings", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), (s) => jsonStringSize(s) === Buffer.byteLength(goJsonText(s))),
      { numRuns: 2000 },
    );
    for (const s of ['"', "\\", "\b\f\n\r\t", "\u0001\u001f", "<a href='x'>&amp;</a>", "\u2028\u2029", "é€😀", ""]) {
      expect(jsonStringSize(s), JSON.stringify(s)).toBe(Buffer.byteLength(goJsonText(s)));
    }
  });
});

describe("jsonIntegerSize / jsonValueSize", () => {
  it("match JSON.stringify", () => {
    fc.assert(fc.property(fc.maxSafeInteger(), (v) => jsonIntegerSize(v) === JSON.stringify(v).length));
    fc.assert(
      fc.property(fc.jsonValue(), (v) => jsonValueSize(v) === Buffer.byteLength(goJsonText(v))),
      { numRuns: 500 },
    );
  });
});
