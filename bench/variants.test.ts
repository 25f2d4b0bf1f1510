import { describe, expect, it } from "vitest";
import { planScenario, InputError } from "./load.js";
import { applyVariant, expandVariants, matchesVariant } from "./variants.js";

describe("variants", () => {
  it("expands a matrix in declaration order with key=value labels", () => {
    const v = expandVariants({ a: [1, 2], "b.c": ["x", "y"] });
    expect(v.map((x) => x.label)).toEqual(["a=1,b.c=x", "a=1,b.c=y", "a=2,b.c=x", "a=2,b.c=y"]);
  });

  it("concatenates a list of matrices and drops duplicates", () => {
    const v = expandVariants([
      { mode: "endpoints", trunc: [true, false] },
      { mode: "slices", max: [100, 500] },
      { mode: "endpoints", trunc: true },
    ]);
    expect(v.map((x) => x.label)).toEqual(["mode=endpoints,trunc=true", "mode=endpoints,trunc=false", "mode=slices,max=100", "mode=slices,max=500"]);
  });

  it("is a single default variant when none are declared", () => {
    expect(expandVariants(undefined)).toEqual([{ label: "default", assignments: [] }]);
  });

  it("sets dotted paths on a copy", () => {
    const base = { a: { b: 1, c: 2 }, d: 3 };
    const out = applyVariant(base, {
      label: "",
      assignments: [
        ["a.b", 5],
        ["e.f", "new"],
      ],
    });
    expect(out).toEqual({ a: { b: 5, c: 2 }, d: 3, e: { f: "new" } });
    expect(base).toEqual({ a: { b: 1, c: 2 }, d: 3 });
  });

  it("matches labels by substring, glob and alternatives", () => {
    expect(matchesVariant("algo=k8s,max=100", "k8s")).toBe(true);
    expect(matchesVariant("algo=k8s,max=100", "algo=*,max=100")).toBe(true);
    expect(matchesVariant("algo=k8s,max=100", "algo=*,max=500")).toBe(false);
    expect(matchesVariant("algo=compact", "k8s|compact")).toBe(true);
  });

  it("validates every variant and names the failing one", () => {
    const raw = { name: "x", model: "phold", phold: { lps: 10, population: 1, events: 10 }, variants: { "phold.lps": [5, 0] } };
    expect(() => planScenario(raw, "s.ts")).toThrow(InputError);
    expect(() => planScenario(raw, "s.ts")).toThrow(/variant "phold.lps=0": invalid scenario\n {2}phold.lps: must be an integer in 1..1000000 \(got 0\)/);
  });

  it("reports a variant key that is not a field", () => {
    const raw = { name: "x", model: "phold", phold: { lps: 10, population: 1, events: 10 }, variants: { "phold.lpz": [5] } };
    expect(() => planScenario(raw, "s.ts")).toThrow(/phold.lpz: unknown field/);
  });

  it("names an unknown model and lists the allowed ones", () => {
    expect(() => planScenario({ name: "x", model: "warp" }, "s.ts")).toThrow(/model: .*"phold"/);
  });
});
