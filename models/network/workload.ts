/**
 * What happens to the cluster over time: the workload steps of a scenario, acting through the cluster's own
 * machinery (cluster-dynamics.ts) the way users and the control plane do: a rolling update changes the Deployment's
 * template and the Deployment and ReplicaSet controllers carry it out; a scale changes spec.replicas; churn deletes
 * pods that their ReplicaSets replace; a zone outage stops the zone's kubelets and leaves the rest to the node
 * lifecycle and taint eviction controllers. Every step draws from its own random stream
 * (`workload/<index>/<action>`), and nothing here depends on the endpoints controllers under test, so every variant
 * sees the same pod history (common random numbers).
 */
import type { RandomStream, RandomStreams, Spread } from "../../engine/random.js";
import type { Simulation } from "../../engine/simulation.js";
import type { Micros } from "../../engine/time.js";
import type { Cluster, Service } from "../cluster/cluster.js";
import { selectServices } from "../cluster/service-selector.js";
import type { ClusterDynamics } from "./cluster-dynamics.js";
import type { WorkloadStep } from "./config.js";

export interface WorkloadHooks {
  /** A Service object is created (it was absent). */
  serviceCreated(service: number): void;
}

export class Workload {
  /** Steps' start times, in order (for per-phase metrics). */
  readonly phases: { name: string; at: Micros }[] = [];
  private readonly cluster: Cluster;

  constructor(
    private readonly sim: Simulation,
    private readonly dynamics: ClusterDynamics,
    private readonly rng: RandomStreams,
    private readonly hooks: WorkloadHooks,
  ) {
    this.cluster = dynamics.cluster;
  }

  start(steps: WorkloadStep[]): void {
    steps.forEach((step, i) => {
      const rng = this.rng.stream(`workload/${i}/${step.action}`);
      this.phases.push({ name: step.name ?? `${i}-${step.action}`, at: step.at });
      this.sim.schedule(step.at, () => this.run(step, rng));
    });
  }

  private run(step: WorkloadStep, rng: RandomStream): void {
    const rs = this.dynamics.replicaSets;
    switch (step.action) {
      case "endpoint-change":
        this.endpointChange(step.services, step.count, step.interval, rng);
        return;
      case "rolling-update":
        for (const svc of selectServices(this.cluster.services, step.services)) {
          rs.setTimings(svc.index, step.podStartup, step.termination);
          if (step.style === "one-at-a-time") this.replaceEach(svc, step.interval, step.termination, rng);
          else this.dynamics.deployments.rollout(svc.index, { maxSurge: step.maxSurge, maxUnavailable: step.maxUnavailable });
        }
        return;
      case "scale":
        for (const svc of selectServices(this.cluster.services, step.services)) {
          rs.setTimings(svc.index, step.podStartup, step.termination);
          this.dynamics.deployments.scale(svc.index, step.replicas ?? Math.round(svc.replicas * (step.factor ?? 1)));
        }
        return;
      case "zone-outage":
        this.zoneOutage(step);
        return;
      case "churn":
        this.churn(step, rng);
        return;
      case "create-service":
        for (const svc of selectServices(this.cluster.services, step.services)) this.hooks.serviceCreated(svc.index);
        return;
      default:
        // DNS faults (dns-rollout, coredns-loss, dns-cache-oom) act on the DNS model, not on pods
        return;
    }
  }

  /** Pods the Service's ReplicaSets count: alive and not terminating. */
  private active(svc: Service): number[] {
    const c = this.cluster;
    return svc.pods.filter((p) => c.podTerminating[p] === 0);
  }

  /**
   * KEP-752's "single endpoint update", `count` times, one every `interval`: a pod of a selected Service replaced by a
   * Ready one in the same instant (one endpoint changes; no pod lifecycle).
   */
  private endpointChange(selector: string, count: number, interval: Micros, rng: RandomStream): void {
    const services = selectServices(this.cluster.services, selector);
    const change = (): void => {
      const svc = services[Math.floor(rng.uniform() * services.length)];
      // a few probes for a running pod (every pod of an endpoint-change Service normally is)
      for (let probe = 0; probe < 8 && svc.pods.length > 0; probe++) {
        const p = svc.pods[Math.floor(rng.uniform() * svc.pods.length)];
        if (this.cluster.isEndpoint(p) && this.cluster.podTerminating[p] === 0) {
          this.dynamics.pods.replaceInPlace(p);
          return;
        }
      }
    };
    for (let c = 0; c < count; c++) {
      if (interval === 0) change();
      else this.sim.after(c * interval, change);
    }
  }

  /**
   * KEP-752's rolling update: the pods there now are deleted one every `interval`; each deletion makes the
   * ReplicaSet create a replacement at once.
   */
  private replaceEach(svc: Service, interval: Micros, termination: Spread, rng: RandomStream): void {
    for (const [i, pod] of this.active(svc).entries()) this.sim.after(i * interval, (p) => this.dynamics.deletePod(p, rng.spread(termination)), pod);
  }

  private zoneOutage(step: Extract<WorkloadStep, { action: "zone-outage" }>): void {
    const c = this.cluster;
    const nodes: number[] = [];
    for (let n = 0; n < c.nodes; n++) if (c.nodeZone[n] === step.zone && c.nodeUp[n] === 1) nodes.push(n);
    this.dynamics.nodesDown(nodes);
    this.sim.after(step.duration, () => this.dynamics.nodesBack(nodes));
  }

  /** Steady churn: pods deleted as a Poisson process across the selected Services; their ReplicaSets replace them. */
  private churn(step: Extract<WorkloadStep, { action: "churn" }>, rng: RandomStream): void {
    const services = selectServices(this.cluster.services, step.services).filter((s) => s.replicas > 0);
    if (services.length === 0 || step.rate <= 0) return;
    const weights = services.map((s) => s.replicas);
    const meanGap = 1e6 / step.rate;
    const tick = (): void => {
      const svc = rng.weighted(services, weights);
      // a uniform pod that is not already terminating (a few probes; give up on a Service that is all terminating)
      let victim = -1;
      for (let probe = 0; probe < 8 && svc.pods.length > 0; probe++) {
        const p = svc.pods[Math.floor(rng.uniform() * svc.pods.length)];
        if (this.cluster.podTerminating[p] === 0) {
          victim = p;
          break;
        }
      }
      const termination = rng.spread(step.termination);
      if (victim >= 0) {
        this.dynamics.replicaSets.setTimings(svc.index, step.podStartup, step.termination);
        this.dynamics.deletePod(victim, termination);
      }
      const next = this.sim.now + Math.max(1, Math.round(rng.exponential(meanGap)));
      if (next < step.until) this.sim.schedule(next, tick);
    };
    this.sim.after(Math.max(1, Math.round(rng.exponential(meanGap))), tick);
  }
}
