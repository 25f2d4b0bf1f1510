import { z } from "zod";
import { duration, HOUR, int, num } from "./config-fields.js";
import type { ModelContext } from "./context.js";
import { ModelMetrics } from "./metrics.js";
import type { Micros } from "../engine/time.js";

/**
 * PHOLD (Fujimoto, 1990): the classic discrete-event benchmark. `lps` logical processes start with `population`
 * events each; every event, when processed, schedules one successor after `lookahead` plus an exponential delay of
 * mean `meanDelay`, on a uniformly chosen LP with probability `remoteFraction` (any LP, itself included, as in the
 * reference loop of ../shared/peers/phold.cpp), else on its own LP. The run stops after `events` events.
 */
/** A PHOLD scenario's section, with its defaults. */
export const pholdSettings = z
  .object({
    lps: int(1, 1_000_000),
    population: int(1, 10_000),
    events: int(1, 1_000_000_000),
    meanDelay: duration(1, HOUR).default(1_000_000),
    lookahead: duration(0, HOUR).default(0),
    remoteFraction: num(0, 1).default(1),
  })
  .strict();

export type PholdConfig = z.output<typeof pholdSettings> & {
  /** Optional cap on simulated time. */
  until?: Micros;
};

export function runPhold(config: PholdConfig, ctx: ModelContext): void {
  const { sim } = ctx;
  const out = new ModelMetrics(ctx.metrics);
  const { lps, population, events: target, meanDelay, lookahead, remoteFraction } = config;
  const delays = ctx.rng.stream("phold/delay");
  const routes = ctx.rng.stream("phold/route");
  const perLp = new Float64Array(lps);
  let done = 0;
  let remote = 0;

  const handle = (lp: number): void => {
    perLp[lp]++;
    if (++done >= target) {
      sim.stop();
      return;
    }
    let dst = lp;
    if (remoteFraction >= 1 || routes.uniform() < remoteFraction) {
      dst = Math.floor(routes.uniform() * lps);
      remote++;
    }
    sim.schedule(sim.now + lookahead + Math.round(delays.exponential(meanDelay)), handle, dst);
  };

  for (let lp = 0; lp < lps; lp++) {
    for (let k = 0; k < population; k++) sim.schedule(lookahead + Math.round(delays.exponential(meanDelay)), handle, lp);
  }

  const progressEvery = Math.max(1 << 14, Math.floor(target / 200));
  sim.run({ until: config.until, onProgress: () => ctx.progress(done / target), progressEvery });

  let minLp = Infinity;
  let maxLp = 0;
  for (let i = 0; i < lps; i++) {
    if (perLp[i] < minLp) minLp = perLp[i];
    if (perLp[i] > maxLp) maxLp = perLp[i];
  }
  out.put("phold.events", done);
  out.put("phold.remote_events", remote);
  out.put("phold.sim_time", sim.now / 1_000_000);
  out.put("phold.lp_events.min", lps > 0 ? minLp : 0);
  out.put("phold.lp_events.max", maxLp);
  out.put("phold.pending_at_end", sim.pending);
}
