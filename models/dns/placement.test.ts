import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { apiWatchers, placementCost } from "./placement.js";
import type { ClusterShape } from "./placement.js";
import * as builtIns from "./placements/built-ins.js";
import { allPlacements, getPlacement, PLACEMENT_NAMES } from "./placements/index.js";
import { zonalCacheCount } from "./placements/zonal.js";

const big: ClusterShape = { nodes: 15_000, coresPerNode: 16, zones: 3, pods: 450_000, services: 25_000, endpoints: 100_000 };

describe("placement registry", () => {
  it("has one placement per name, and every placement file in placements/ is registered by its one line", () => {
    expect(allPlacements().map((p) => p.name)).toEqual([...PLACEMENT_NAMES]);
    expect(Object.values(builtIns)).toHaveLength(PLACEMENT_NAMES.length);
    for (const n of PLACEMENT_NAMES) expect(getPlacement(n).name).toBe(n);
    const dir = new URL("./placements/", import.meta.url);
    const files = readdirSync(dir).filter((f) => f.endsWith(".ts") && !["index.ts", "built-ins.ts", "common.ts"].includes(f));
    const registry = readFileSync(new URL("built-ins.ts", dir), "utf8");
    for (const f of files) expect(registry, f).toContain(`from "./${f.replace(/\.ts$/, ".js")}";`);
    expect(registry.split("\n").filter((l) => l.startsWith("export ")).length).toBe(files.length);
  });
  it("throws on an unknown name, listing the allowed ones", () => {
    expect(() => getPlacement("kube-dns")).toThrow(`unknown DNS placement "kube-dns"; allowed: ${PLACEMENT_NAMES.join(", ")}, or the path of a plugin module`);
  });
});

describe("placement properties", () => {
  it("only NOTRACK NodeLocal keeps pod queries out of conntrack and DNAT", () => {
    for (const p of allPlacements()) {
      expect(p.clientLink.conntracked, p.name).toBe(p.name !== "nodelocal");
      expect(p.clientLink.dnat, p.name).toBe(p.name !== "nodelocal");
      expect(p.clientLink.raceExposed).toBe(p.clientLink.dnat && p.clientLink.transport === "udp");
    }
    expect(getPlacement("nodelocal-prefer-same-node").clientLink.dnatBackends).toBe("one");
  });
  it("caching tiers reach central CoreDNS over pooled TCP; external names bypass CoreDNS except in the central placements", () => {
    for (const p of allPlacements()) {
      if (p.firstTier === "node-cache" || p.firstTier === "zonal-cache") expect(p.clusterUpstream?.transport, p.name).toBe("tcp-reuse");
      expect(p.externalBypassesCentral, p.name).toBe(!p.name.startsWith("central"));
    }
    expect(getPlacement("central-autopath").autopath).toBe(true);
    expect(allPlacements().filter((p) => p.autopath)).toHaveLength(1);
  });
  it("API watchers at 15k nodes: 938 central replicas, or one per node for a CoreDNS DaemonSet (docs/sources.md §5, §6.6)", () => {
    expect(apiWatchers(getPlacement("central"), big)).toMatchObject({ instances: 938, byResource: { services: 938, endpointslices: 938, pods: 0 } });
    expect(apiWatchers(getPlacement("central-autopath"), big).byResource.pods).toBe(938);
    expect(apiWatchers(getPlacement("nodelocal"), big).instances).toBe(938);
    expect(apiWatchers(getPlacement("coredns-daemonset"), big).instances).toBe(15_000);
    expect(apiWatchers(getPlacement("central"), { ...big, centralReplicas: 50 }).instances).toBe(50);
  });
  it("CoreDNS memory counts what it caches: Services and endpoints; every pod only with autopath (pods verified)", () => {
    // (100,000 endpoints + 25,000 Services) / 1000 + 54 MB; autopath: (450,000 pods + 25,000) / 250 + 56 MB
    expect(getPlacement("central").components(big)[0].memoryMB).toBe(179);
    expect(getPlacement("central-autopath").components(big)[0].memoryMB).toBe(1_956);
    expect(getPlacement("coredns-daemonset").components(big)[0].memoryMB).toBe(179);
    expect(getPlacement("central").components(big)[0].memoryLimitMiB).toBe(170);
    expect(getPlacement("nodelocal").components(big)[0].memoryLimitMiB).toBeNull();
    const nl = getPlacement("nodelocal").components(big);
    expect(nl.map((g) => [g.component, g.count, g.cpuRequestMillicores, g.memoryRequestMiB])).toEqual([
      ["node-local-dns", 15_000, 25, 5],
      ["coredns", 938, 100, 70],
    ]);
    expect(placementCost(getPlacement("nodelocal"), big).cpuRequestMillicores).toBe(15_000 * 25 + 938 * 100);
    expect(zonalCacheCount(big)).toBe(3 * 313);
  });
  it("per-node restart: iptables falls back to kube-dns, IPVS fails, OOM blackholes (docs/sources.md §1.4)", () => {
    const nl = getPlacement("nodelocal");
    expect(nl.onNodeRestart("iptables").outcome).toBe("fallback-central");
    expect(nl.onNodeRestart("iptables", "oom").outcome).toBe("fail");
    expect(nl.onNodeRestart("ipvs").outcome).toBe("fail");
    expect(nl.rolloutMaxUnavailable).toBe(0.1);
    expect(getPlacement("nodelocal-prefer-same-node").onNodeRestart("ipvs").outcome).toBe("fallback-remote");
    expect(getPlacement("central").onNodeRestart("iptables").outcome).toBe("not-applicable");
  });
});
