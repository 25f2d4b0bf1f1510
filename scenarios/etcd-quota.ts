import { defineScenario } from "../bench/scenario.js";
import { headlineShape } from "./shapes/headline.js";

/**
 * When does the headline cluster fill etcd? The headline's shape and workload (scenarios/15k-nodes.ts) with
 * upstream's packing at its default, at etcd's default quota of 2 GiB, at 4 GiB and at 8 GiB (its suggested maximum,
 * the headline's setting). DNS traffic is off: it does not touch etcd.
 *
 * What fills it: 450,000 pods (3.9 KB each with their managedFields), 15,000 Nodes (5.3 KB) and Leases, and the
 * superseded versions kept between the apiserver's compactions (every 5 minutes): 1,500 Lease renewals a second
 * alone add 260 MB of history per compaction interval. `etcd.nospace_at_s` says when the alarm was raised; from then
 * on etcd refuses every write (the model keeps the workload going, so what follows the alarm describes a cluster
 * that would be frozen).
 */
const shape = headlineShape({ nodes: 15_000, cohortSize: 150, dnsSampleRate: 0.00001 });

export default defineScenario({
  ...shape,
  name: "etcd-quota",
  description: "the headline cluster against etcd's quota: 2, 4 and 8 GiB",
  seed: 15_000,
  dns: { lookupsPerPodPerSecond: 0 },
  variants: { "etcd.quotaBytes": ["2GiB", "4GiB", "8GiB"] },
  rank: [{ metric: "etcd.db_bytes.max", better: "lower" }],
  gate: [],
});
