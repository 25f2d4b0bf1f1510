import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { syncDuration } from "../models/kube-proxy.js";
import { fitSyncCost } from "./calibrate.js";
import { planScenario } from "./load.js";
import { DEFAULT_COST_PROFILE, costProfileFor, readCostProfile } from "./profiles.js";
import { networkConfig, runScenario } from "./runner.js";
import { bench, tempDir } from "../test/cli.js";

describe("fitting the sync-cost model", () => {
  it("recovers the constants of exactly linear times, with zero residuals", () => {
    // t = 5 ms + 20 µs per Service + 7 µs per endpoint, on a 3 x 3 grid
    const points = [];
    for (const services of [200, 500, 1000])
      for (const perService of [1, 5, 10]) {
        const endpoints = services * perService;
        points.push({ services, endpoints, seconds: 0.005 + 20e-6 * services + 7e-6 * endpoints });
      }
    const fit = fitSyncCost(points);
    expect(fit.base).toBeCloseTo(5000, 6);
    expect(fit.perService).toBeCloseTo(20, 6);
    expect(fit.perEndpoint).toBeCloseTo(7, 6);
    for (const r of fit.residualsSeconds) expect(Math.abs(r)).toBeLessThan(1e-12);
    expect(fit.rmsRelativeError).toBeLessThan(1e-9);
  });

  it("never returns a negative constant: times that fall with Services drop the per-Service term", () => {
    const points = [
      { services: 100, endpoints: 100, seconds: 0.1 },
      { services: 200, endpoints: 1000, seconds: 0.5 },
      { services: 400, endpoints: 4000, seconds: 1.9 },
      { services: 800, endpoints: 800, seconds: 0.3 },
    ];
    const fit = fitSyncCost(points);
    for (const c of [fit.base, fit.perService, fit.perEndpoint]) expect(c).toBeGreaterThanOrEqual(0);
    // residuals are what the fit leaves: measured - fitted, per point
    points.forEach((p, i) => {
      expect(p.seconds - fit.residualsSeconds[i]).toBeCloseTo((fit.base + fit.perService * p.services + fit.perEndpoint * p.endpoints) / 1e6, 12);
    });
  });
});

