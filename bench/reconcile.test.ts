import { describe, expect, it } from "vitest";
import { packingAlgorithms } from "../models/controllers/packing/index.js";
import { InputError } from "./load.js";
import { runReconcileCase } from "./reconcile.js";
import { bench } from "../test/cli.js";

const eps = (from: number, n: number) => Array.from({ length: n }, (_, i) => ({ id: `10.0.0.${from + i}` }));

describe("bench reconcile", () => {
  it("TestReconcileManyPods: 250 endpoints into 3 new slices of 100, 100, 50", () => {
    const out = runReconcileCase({ algorithm: "k8s", desired: eps(0, 250) }, "case");
    expect(out).toMatchObject({ created: 3, updated: 0, deleted: 0 });
    expect(out.slices.map((s) => s.size)).toEqual([100, 100, 50]);
  });

  it("TestReconcileEndpointSlicesRecycling: a port change turns 10 x 30 into 3 updates and 7 deletes", () => {
    const existing = Array.from({ length: 10 }, (_, i) => ({ name: `s${i}`, endpoints: eps(i * 30, 30), ports: [{ port: 80 }] }));
    const out = runReconcileCase({ algorithm: "k8s", ports: [{ port: 81 }], existing, desired: eps(0, 300) }, "case");
    expect(out).toMatchObject({ created: 0, updated: 3, deleted: 7 });
    expect(out.actions.map((a) => a.op)).toEqual(["update", "update", "update", ...Array(7).fill("delete")]);
    expect(out.slices.map((s) => s.size)).toEqual([100, 100, 100]);
  });

  it("runs every algorithm on the same state (compact repacks what k8s leaves)", () => {
    const existing = Array.from({ length: 10 }, (_, i) => ({ name: `s${i}`, endpoints: eps(i * 10, 10) }));
    const k8s = runReconcileCase({ algorithm: "k8s", existing, desired: eps(0, 100) }, "case");
    const compact = runReconcileCase({ algorithm: "compact", existing, desired: eps(0, 100) }, "case");
    expect(k8s.slices).toHaveLength(10);
    expect(compact.slices).toHaveLength(1);
    expect(compact.slices[0].size).toBe(100);
  });

  it("names the bad field and what it allows", () => {
    expect(() => runReconcileCase({ algorithm: "k8s", maxEndpointsPerSlice: 0, desired: [] }, "c.json")).toThrow(InputError);
    expect(() => runReconcileCase({ algorithm: "k8s", maxEndpointsPerSlice: 0, desired: [] }, "c.json")).toThrow(
      /maxEndpointsPerSlice: must be an integer in 1..1000 \(got 0\)/,
    );
    expect(() => runReconcileCase({ algorithm: "k8s", desired: [{ id: "a", colour: "red" }] }, "c.json")).toThrow(/desired.0.colour: unknown field/);
    expect(() => runReconcileCase({ algorithm: "rebalance", options: { threshold: 2 }, desired: [] }, "c.json")).toThrow(/threshold/);
    expect(() => runReconcileCase({ algorithm: "k8s", existing: [{ name: "a" }, { name: "a" }], desired: [] }, "c.json")).toThrow(/duplicate slice name/);
  });

  it("works from the command line, with exit 2 on bad input", () => {
    const ok = bench(["reconcile", "-"], {
      input: JSON.stringify({
        algorithm: "k8s",
        maxEndpointsPerSlice: 100,
        existing: [{ name: "s1", endpoints: [{ id: "p1", ready: true }] }],
        desired: [{ id: "p1", ready: true }],
      }),
    });
    expect(ok.status).toBe(0);
    expect(JSON.parse(ok.stdout)).toEqual({ created: 0, updated: 0, deleted: 0, slices: [{ name: "s1", size: 1 }], actions: [] });
    const bad = bench(["reconcile", "-"], { input: '{"algorithm":"fast","desired":[]}' });
    expect(bad.status).toBe(2);
    const allowed = Object.keys(packingAlgorithms)
      .map((n) => JSON.stringify(n))
      .join(", ");
    expect(bad.stderr).toContain(`algorithm: must be one of ${allowed}, or the path of a plugin module (got "fast")`);
  });
});
