/**
 * The ReplicaSet controller (pkg/controller/replicaset/replica_set.go), for the Deployments behind the Services:
 * one ReplicaSet per (Service, template revision), synced by `workers` workers (--concurrent-replicaset-syncs 5)
 * through the controller's own client (kube-controller-manager gives each controller its own token bucket of
 * --kube-api-qps / --kube-api-burst).
 *
 * manageReplicas: at most `burstReplicas` (500) creates or deletes per sync; creates in slowStartBatch batches of
 * 1, 2, 4, ... (each batch's calls in parallel, the next batch once they are all answered); deletes all in parallel,
 * choosing pods by ActivePodsWithRanks: unscheduled before scheduled, pending before running, not ready before ready,
 * ready for less time first, newest first. Pods with a deletionTimestamp are not active (FilterActivePods), so a
 * replacement is created as soon as a deletion is requested. A sync then writes the ReplicaSet's status when its
 * ready count changed, which is what wakes the Deployment controller.
 *
 * All ReplicaSets of a Service share one queue key here (the controller syncs them one after another); a sync's
 * expectations are met when its calls are answered, so a key is never synced while its own calls are in flight.
 * Pods that back no Service are replaced by their own ReplicaSets, one create each, through the same client.
 */
import type { Spread } from "../../engine/random.js";
import type { RandomStream } from "../../engine/random.js";
import type { Simulation } from "../../engine/simulation.js";
import { TokenBucket } from "../../engine/token-bucket.js";
import { growUint8 } from "../../engine/typed-arrays.js";
import type { Micros } from "../../engine/time.js";
import type { Kubelets } from "../cluster/kubelet.js";
import type { PodListener, Pods } from "../cluster/pods.js";
import type { Scheduler } from "../cluster/scheduler.js";
import { ApiClient, type ApiCall } from "./api-client.js";
import { Workqueue } from "./workqueue.js";

export interface ReplicaSetConfig {
  workers: number;
  burstReplicas: number;
  qps: number;
  burst: number;
  writeLatency: Micros;
  /** Pod startup (binding to Ready) and termination (deletion to containers stopped) of new and deleted pods. */
  startup: Spread;
  termination: Spread;
}

/** One ReplicaSet: desired replicas, active and ready pods, and the ready count its status last published. */
export interface ReplicaSetState {
  revision: number;
  spec: number;
  active: number;
  ready: number;
  published: number;
}

const ACTIVE = 1;
const READY = 2;

export class ReplicaSetController implements PodListener {
  creates = 0;
  deletes = 0;
  statusWrites = 0;
  /** A ReplicaSet's published status changed (the Deployment controller's trigger). */
  onStatus: (service: number) => void = () => {};
  /** Per Service, its ReplicaSets by revision. */
  private readonly sets: Map<number, ReplicaSetState>[];
  private readonly startup: Spread[];
  private readonly termination: Spread[];
  private readonly queue: Workqueue;
  private readonly client: ApiClient;
  private contribution = new Uint8Array(1024);
  private othersWaiting = 0;
  private othersInFlight = 0;

  constructor(
    sim: Simulation,
    private readonly pods: Pods,
    private readonly scheduler: Scheduler,
    private readonly kubelets: Kubelets,
    private readonly rng: RandomStream,
    private readonly config: ReplicaSetConfig,
    /** Counted writes: an Event per create and delete (SuccessfulCreate / SuccessfulDelete). */
    private readonly events: (count: number) => void,
  ) {
    const c = pods.cluster;
    const n = c.services.length;
    this.sets = c.services.map((svc) => new Map([[svc.revision, { revision: svc.revision, spec: svc.replicas, active: 0, ready: 0, published: 0 }]]));
    this.startup = new Array<Spread>(n).fill(config.startup);
    this.termination = new Array<Spread>(n).fill(config.termination);
    for (let p = 0; p < c.podCount; p++) this.podCreated(p);
    for (const sets of this.sets) for (const rs of sets.values()) rs.published = rs.ready;
    // per-item backoff 5 ms x 2^n (DefaultControllerRateLimiter), as for the Endpoints controller
    this.queue = new Workqueue(sim, n, { workers: config.workers, backoffBase: 5_000, backoffMax: 1_000_000_000, maxRetries: 15 }, (key) => this.sync(key));
    this.client = new ApiClient(sim, new TokenBucket(config.qps, config.burst), config.writeLatency);
    pods.listen(this);
  }

  get requests(): number {
    return this.client.requests;
  }

  /** The ReplicaSets of a Service (for the Deployment controller and tests). */
  replicaSets(service: number): Map<number, ReplicaSetState> {
    return this.sets[service];
  }

