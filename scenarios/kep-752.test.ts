/**
 * KEP-752's estimation table (keps/sig-network/0752-endpointslices, Sample Case 1: 20,000 endpoints, 5,000 nodes),
 * checked on the numbers scenarios/kep-752.ts produces: with the KEP's ~100 B per endpoint the model must land within 10% of every
 * figure; with real protobuf sizes it reports what the real numbers are (checked against our own per-endpoint
 * arithmetic, not the KEP).
 */
import { beforeAll, describe, expect, it } from "vitest";
import { planScenario } from "../bench/load.js";
import { runScenario } from "../bench/runner.js";
import type { Results } from "../reports/results.js";
import scenario from "./kep-752.js";

let results: Results;
const value = (variant: RegExp, metric: string): number => {
  const rows = results.rows.filter((r) => variant.test(r.variant) && r.metric === metric);
  expect(rows, `${metric} for ${variant}`).toHaveLength(1);
  return rows[0].value;
};
const within10 = (got: number, want: number): void => {
  expect(Math.abs(got - want) / want, `${got} vs ${want}`).toBeLessThanOrEqual(0.1);
};

// v1.18: kube-proxy reads Endpoints; v1.19: EndpointSlices
const KEP_ENDPOINTS = /sizeModel=kep-752.*kubernetesVersion=1\.18/;
const KEP_SLICES = /sizeModel=kep-752.*kubernetesVersion=1\.19/;
const REAL_ENDPOINTS = /sizeModel=protobuf.*kubernetesVersion=1\.18/;
const REAL_SLICES = /sizeModel=protobuf.*kubernetesVersion=1\.19/;
/** What kube-proxy reads in each variant: the writes that fan out to the 5,000 nodes. */
const WRITES: [RegExp, string][] = [
  [KEP_ENDPOINTS, "etcd.writes.endpoints"],
  [KEP_SLICES, "etcd.writes.endpointslices"],
];

beforeAll(() => {
  results = runScenario(planScenario(scenario, "scenarios/kep-752.ts"));
}, 300_000);

describe("KEP-752 estimation, KEP's per-endpoint bytes", () => {
  it("sizes objects as the KEP does: Endpoints ~2.0 MB, a 100-endpoint slice ~10 KB", () => {
    within10(value(KEP_ENDPOINTS, "objects.endpoints.max_bytes"), 2.0e6);
    within10(value(KEP_SLICES, "objects.endpointslice.max_bytes"), 10e3);
  });

  it("Service creation: 1 write vs 200 writes, ~10 GB either way", () => {
    expect(value(KEP_ENDPOINTS, "phase.service-create.etcd.writes.endpoints")).toBe(1);
    expect(value(KEP_SLICES, "phase.service-create.etcd.writes.endpointslices")).toBe(200);
    within10(value(KEP_ENDPOINTS, "phase.service-create.watch.bytes.kube_proxy"), 10e9);
    within10(value(KEP_SLICES, "phase.service-create.watch.bytes.kube_proxy"), 10e9);
  });

  it("one endpoint change: 1 write; ~10 GB with Endpoints vs ~50 MB with 100-endpoint slices, 5,000 watch events", () => {
    for (const [v, writes] of WRITES) {
      expect(value(v, `phase.single-change.${writes}`)).toBe(1);
      expect(value(v, "phase.single-change.watch.events.kube_proxy")).toBe(5000);
    }
    within10(value(KEP_ENDPOINTS, "phase.single-change.watch.bytes.kube_proxy"), 10e9);
    within10(value(KEP_SLICES, "phase.single-change.watch.bytes.kube_proxy"), 50e6);
  });

  it("rolling update: 20k writes, 5,000 x 20k watch events; ~200 TB vs ~1 TB", () => {
    for (const [v, writes] of WRITES) {
      expect(value(v, `phase.rolling-update.${writes}`)).toBe(20_000);
      expect(value(v, "phase.rolling-update.watch.events.kube_proxy")).toBe(5000 * 20_000);
    }
    within10(value(KEP_ENDPOINTS, "phase.rolling-update.watch.bytes.kube_proxy"), 200e12);
    within10(value(KEP_SLICES, "phase.rolling-update.watch.bytes.kube_proxy"), 1e12);
  });
});

describe("KEP-752 scenario with real protobuf sizes", () => {
  it("cannot send the 20,000-address Endpoints object: it is over the apiserver's 3 MiB body limit, etcd never sees it", () => {
    expect(value(REAL_ENDPOINTS, "objects.endpoints.max_bytes")).toBeGreaterThan(3 * 1024 * 1024);
    expect(value(REAL_ENDPOINTS, "apiserver.rejected_requests.too_large")).toBeGreaterThan(0);
    expect(value(REAL_ENDPOINTS, "etcd.rejected.too_large")).toBe(0);
    expect(value(REAL_ENDPOINTS, "etcd.writes.endpoints")).toBe(0);
    expect(value(REAL_ENDPOINTS, "npl.samples")).toBe(0);
  });

  it("streams ~2x the KEP's bytes with EndpointSlices: real slices weigh ~190 B per endpoint, not 100", () => {
    const slice = value(REAL_SLICES, "objects.endpointslice.max_bytes");
    expect(slice).toBeGreaterThan(15_000);
    expect(slice).toBeLessThan(25_000);
    const single = value(REAL_SLICES, "phase.single-change.watch.bytes.kube_proxy");
    // one event per node, each a full slice with the watch framing and envelope
    expect(single / 5000).toBeGreaterThan(slice);
    expect(single / 5000).toBeLessThan(slice + 200);
    within10(value(REAL_SLICES, "phase.rolling-update.watch.bytes.kube_proxy"), 20_000 * single);
    expect(value(REAL_SLICES, "etcd.rejected.too_large")).toBe(0);
  });

  it("meets the NPL threshold with slices", () => {
    expect(value(REAL_SLICES, "npl.slo_met")).toBe(1);
    expect(value(REAL_SLICES, "npl.p99_s")).toBeLessThan(value(REAL_SLICES, "npl.threshold_s"));
  });
});
