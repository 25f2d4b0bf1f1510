/**
 * `npm run bench:engine`: PHOLD on the engine, the same workload as ../shared/peers/run-phold.sh
 * (1000 LPs x 10 initial events, 3,000,000 events, exponential delays of mean 1 s, uniform destination).
 *
 * Prints one line per implementation in the peers' format (ours, then the event lists it was measured against)
 *   impl=... events=... simtime=... wall_s=... events_per_s=...
 * then runs the reference engines (C++ std::priority_queue loop, ns-3, SimPy) in the same run when the peers
 * script is present, and prints our figure as a ratio of each. Figures only; nothing here asserts a speed.
 *
 * usage: npm run bench:engine -- [LPS] [POP] [EVENTS] [--repeat N] [--no-peers]
 */
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Metrics } from "../../engine/metrics.js";
import { RandomStreams } from "../../engine/random.js";
import { Simulation } from "../../engine/simulation.js";
import { runPhold } from "../../models/phold.js";
import { pholdOnFastPriorityQueue, pholdOnTypedBinaryHeap, type AltResult } from "./alternatives.js";

const args = process.argv.slice(2);
const flags = new Set(args.filter((a) => a.startsWith("--")));
const positional = args.filter((a, i) => !a.startsWith("--") && !(args[i - 1] === "--repeat"));
const lps = Number(positional[0] ?? 1000);
const pop = Number(positional[1] ?? 10);
const events = Number(positional[2] ?? 3_000_000);
const repeatAt = args.indexOf("--repeat");
const repeat = repeatAt >= 0 ? Number(args[repeatAt + 1]) : 5;

interface Line {
  impl: string;
  events: number;
  simtime: number;
  wall: number;
}

function format(l: Line): string {
  return `impl=${l.impl} events=${l.events} simtime=${l.simtime.toFixed(3)} wall_s=${l.wall.toFixed(3)} events_per_s=${Math.round(l.events / l.wall)}`;
}

function engineRun(n: number): Line {
  const sim = new Simulation(lps * pop + 16);
  const t0 = process.hrtime.bigint();
  runPhold(
    { lps, population: pop, events: n, meanDelay: 1_000_000, lookahead: 0, remoteFraction: 1 },
    { sim, rng: new RandomStreams(42), metrics: new Metrics(), progress() {} },
  );
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  return { impl: "k8s-netscale", events: n, simtime: sim.now / 1e6, wall };
}

function alternative(impl: string, loop: (lps: number, pop: number, n: number, seed: number) => AltResult): (n: number) => Line {
  return (n) => {
    const t0 = process.hrtime.bigint();
    const r = loop(lps, pop, n, 42);
    const wall = Number(process.hrtime.bigint() - t0) / 1e9;
    return { impl, events: n, simtime: r.simTime, wall };
  };
}

/** Median wall time over `repeat` runs after one warm-up run (the JIT's, not the workload's). */
function median(run: (n: number) => Line): Line {
  run(Math.min(events, 300_000));
  const lines: Line[] = [];
  for (let i = 0; i < repeat; i++) lines.push(run(events));
  lines.sort((a, b) => a.wall - b.wall);
  return lines[Math.floor(lines.length / 2)];
}

const ours = median(engineRun);
const alts = [
  median(alternative("alt-typed-binary-heap", pholdOnTypedBinaryHeap)),
  median(alternative("alt-fastpriorityqueue-objects", pholdOnFastPriorityQueue)),
];
console.log(format(ours));
for (const alt of alts) {
  console.log(format(alt));
  console.log(`# k8s-netscale (calendar queue) / ${alt.impl} = ${(alt.wall / ours.wall).toFixed(2)}x (median of ${repeat} runs each)`);
}

const peers = resolve(dirname(fileURLToPath(import.meta.url)), "../../../shared/peers/run-phold.sh");
if (!flags.has("--no-peers") && existsSync(peers)) {
  let out = "";
  try {
    out = execFileSync("bash", [peers, String(lps), String(pop), String(events)], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
  } catch (e) {
    console.log(`# peers did not run: ${(e as Error).message.split("\n")[0]}`);
  }
  const ourRate = ours.events / ours.wall;
  for (const line of out
    .trim()
    .split("\n")
    .filter((l) => l.startsWith("impl="))) {
    console.log(line);
    const m = /impl=(\S+).*events_per_s=(\d+)/.exec(line);
    if (m) console.log(`# k8s-netscale / ${m[1]} = ${(ourRate / Number(m[2])).toFixed(2)}x`);
  }
} else if (!flags.has("--no-peers")) {
  console.log(`# peers script not found at ${peers}; run with the repository beside ../shared to compare`);
}
