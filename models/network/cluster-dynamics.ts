/**
 * The cluster's own machinery, wired: pods and their kubelets, the scheduler, the ReplicaSet and Deployment
 * controllers, the node lifecycle and taint eviction controllers, and the kubelets' heartbeats (Leases and Node
 * status). Nothing here reads the endpoints controllers or the watch fan-out, so every variant that shares the
 * cluster's settings sees the same pod history (common random numbers).
 */
import type { RandomStreams } from "../../engine/random.js";
import type { Simulation } from "../../engine/simulation.js";
import { TokenBucket } from "../../engine/token-bucket.js";
import type { Cluster } from "../cluster/cluster.js";
import { Kubelets } from "../cluster/kubelet.js";
import { Pods, type PodSink } from "../cluster/pods.js";
import { Scheduler } from "../cluster/scheduler.js";
import { ApiClient } from "../controllers/api-client.js";
import { DeploymentController } from "../controllers/deployment.js";
import { EventSink } from "../controllers/event-sink.js";
import { NodeLifecycleController } from "../controllers/node-lifecycle.js";
import { ReplicaSetController } from "../controllers/replicaset.js";
import { TaintEvictionController } from "../controllers/taint-eviction.js";
import type { NetworkConfig } from "./config.js";
import { atLeast } from "./versions.js";

/** Also told when nodes go down and come back (the apiserver's watches, the DNS model). */
export interface ClusterSink extends PodSink {
  nodeUp(node: number, up: boolean): void;
}

export class ClusterDynamics {
  readonly pods: Pods;
  readonly kubelets: Kubelets;
  readonly scheduler: Scheduler;
  readonly replicaSets: ReplicaSetController;
  readonly deployments: DeploymentController;
  readonly nodeLifecycle: NodeLifecycleController;
  readonly taintEviction: TaintEvictionController;
  readonly taintEvents: EventSink;
  nodesUp: number;

  constructor(
    private readonly sim: Simulation,
    readonly cluster: Cluster,
    rng: RandomStreams,
    private readonly config: NetworkConfig,
    private readonly sink: ClusterSink,
  ) {
    const v = config.kubernetesVersion;
    const latency = config.apiserver.writeLatency;
    const kcm = config.controllerManager;
    this.nodesUp = cluster.nodes;
    this.pods = new Pods(sim, cluster, sink);
    this.kubelets = new Kubelets(sim, this.pods, config.kubelet, rng.stream("cluster/kubelets"));
    this.scheduler = new Scheduler(sim, this.pods, this.kubelets, config.scheduler);
    this.replicaSets = new ReplicaSetController(
      sim,
      this.pods,
      this.scheduler,
      this.kubelets,
      rng.stream("cluster/replicasets"),
      {
        workers: 5,
        burstReplicas: 500,
        qps: kcm.qps,
        burst: kcm.burst,
        writeLatency: latency,
        startup: config.pods.startup,
        termination: config.pods.termination,
      },
      (n) => this.pods.counted("events", n),
    );
    this.deployments = new DeploymentController(sim, cluster, this.replicaSets, { workers: 5, qps: kcm.qps, burst: kcm.burst, writeLatency: latency });
    const nl = config.nodeLifecycle;
    this.nodeLifecycle = new NodeLifecycleController(
      sim,
      this.pods,
      {
        ...nl,
        workers: atLeast(v, 27) ? 8 : 1,
        podEvents: atLeast(v, 19),
        qps: kcm.qps,
        burst: kcm.burst,
        writeLatency: latency,
      },
      rng.stream("cluster/node-lifecycle"),
      config.kubelet.leaseRenewInterval,
    );
    // from v1.29 the taint eviction controller is a controller of its own, with its own client
    const separate = atLeast(v, 29);
    const evictionClient = separate ? new ApiClient(sim, new TokenBucket(kcm.qps, kcm.burst), latency) : this.nodeLifecycle.client;
    this.taintEvents = separate ? new EventSink(evictionClient, () => this.pods.counted("events", 1)) : this.nodeLifecycle.events;
    this.taintEviction = new TaintEvictionController(sim, this.pods, this.kubelets, this.replicaSets, evictionClient, this.taintEvents, {
      tolerationSeconds: nl.tolerationSeconds,
      disruptionCondition: atLeast(v, 26),
    });
    this.nodeLifecycle.taintListener = this.taintEviction;
    this.kubelets.onNodeCaughtUp = (node) => this.caughtUp(node);
    this.heartbeats();
  }

  /** Nodes stop (their kubelets unreachable): no Lease renewals, nothing the kubelets do reaches the API. */
  nodesDown(nodes: readonly number[]): void {
    for (const n of nodes) {
      if (this.cluster.nodeUp[n] === 0) continue;
      this.cluster.nodeUp[n] = 0;
      this.nodesUp--;
      this.sink.nodeUp(n, false);
      this.nodeLifecycle.nodeReachable(n, false);
    }
  }

  /** The nodes are reachable again; each kubelet reconnects and catches up (kubelet.ts). */
  nodesBack(nodes: readonly number[]): void {
    for (const n of nodes) {
      if (this.cluster.nodeUp[n] === 1) continue;
      this.cluster.nodeUp[n] = 1;
      this.nodesUp++;
      this.sink.nodeUp(n, true);
      this.kubelets.nodeReturned(n);
    }
  }

  /** Deletes a backend pod (a user, a drain): terminating now, gone after its kubelet's shutdown and cleanup. */
  deletePod(pod: number, termination: number): void {
    if (this.pods.requestDeletion(pod)) this.kubelets.terminate(pod, termination);
  }

  /** A kubelet back after an outage: Lease and Ready status, pods written Ready again, deletions finished. */
  private caughtUp(node: number): void {
    this.pods.counted("leases", 1);
    this.pods.counted("nodes", 1);
    this.nodeLifecycle.nodeReachable(node, true);
    const reconcile = (): void => {
      if (this.cluster.nodeUp[node] === 0) return;
      this.kubelets.reconcileMarked(this.cluster.podsOn(node));
      this.pods.othersCaughtUp(node);
    };
    reconcile();
    // the status manager's next full pass picks up pods marked while the kubelet was reconnecting
    this.sim.after(this.config.kubelet.statusSyncPeriod, reconcile);
  }

  /**
   * Leases renewed every `leaseRenewInterval` by every kubelet that is up, and Node status reported every
   * `nodeStatusReportFrequency` (kubelet tryUpdateNodeStatus: on change or once the report interval has passed),
   * counted once per renewal interval.
   */
  private heartbeats(): void {
    const interval = this.config.kubelet.leaseRenewInterval;
    const statusPerTick = interval / this.config.kubelet.nodeStatusReportFrequency;
    let statusDue = 0;
    const tick = (): void => {
      this.pods.counted("leases", this.nodesUp);
      statusDue += this.nodesUp * statusPerTick;
      const whole = Math.floor(statusDue);
      statusDue -= whole;
      this.pods.counted("nodes", whole);
      if (this.sim.now + interval <= this.config.duration) this.sim.after(interval, tick);
    };
    this.sim.schedule(interval, tick);
  }
}
