import { describe, expect, it } from "vitest";
import tinyPhold from "../test/fixtures/tiny-phold.js";
import { planScenario } from "./load.js";

describe("rank and gate rules name catalogued metrics", () => {
  const withRules = (rules: object) => () => planScenario({ ...tinyPhold, ...rules }, "s.ts");

  it("refuses a rank metric or a gate pattern the catalog does not know, naming the field", () => {
    expect(withRules({ rank: [{ metric: "phold.event" }] })).toThrow("rank.0.metric: must name a metric of the catalog");
    expect(withRules({ gate: [{ metric: "phold.evnts*", rule: "exact" }] })).toThrow("gate.0.metric: must name a metric of the catalog");
    expect(withRules({ gate: [{ metric: "phold.*", rule: "exact" }], rank: [{ metric: "phold.events", better: "higher" }] })).not.toThrow();
  });

  it("takes a rank rule's direction from the catalog, and wants one where the catalog has none", () => {
    const loaded = planScenario({ ...tinyPhold, rank: [{ metric: "phold.events", better: "higher" }] }, "s.ts");
    expect(loaded.base.rank).toEqual([{ metric: "phold.events", better: "higher" }]);
    // phold.events has no direction in the catalog (models/metrics.ts)
    expect(withRules({ rank: [{ metric: "phold.events" }] })).toThrow(
      'rank.0.better: must be "lower" or "higher": the metric catalog gives phold.events no direction',
    );
    const network = { name: "n", model: "network", duration: "1m", cluster: { nodes: 3 }, services: [{ name: "a", replicas: 1 }] };
    // npl.p99_s: lower is better, as the catalog says
    expect(planScenario({ ...network, rank: [{ metric: "npl.p99_s" }] }, "n.ts").base.rank).toEqual([{ metric: "npl.p99_s", better: "lower" }]);
  });
});

describe("messages (issue 13)", () => {
  it("says NaN and Infinity, not null", () => {
    const withLps = (lps: number) => () => planScenario({ ...tinyPhold, phold: { lps, population: 4, events: 20_000 } }, "s.ts");
    expect(withLps(Number.NaN)).toThrow("phold.lps: must be an integer in 1..1000000 (got NaN)");
    expect(withLps(Number.POSITIVE_INFINITY)).toThrow("(got Infinity)");
  });
});
