/**
 * A replaced pod as the endpoints controllers see it, end to end through the model: the ReplicaSet's replacement is
 * scheduled, gets an IP, turns Ready; the old pod terminates (still serving), stops (not serving) and is removed.
 */
import { describe, expect, it } from "vitest";
import { planScenario } from "../../bench/load.js";
import { runScenario } from "../../bench/runner.js";
import type { ScenarioInput } from "../../bench/scenario.js";

/** One Service of 100 pods on 20 nodes, replaced one at a time every 10 s; nothing else happens. */
function rollout(podStartup: string, publishNotReadyAddresses = false): ScenarioInput {
  return {
    name: "pod-lifecycle",
    model: "network",
    seed: 3,
    duration: "20m",
    cluster: { nodes: 20, zones: 2, podsPerNode: 10, endpointsConsumers: 1 },
    services: [{ name: "web", replicas: 100, publishNotReadyAddresses }],
    controller: { batchPeriod: 0 },
    // constant timings keep every change of a replacement at least 1 s from the others (see below)
    kubelet: { sandbox: "1s", cleanup: "2s" },
    workload: [
      { name: "rollout", at: "10s", action: "rolling-update", services: "web", style: "one-at-a-time", interval: "10s", podStartup, termination: "5s" },
    ],
  };
}

function metric(scenario: ScenarioInput, name: string): number {
  const r = runScenario(planScenario(scenario, "pod-lifecycle"));
  const row = r.rows.find((x) => x.metric === name);
  expect(row, name).toBeDefined();
  return row!.value;
}

describe("a replaced pod's endpoint changes (one-at-a-time rolling update, batchPeriod 0)", () => {
  // Derivation, per replaced pod (t = its deletion): the old pod's endpoint turns terminating, still serving (t);
  // the replacement gets its IP after the 1 s sandbox, Ready in the same status write when its startup is not longer
  // (a container without a readiness probe, CL2's pause pods), else Ready at its startup time; the old pod's
  // containers stop at t + 5 s (serving: false); it is removed 2 s later. Each change is at least 1 s after the one
  // before, and the next pod's deletion 10 s later, so with batchPeriod 0 each is a sync of its own writing one
  // slice: 4 writes per pod with Ready in the IP's write, 5 with a later Ready. (A sync that starts before the
  // controller's informer has its last write is refused as stale and retried after 1 s: the retry still comes
  // before the next change.) The Endpoints controller drops terminating pods: the new address (1), Ready when
  // separate (1), the old address gone at deletion (1); the stop and removal change nothing.
  it("writes 4 EndpointSlice updates per replaced pod when the new pod is Ready with its IP (2 Endpoints writes)", () => {
    const s = rollout("500ms");
    expect(metric(s, "phase.rollout.etcd.writes.endpointslices")).toBe(4 * 100);
    expect(metric(s, "phase.rollout.etcd.writes.endpoints")).toBe(2 * 100);
  }, 60_000);

  it("writes 5 per replaced pod when readiness comes after the IP (3 Endpoints writes)", () => {
    const s = rollout("3s");
    expect(metric(s, "phase.rollout.etcd.writes.endpointslices")).toBe(5 * 100);
    expect(metric(s, "phase.rollout.etcd.writes.endpoints")).toBe(3 * 100);
  }, 60_000);

  // publishNotReadyAddresses: every endpoint is ready from its IP to its removal, so the slices still change 5 times
  // (serving and terminating still follow the pod), while the Endpoints object changes only when the address comes
  // and when it goes (terminating pods are kept).
  it("with publishNotReadyAddresses: the same 5 slice updates per pod, 2 Endpoints writes", () => {
    const s = rollout("3s", true);
    expect(metric(s, "phase.rollout.etcd.writes.endpointslices")).toBe(5 * 100);
    expect(metric(s, "phase.rollout.etcd.writes.endpoints")).toBe(2 * 100);
  }, 60_000);
});
