/**
 * The Deployment controller's rolling update (pkg/controller/deployment/rolling.go, util/deployment_util.go), for the
 * Deployment behind each Service, through its own client and queue (--concurrent-deployment-syncs 5). A sync reads
 * the ReplicaSets' published status (available = ready: minReadySeconds 0) and either scales the new ReplicaSet up
 * (NewRSNewReplicas: up to replicas + maxSurge pods in all) or, when it cannot, the old ones down
 * (reconcileOldReplicaSets: first the unhealthy old pods within maxScaledDown, then down to
 * replicas - maxUnavailable available pods, oldest ReplicaSet first). maxSurge rounds up, maxUnavailable down, and
 * both 0 make maxUnavailable 1 (ResolveFenceposts). A ReplicaSet status update wakes the Deployment.
 */
import type { Simulation } from "../../engine/simulation.js";
import { TokenBucket } from "../../engine/token-bucket.js";
import type { Micros } from "../../engine/time.js";
import type { Cluster } from "../cluster/cluster.js";
import { ApiClient, type ApiCall } from "./api-client.js";
import type { ReplicaSetController, ReplicaSetState } from "./replicaset.js";
import { Workqueue } from "./workqueue.js";

export interface DeploymentConfig {
  workers: number;
  qps: number;
  burst: number;
  writeLatency: Micros;
}

interface Strategy {
  maxSurge: number | string;
  maxUnavailable: number | string;
}

/** maxSurge / maxUnavailable as Kubernetes resolves them (intstr.GetScaledValueFromIntOrPercent). */
export function resolveCount(value: number | string, replicas: number, roundUp: boolean): number {
  if (typeof value === "number") return value;
  const pct = Number(value.replace("%", "")) / 100;
  return roundUp ? Math.ceil(pct * replicas) : Math.floor(pct * replicas);
}

/** ResolveFenceposts: surge rounds up, unavailable down; both 0 makes unavailable 1; unavailable at most replicas. */
export function resolveFenceposts(strategy: Strategy, replicas: number): { surge: number; unavailable: number } {
  const surge = resolveCount(strategy.maxSurge, replicas, true);
  let unavailable = Math.min(resolveCount(strategy.maxUnavailable, replicas, false), replicas);
  if (surge === 0 && unavailable === 0) unavailable = 1;
  return { surge, unavailable };
}

export class DeploymentController {
  private readonly target: Int32Array;
  private readonly strategy: (Strategy | undefined)[];
  private readonly queue: Workqueue;
  private readonly client: ApiClient;

  constructor(
    sim: Simulation,
    private readonly cluster: Cluster,
    private readonly replicaSets: ReplicaSetController,
    config: DeploymentConfig,
  ) {
    const n = cluster.services.length;
    this.target = Int32Array.from(cluster.services, (s) => s.replicas);
    this.strategy = new Array(n);
    this.queue = new Workqueue(sim, n, { workers: config.workers, backoffBase: 5_000, backoffMax: 1_000_000_000, maxRetries: 15 }, (key) => this.sync(key));
    this.client = new ApiClient(sim, new TokenBucket(config.qps, config.burst), config.writeLatency);
    replicaSets.onStatus = (service) => this.queue.add(service);
  }

  get requests(): number {
    return this.client.requests;
  }

  /** spec.replicas changed. */
  scale(service: number, replicas: number): void {
    this.target[service] = replicas;
    this.cluster.services[service].replicas = replicas;
    this.queue.add(service);
  }

  /** The pod template changed: a new ReplicaSet, rolled out with the strategy. */
  rollout(service: number, strategy: Strategy): void {
    this.cluster.services[service].revision++;
    this.strategy[service] = strategy;
    this.queue.add(service);
  }

  private sync(service: number): void {
    const revision = this.cluster.services[service].revision;
    const sets = this.replicaSets.replicaSets(service);
    const target = this.target[service];
    const newRS = sets.get(revision);
    const olds = [...sets.values()].filter((rs) => rs.revision !== revision && rs.spec > 0).sort((a, b) => a.revision - b.revision);
    const writes = new Map<ReplicaSetState | undefined, number>();
    const strategy = this.strategy[service];
    if (strategy === undefined || (newRS !== undefined && olds.length === 0)) {
      // no rollout under way: the ReplicaSet follows spec.replicas
      if ((newRS?.spec ?? 0) !== target) writes.set(newRS, target);
    } else {
      this.rolling(target, newRS, olds, strategy, writes);
    }
    const calls: ApiCall[] = [...writes].map(([rs, spec]) => () => {
      this.replicaSets.setSpec(service, rs?.revision ?? revision, spec);
      return true;
    });
    this.client.run(calls, (ok) => this.queue.done(service, ok));
  }

  private rolling(
    target: number,
    newRS: ReplicaSetState | undefined,
    olds: ReplicaSetState[],
    strategy: Strategy,
    writes: Map<ReplicaSetState | undefined, number>,
  ): void {
    const { surge, unavailable } = resolveFenceposts(strategy, target);
    const newSpec = newRS?.spec ?? 0;
    const total = newSpec + olds.reduce((n, rs) => n + rs.spec, 0);
    // NewRSNewReplicas
    if (newSpec < target && total < target + surge) {
      const up = Math.min(target + surge - total, target - newSpec);
      if (up > 0) {
        writes.set(newRS, newSpec + up);
        return;
      }
    }
    // reconcileOldReplicaSets
    const minAvailable = target - unavailable;
    const newUnavailable = newSpec - (newRS?.published ?? 0);
    const maxScaledDown = total - minAvailable - newUnavailable;
    if (maxScaledDown <= 0) return;
    const spec = new Map(olds.map((rs) => [rs, rs.spec]));
    let cleaned = 0;
    for (const rs of olds) {
      if (cleaned >= maxScaledDown) break;
      const unhealthy = spec.get(rs)! - rs.published;
      if (unhealthy <= 0) continue;
      const down = Math.min(maxScaledDown - cleaned, unhealthy);
      spec.set(rs, spec.get(rs)! - down);
      cleaned += down;
    }
    const available = olds.reduce((n, rs) => n + rs.published, 0) + (newRS?.published ?? 0);
    if (available > minAvailable) {
      let toScale = available - minAvailable;
      for (const rs of olds) {
        if (toScale <= 0) break;
        const down = Math.min(spec.get(rs)!, toScale);
        spec.set(rs, spec.get(rs)! - down);
        toScale -= down;
      }
    }
    for (const rs of olds) if (spec.get(rs)! !== rs.spec) writes.set(rs, spec.get(rs)!);
  }
}
