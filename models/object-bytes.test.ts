import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { rfc3339Nano, rfc3339NanoLength } from "./object-bytes.js";

describe("timestamps", () => {
  it("rfc3339NanoLength is the length of rfc3339Nano, trailing zeros trimmed", () => {
    expect(rfc3339Nano(0)).toBe("2026-01-01T00:00:00Z");
    expect(rfc3339Nano(1_500_000)).toBe("2026-01-01T00:00:01.5Z");
    expect(rfc3339Nano(1_000_001)).toBe("2026-01-01T00:00:01.000001Z");
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 30 * 86_400 * 1_000_000 }), (t) => {
        expect(rfc3339NanoLength(t)).toBe(rfc3339Nano(t).length);
      }),
      { numRuns: 2000 },
    );
  });
});