  /** Sets a ReplicaSet's desired replicas (the Deployment controller's write), creating it if new. */
  setSpec(service: number, revision: number, replicas: number): void {
    let rs = this.sets[service].get(revision);
    if (rs === undefined) {
      rs = { revision, spec: 0, active: 0, ready: 0, published: 0 };
      this.sets[service].set(revision, rs);
    }
    rs.spec = replicas;
    this.queue.add(service);
  }

  /** The pod timings the Service's new and deleted pods follow from now on (the workload step that drives it). */
  setTimings(service: number, startup: Spread, termination: Spread): void {
    this.startup[service] = startup;
    this.termination[service] = termination;
  }

  /** Pods that back no Service were deleted: their ReplicaSets create as many again. */
  replaceOthers(count: number): void {
    this.othersWaiting += count;
    this.pumpOthers();
  }

  podCreated(pod: number): void {
    this.account(pod);
  }

  podStateChanged(pod: number): void {
    this.account(pod);
    this.queue.add(this.pods.cluster.podService[pod]);
  }

  private account(pod: number): void {
    const c = this.pods.cluster;
    if (pod >= this.contribution.length) this.contribution = growUint8(this.contribution, Math.max(pod + 1, 2 * this.contribution.length));
    const rs = this.sets[c.podService[pod]].get(c.podRevision[pod]);
    if (rs === undefined) return;
    const old = this.contribution[pod];
    const active = c.podAlive[pod] === 1 && c.podTerminating[pod] === 0;
    const now = (active ? ACTIVE : 0) | (active && c.podReady[pod] === 1 ? READY : 0);
    if ((old & ACTIVE) !== (now & ACTIVE)) rs.active += now & ACTIVE ? 1 : -1;
    if ((old & READY) !== (now & READY)) rs.ready += now & READY ? 1 : -1;
    this.contribution[pod] = now;
  }

  private sync(service: number): void {
    const sets = [...this.sets[service].values()].sort((a, b) => a.revision - b.revision);
    const steps: (() => ApiCall[])[] = [];
    for (const rs of sets) {
      const diff = rs.spec - rs.active;
      if (diff > 0) {
        // slowStartBatch: 1, 2, 4, ... up to burstReplicas in all
        let remaining = Math.min(diff, this.config.burstReplicas);
        for (let size = Math.min(remaining, 1); size > 0; size = Math.min(2 * size, remaining)) {
          const n = size;
          steps.push(() => Array.from({ length: n }, () => () => this.create(service, rs.revision)));
          remaining -= size;
        }
      } else if (diff < 0) {
        const victims = this.victims(service, rs.revision, Math.min(-diff, this.config.burstReplicas));
        steps.push(() => victims.map((pod) => () => this.delete(pod)));
      }
    }
    const status = (): ApiCall[] =>
      sets
        .filter((rs) => rs.ready !== rs.published)
        .map((rs) => () => {
          rs.published = rs.ready;
          this.statusWrites++;
          this.onStatus(service);
          return true;
        });
    steps.push(status);
    let i = 0;
    const next = (ok: boolean): void => {
      if (!ok || i === steps.length) {
        this.queue.done(service, ok);
        return;
      }
      this.client.runParallel(steps[i++](), next);
    };
    next(true);
  }

  private create(service: number, revision: number): boolean {
    const pod = this.pods.create(service, revision);
    this.creates++;
    this.events(1);
    this.scheduler.enqueue(pod, this.rng.spread(this.startup[service]));
    return true;
  }

  private delete(pod: number): boolean {
    if (this.pods.requestDeletion(pod)) {
      this.deletes++;
      this.events(1);
      this.kubelets.terminate(pod, this.rng.spread(this.termination[this.pods.cluster.podService[pod]]));
    }
    return true;
  }

  /** ActivePodsWithRanks order: the first `count` active pods of the ReplicaSet to delete. */
  private victims(service: number, revision: number, count: number): number[] {
    const c = this.pods.cluster;
    const rank = (p: number): number => (c.podNode[p] < 0 ? 0 : 4) + (c.podHasIP[p] === 0 ? 0 : 2) + (c.podReady[p] === 0 ? 0 : 1);
    const candidates = c.services[service].pods.filter((p) => c.podRevision[p] === revision && c.podTerminating[p] === 0);
    candidates.sort((a, b) => rank(a) - rank(b) || c.podTriggerTime[b] - c.podTriggerTime[a] || b - a);
    return candidates.slice(0, count);
  }

  private pumpOthers(): void {
    while (this.othersWaiting > 0 && this.othersInFlight < this.config.workers) {
      this.othersWaiting--;
      this.othersInFlight++;
      this.client.run(
        [
          () => {
            this.creates++;
            this.events(1);
            this.pods.otherCreated();
            this.scheduler.enqueueOther();
            return true;
          },
        ],
        () => {
          this.othersInFlight--;
          this.pumpOthers();
        },
      );
    }
  }
}
