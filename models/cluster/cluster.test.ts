import { describe, expect, it } from "vitest";
import { RandomStreams } from "../../engine/random.js";
import { Cluster } from "./cluster.js";
import { nodeName, podIPv4, podIPv4Length, podName, uid, zoneName } from "./naming.js";

function cluster(replicas: number | { median: number; p99: number }, count = 1) {
  const rng = new RandomStreams(9);
  return new Cluster(
    {
      nodes: 30,
      zones: 3,
      coresPerNode: 8,
      podsPerNode: 30,
      namespaces: 2,
      services: [{ name: "web", count, replicas, headless: false, ports: 2, ipFamilies: ["IPv4", "IPv6"] }],
    },
    rng.stream("p"),
    rng.stream("r"),
  );
}

describe("Cluster", () => {
  it("names things with the lengths the sizes of docs/sources.md §14.5 were measured with", () => {
    expect(nodeName(12345)).toHaveLength(44);
    expect(zoneName(0)).toBe("us-central1-a");
    expect(uid("x")).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-a[0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(podName("web-deployment-0", 3)).toMatch(/^web-deployment-0-[a-z0-9]{10}-[a-z0-9]{5}$/);
  });

  it("spreads nodes over zones and gives every live pod a distinct address", () => {
    const c = cluster(200);
    c.populate(0);
    expect(Array.from(c.nodeZone.slice(0, 6))).toEqual([0, 1, 2, 0, 1, 2]);
    const ips = c.services[0].pods.map((p) => c.podIP(p, "IPv4"));
    expect(new Set(ips).size).toBe(200);
    expect(c.podIP(0, "IPv6")).toMatch(/^fd00:10:/);
  });

  it("removes a pod by swapping the last one into its place, and keeps positions right", () => {
    const c = cluster(5);
    c.populate(0);
    const pods = [...c.services[0].pods];
    c.removePod(pods[1]);
    expect(c.services[0].pods).toEqual([pods[0], pods[4], pods[2], pods[3]]);
    for (const [i, p] of c.services[0].pods.entries()) expect(c.position(p)).toBe(i);
    expect(c.podAlive[pods[1]]).toBe(0);
  });

  it("bumps a pod's version on every endpoint-relevant change", () => {
    const c = cluster(1);
    c.populate(0);
    const p = c.services[0].pods[0];
    const v = c.podVersion[p];
    c.setReady(p, true, 1); // no change: already ready
    expect(c.podVersion[p]).toBe(v);
    c.setReady(p, false, 2);
    c.changeIP(p, 3);
    c.startTermination(p);
    expect(c.podVersion[p]).toBe(v + 3);
    expect(c.podTriggerTime[p]).toBe(3);
  });

  it("knows an address's length without making it", () => {
    for (let n = 0; n < 140_000; n += 97) for (const slot of [0, 8, 9, 98, 99, 253, 254, 1000]) expect(podIPv4Length(n, slot)).toBe(podIPv4(n, slot).length);
  });

  it("draws backend counts from a spread, deterministically", () => {
    const a = cluster({ median: 5, p99: 250 }, 400).services.map((s) => s.replicas);
    const b = cluster({ median: 5, p99: 250 }, 400).services.map((s) => s.replicas);
    expect(a).toEqual(b);
    const sorted = [...a].sort((x, y) => x - y);
    expect(sorted[200]).toBeGreaterThanOrEqual(4);
    expect(sorted[200]).toBeLessThanOrEqual(6);
    expect(Math.min(...a)).toBeGreaterThanOrEqual(1);
    expect(Math.max(...a)).toBeGreaterThan(100);
  });
});
