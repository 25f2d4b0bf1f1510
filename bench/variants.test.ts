import { describe, expect, it } from "vitest";
import { planScenario, InputError } from "./load.js";
import { applyVariant, expandVariants, matchesVariant } from "./variants.js";

describe("variants", () => {
  it("expands a matrix in declaration order with key=value labels", () => {
    const v = expandVariants({ a: [1, 2], "b.c": ["x", "y"] });
    expect(v.map((x) => x.label)).toEqual(["a=1,b.c=x", "a=1,b.c=y", "a=2,b.c=x", "a=2,b.c=y"]);
  });

  it("concatenates a list of matrices", () => {
    const v = expandVariants([
      { mode: "endpoints", trunc: [true, false] },
      { mode: "slices", max: [100, 500] },
    ]);
    expect(v.map((x) => x.label)).toEqual(["mode=endpoints,trunc=true", "mode=endpoints,trunc=false", "mode=slices,max=100", "mode=slices,max=500"]);
  });

  it("refuses a variant declared twice, two variants with one label, a value listed twice, and prototype paths", () => {
    expect(() =>
      expandVariants([
        { mode: "endpoints", trunc: [true, false] },
        { mode: "endpoints", trunc: true },
      ]),
    ).toThrow('variants[1]: variant "mode=endpoints,trunc=true" is declared twice');
    // 0.5 and "0.5" print the same: the second row would be labelled as the first
    expect(() => expandVariants([{ f: 0.5 }, { f: "0.5" }])).toThrow('two different variants would both be labelled "f=0.5"');
    expect(() => expandVariants({ f: [1, 0.5, 1] })).toThrow("f lists 1 twice");
    expect(() => expandVariants({ "__proto__.x": 1 })).toThrow('"__proto__" is not a scenario field');
    expect(() => expandVariants({ "a.constructor.b": 1 })).toThrow('"constructor" is not a scenario field');
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });

  it("sets a path into a list by index, and says when the index is out of range", () => {
    const base = { services: [{ replicas: 1 }, { replicas: 2 }] };
    expect(applyVariant(base, { label: "", assignments: [["services.1.replicas", 9]] })).toEqual({ services: [{ replicas: 1 }, { replicas: 9 }] });
    expect(() => applyVariant(base, { label: "", assignments: [["services.2.replicas", 9]] })).toThrow(
      'services.2.replicas: services is a list of 2: "2" must be an index in 0..1',
    );
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