describe("cost profiles", () => {
  it("the committed default profile was measured: iptables and nftables, a machine, tools and the points", () => {
    const p = readCostProfile(DEFAULT_COST_PROFILE);
    expect(Object.keys(p.modes).sort()).toEqual(["iptables", "nftables"]);
    expect(p.tools.iptables).toMatch(/^iptables-restore v/);
    expect((p as unknown as { points: unknown[] }).points.length).toBeGreaterThanOrEqual(9);
  });

  it("prices syncs linearly in what it was fitted on: the run's partial sync = base + per Service x S + per endpoint x E", () => {
    const dir = tempDir();
    const profile = JSON.parse(JSON.stringify(readCostProfile(DEFAULT_COST_PROFILE)));
    profile.modes.iptables.partial = { base: 1000, perService: 100, perEndpoint: 10 };
    writeFileSync(join(dir, "p.json"), JSON.stringify(profile));
    const scenario = {
      name: "p",
      model: "network",
      duration: "1m",
      cluster: { nodes: 10, zones: 1 },
      services: [
        { name: "a", count: 3, replicas: 10 },
        { name: "h", count: 1, replicas: 2, headless: true },
      ],
      kubeProxy: { costProfile: "p.json" },
    };
    const loaded = planScenario(scenario, "p", dir);
    const config = networkConfig(loaded.variants[0].scenario as Parameters<typeof networkConfig>[0]);
    expect(config.kubeProxy.cost.partial).toEqual({ base: 1000, perService: 100, perEndpoint: 10 });
    expect(config.kubeProxy.costSource).toContain("(p.json)");
    const r = runScenario(loaded);
    const get = (m: string): number => r.rows.find((x) => x.metric === m)!.value;
    // kube-proxy programs the 3 Services of one port with 10 endpoints each (not the headless one): 3 and 30
    expect(get("kubeproxy.partial_sync_s")).toBeCloseTo((1000 + 100 * 3 + 10 * 30) / 1e6, 9);
    expect(syncDuration(config.kubeProxy.cost.partial, 6, 60) - 1000).toBe(2 * (syncDuration(config.kubeProxy.cost.partial, 3, 30) - 1000));
  }, 60_000);

  it("keeps the published assumption for IPVS, which cannot be calibrated here", () => {
    expect(costProfileFor(undefined, "ipvs").source).toMatch(/assumed/);
  });

  it("refuses a missing or foreign profile before the run, naming the field (exit 2)", () => {
    const dir = tempDir();
    writeFileSync(join(dir, "bad.json"), JSON.stringify({ kind: "something-else" }));
    writeFileSync(
      join(dir, "s.ts"),
      `export default { name: "s", model: "network", duration: "1m", cluster: { nodes: 10, zones: 1 }, services: [{ name: "a", replicas: 2 }],
        kubeProxy: { costProfile: "./bad.json" }, variants: { "kubeProxy.costProfile": ["./bad.json", "./none.json"] } };\n`,
    );
    const r = bench(["run", join(dir, "s.ts"), "--out", join(dir, "out"), "--quiet"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("kubeProxy.costProfile:");
    expect(r.stderr).toMatch(/bad\.json is not a cost profile from bench calibrate kube-proxy: kind/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});

/** A command runs here (with the privilege it needs), or the reason it cannot. */
function unavailable(cmd: string, args: string[]): string | undefined {
  const r = spawnSync(cmd, args, { encoding: "utf8" });
  if (r.error !== undefined) return `${cmd} not found`;
  return r.status === 0 ? undefined : `${cmd} ${args.join(" ")}: ${r.stderr.trim()}`;
}

const noIptables = unavailable("unshare", ["-rn", "iptables-restore", "--version"]);
const noNft = unavailable("unshare", ["-rn", "nft", "--version"]);
if (noIptables !== undefined) console.warn(`skipping the iptables-restore --test checks: ${noIptables} (apt-get install iptables)`);
if (noNft !== undefined) console.warn(`skipping the nft -c checks: ${noNft} (apt-get install nftables)`);

describe("bench calibrate kube-proxy", () => {
  it.skipIf(noIptables !== undefined)("--emit writes a ruleset iptables-restore --test accepts", () => {
    const r = bench(["calibrate", "kube-proxy", "--emit", "--mode", "iptables", "--services", "3", "--endpoints-per-service", "2"]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^\*filter\n/);
    const check = spawnSync("unshare", ["-rn", "iptables-restore", "--test"], { input: r.stdout, encoding: "utf8" });
    expect(check.stderr).toBe("");
    expect(check.status).toBe(0);
  });

  it.skipIf(noNft !== undefined)("--emit writes a ruleset nft -c -f accepts", () => {
    const r = bench(["calibrate", "kube-proxy", "--emit", "--mode", "nftables", "--services", "3", "--endpoints-per-service", "2"]);
    expect(r.status).toBe(0);
    const check = spawnSync("unshare", ["-rn", "nft", "-c", "-f", "-"], { input: r.stdout, encoding: "utf8" });
    expect(check.stderr).toBe("");
    expect(check.status).toBe(0);
  });

  it.skipIf(noIptables !== undefined || noNft !== undefined)(
    "--json times one size per mode in a throwaway namespace",
    () => {
      const r = bench(["calibrate", "kube-proxy", "--json", "--services", "20", "--endpoints-per-service", "3", "--repeats", "1"]);
      expect(r.status).toBe(0);
      const lines = r.stdout
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l));
      expect(lines.map((l) => l.mode)).toEqual(["iptables", "nftables"]);
      for (const l of lines) {
        expect(Object.keys(l)).toEqual(["mode", "services", "endpoints", "rules", "fullSyncSeconds", "partialSyncSeconds"]);
        expect([l.services, l.endpoints]).toEqual([20, 60]);
        expect(l.fullSyncSeconds).toBeGreaterThan(0);
        expect(l.partialSyncSeconds).toBeGreaterThan(0);
      }
      // iptables: per Service 1 KUBE-SERVICES jump, 1 masquerade and 3 endpoint jumps, 2 rules per endpoint chain (x3)
      expect(lines[0].rules).toBe(20 * (1 + 1 + 3 + 3 * 2) + 9);
    },
    60_000,
  );

  it("refuses what it cannot do with exit 2 and a reason", () => {
    const emitAll = bench(["calibrate", "kube-proxy", "--emit"]);
    expect(emitAll.status).toBe(2);
    expect(emitAll.stderr).toContain("--emit prints one ruleset: choose --mode iptables or --mode nftables");
    const badMode = bench(["calibrate", "kube-proxy", "--mode", "ipvs"]);
    expect(badMode.status).toBe(2);
    expect(badMode.stderr).toContain("must be iptables, nftables or all");
    const badSize = bench(["calibrate", "kube-proxy", "--services", "0"]);
    expect(badSize.status).toBe(2);
    const noTool = bench([
      "calibrate",
      "kube-proxy",
      "--mode",
      "iptables",
      "--iptables-restore",
      "no-such-iptables-restore",
      "--json",
      "--services",
      "1",
      "--endpoints-per-service",
      "1",
    ]);
    expect(noTool.status).toBe(2);
    expect(noTool.stderr).toContain("needs no-such-iptables-restore for --mode iptables");
  });
});
