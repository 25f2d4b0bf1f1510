import type { Metrics } from "../engine/metrics.js";
import type { RandomStreams } from "../engine/random.js";
import type { Simulation } from "../engine/simulation.js";

/** What a model gets to run one variant: the clock and event list, its random streams, its metrics. */
export interface ModelContext {
  sim: Simulation;
  rng: RandomStreams;
  metrics: Metrics;
  /** Reports how far the run is, 0..1, for progress bars. Cheap; may be called often. */
  progress(fraction: number): void;
}
