/**
 * `npm run bench:calibrate`: does `bench calibrate kube-proxy --json` time what it says? For 2,000 Services x 10
 * endpoints it runs the command, then times `iptables-restore` of the emitted ruleset by hand (a shell in a fresh
 * network namespace loads it once, then times a second load with `date`), and prints both and their ratio, per
 * iptables backend. Figures only; no assertion. Needs root, unshare and Debian's iptables.
 *
 * usage: npm run bench:calibrate -- [--backends iptables-legacy-restore,iptables-nft-restore] [--services N] [--endpoints-per-service N]
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const args = process.argv.slice(2);
const arg = (name: string, fallback: string): string => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
const backends = arg("--backends", "iptables-legacy-restore,iptables-nft-restore").split(",");
const services = arg("--services", "2000");
const eps = arg("--endpoints-per-service", "10");
const bin = join(dirname(fileURLToPath(import.meta.url)), "..", "bin.mjs");

for (const backend of backends) {
  if (spawnSync(backend, ["--version"]).status !== 0) {
    console.log(`${backend}: not installed (apt-get install iptables), skipped`);
    continue;
  }
  const common = ["calibrate", "kube-proxy", "--mode", "iptables", "--services", services, "--endpoints-per-service", eps, "--iptables-restore", backend];
  const measured = JSON.parse(execFileSync(process.execPath, [bin, ...common, "--json"], { encoding: "utf8" }).trim()) as {
    rules: number;
    fullSyncSeconds: number;
  };
  const dir = mkdtempSync(join(tmpdir(), "calibrate-check-"));
  try {
    const file = join(dir, "rules.txt");
    writeFileSync(file, execFileSync(process.execPath, [bin, ...common, "--emit"], { encoding: "utf8", maxBuffer: 256 * 1024 * 1024 }));
    const script = `${backend} -w 5 --noflush --counters < ${file}; s=$(date +%s%N); ${backend} -w 5 --noflush --counters < ${file}; e=$(date +%s%N); echo $((e - s))`;
    const byHand = Number(execFileSync("unshare", ["-n", "sh", "-c", script], { encoding: "utf8" }).trim()) / 1e9;
    const ratio = measured.fullSyncSeconds / byHand;
    console.log(
      `${backend}: ${services} Services x ${eps} endpoints, ${measured.rules} rules: calibrate --json full sync ${measured.fullSyncSeconds.toFixed(3)} s, ` +
        `by hand ${byHand.toFixed(3)} s, ratio ${ratio.toFixed(2)} (${Math.abs(ratio - 1) <= 0.3 ? "within" : "outside"} 30%)`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
