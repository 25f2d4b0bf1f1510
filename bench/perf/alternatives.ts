/**
 * The event lists the engine was measured against (`npm run bench:engine`), each running the engine's PHOLD
 * workload (remote fraction 1, no lookahead, same random streams) so the figures compare like with like:
 *   - fastpriorityqueue over event objects ordered by (time, seq): the library the project started from;
 *   - a binary heap over parallel typed arrays (time, seq), with a pop-and-push "hold": the usual hand-written answer.
 * The engine keeps a calendar queue (engine/event-list.ts) because it beat both here.
 */
import FastPriorityQueue from "fastpriorityqueue";
import seedrandom from "seedrandom";

export interface AltResult {
  events: number;
  simTime: number;
}

interface Ev {
  t: number;
  seq: number;
  lp: number;
}

export function pholdOnFastPriorityQueue(lps: number, population: number, events: number, seed: number, meanDelayUs = 1_000_000): AltResult {
  const delays = seedrandom.alea(`${seed}/phold/delay`);
  const routes = seedrandom.alea(`${seed}/phold/route`);
  const q = new FastPriorityQueue<Ev>((a, b) => a.t < b.t || (a.t === b.t && a.seq < b.seq));
  let seq = 0;
  const count = new Float64Array(lps);
  for (let lp = 0; lp < lps; lp++) {
    for (let k = 0; k < population; k++) q.add({ t: Math.round(-meanDelayUs * Math.log(1 - delays())), seq: seq++, lp });
  }
  let now = 0;
  for (let i = 0; i < events; i++) {
    const e = q.poll()!;
    now = e.t;
    count[e.lp]++;
    const dst = Math.floor(routes() * lps);
    q.add({ t: now + Math.round(-meanDelayUs * Math.log(1 - delays())), seq: seq++, lp: dst });
  }
  return { events, simTime: now / 1e6 };
}

export function pholdOnTypedBinaryHeap(lps: number, population: number, events: number, seed: number, meanDelayUs = 1_000_000): AltResult {
  const delays = seedrandom.alea(`${seed}/phold/delay`);
  const routes = seedrandom.alea(`${seed}/phold/route`);
  const cap = lps * population + 1;
  const ht = new Float64Array(cap);
  const hs = new Float64Array(cap);
  const hl = new Int32Array(cap);
  let n = 0;
  let seq = 0;
  const up = (i: number, t: number, s: number, lp: number): void => {
    while (i > 0) {
      const p = (i - 1) >>> 1;
      if (ht[p] < t || (ht[p] === t && hs[p] < s)) break;
      ht[i] = ht[p];
      hs[i] = hs[p];
      hl[i] = hl[p];
      i = p;
    }
    ht[i] = t;
    hs[i] = s;
    hl[i] = lp;
  };
  const down = (i: number, t: number, s: number, lp: number): void => {
    const half = n >>> 1;
    while (i < half) {
      let c = 2 * i + 1;
      const r = c + 1;
      if (r < n && (ht[r] < ht[c] || (ht[r] === ht[c] && hs[r] < hs[c]))) c = r;
      if (ht[c] > t || (ht[c] === t && hs[c] > s)) break;
      ht[i] = ht[c];
      hs[i] = hs[c];
      hl[i] = hl[c];
      i = c;
    }
    ht[i] = t;
    hs[i] = s;
    hl[i] = lp;
  };
  const count = new Float64Array(lps);
  for (let lp = 0; lp < lps; lp++) {
    for (let k = 0; k < population; k++) up(n++, Math.round(-meanDelayUs * Math.log(1 - delays())), seq++, lp);
  }
  let now = 0;
  for (let i = 0; i < events; i++) {
    now = ht[0];
    count[hl[0]]++;
    const dst = Math.floor(routes() * lps);
    // hold: the successor replaces the root and sifts down once
    down(0, now + Math.round(-meanDelayUs * Math.log(1 - delays())), seq++, dst);
  }
  return { events, simTime: now / 1e6 };
}
