/**
 * Lengths of values as Go's encoding/json writes them, which is what the apiserver's JSON serializer uses
 * (kubernetes/apimachinery pkg/runtime/serializer/json/json.go: `json.NewEncoder(w).Encode(obj)`, HTML escaping on,
 * the encoder's default).
 */

/**
 * Bytes of a JSON string literal, quotes included, as encoding/json escapes it: `"` and `\` and the control
 * characters \b \f \n \r \t take 2 bytes (short forms for \b and \f since Go 1.22), other control characters and
 * the HTML-sensitive < > & and U+2028 U+2029 take 6 (\u00XX), everything else its UTF-8 bytes. A lone surrogate
 * counts as U+FFFD (3 bytes), what Go holds after decoding such JSON.
 */
export function jsonStringSize(s: string): number {
  // most names need no escaping and are ASCII: one native regexp test instead of a loop
  if (!NEEDS_SCAN.test(s)) return s.length + 2;
  const len = s.length;
  let n = len + 2;
  for (let i = 0; i < len; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x20 && c < 0x80) {
      if (c === 0x22 || c === 0x5c) n += 1;
      else if (c === 0x3c || c === 0x3e || c === 0x26) n += 5;
      continue;
    }
    if (c < 0x20) {
      n += c === 0x08 || c === 0x0c || c === 0x0a || c === 0x0d || c === 0x09 ? 1 : 5;
    } else if (c < 0x800) {
      n += 1;
    } else if (c === 0x2028 || c === 0x2029) {
      n += 5;
    } else if (c >= 0xd800 && c <= 0xdbff && i + 1 < len) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n += 2;
        i++;
      } else {
        n += 2;
      }
    } else {
      n += 2;
    }
  }
  return n;
}

/** Any character that is escaped or not ASCII. */
const NEEDS_SCAN = /[^\x20\x21\x23-\x25\x27-\x3b\x3d\x3f-\x5b\x5d-\x7e]/;

/** Bytes of an integer in decimal, sign included. */
export function jsonIntegerSize(v: number): number {
  if (v >= 0 && v < 10) return 1;
  return String(v).length;
}

/**
 * Bytes of an arbitrary JSON value written compactly (used for managedFields' fieldsV1, which the apiserver stores
 * and writes back as the raw JSON text). Numbers are counted as JavaScript prints them.
 */
export function jsonValueSize(v: unknown): number {
  if (v === null || v === undefined) return 4;
  switch (typeof v) {
    case "string":
      return jsonStringSize(v);
    case "boolean":
      return v ? 4 : 5;
    case "number":
      return JSON.stringify(v).length;
    case "object": {
      if (Array.isArray(v)) {
        let n = 2 + Math.max(0, v.length - 1);
        for (const e of v) n += jsonValueSize(e);
        return n;
      }
      const keys = Object.keys(v);
      let n = 2 + Math.max(0, keys.length - 1);
      for (const k of keys) n += jsonStringSize(k) + 1 + jsonValueSize((v as Record<string, unknown>)[k]);
      return n;
    }
    default:
      throw new Error(`not a JSON value: ${typeof v}`);
  }
}
