/**
 * What happens to the cluster's pods over time: the workload steps of a scenario, as simulation events on the pod
 * state of `Cluster`. Every step draws from its own random stream (`workload/<index>/<action>`), and nothing here
 * depends on the control plane under test, so every variant sees the same pod history (common random numbers).
 *
 * Pod lifecycle as the control plane sees it: created not ready (an endpoint appears, not ready) -> ready after its
 * startup time -> on deletion, terminating and not ready (kubelet) -> removed after its termination time.
 * Endpoint changes notify the owning Service's controller with the pod's trigger time (its creation or Ready flip,
 * as the trigger-time tracker reads it); a removal carries no trigger.
 */
import type { RandomStream, RandomStreams } from "../../engine/random.js";
import type { Simulation } from "../../engine/simulation.js";
import type { Micros } from "../../engine/time.js";
import type { Cluster, Service } from "../cluster/cluster.js";
import type { Spread, WorkloadStep } from "./config.js";

/** What happened to a pod, for the writes it costs (the pod object's own etcd traffic). */
export type PodEvent = "created" | "ready" | "not-ready" | "terminating" | "removed" | "replaced";

export interface WorkloadHooks {
  /** A backend of `service` changed; `trigger` is the change's trigger time, NaN for a pure removal. */
  podChanged(service: number, pod: number, trigger: number, event: PodEvent): void;
  /** A Service object is created (it was absent). */
  serviceCreated(service: number): void;
  nodeUp(node: number, up: boolean): void;
}

/**
 * Matches Services by exact name, by group name, or by a glob with `*` over the Service name; several selectors may
 * be joined with commas.
 */
export function selectServices(cluster: Cluster, selector: string): Service[] {
  if (selector.includes(",")) {
    const seen = new Set<number>();
    const out: Service[] = [];
    for (const part of selector.split(",")) {
      for (const s of selectServices(cluster, part.trim())) {
        if (!seen.has(s.index)) {
          seen.add(s.index);
          out.push(s);
        }
      }
    }
    return out;
  }
  if (selector === "*") return cluster.services;
  const byGroup = cluster.services.filter((s) => s.group === selector);
  if (byGroup.length > 0) return byGroup;
  if (selector.includes("*")) {
    const re = new RegExp("^" + selector.split("*").map((p) => p.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join(".*") + "$");
    return cluster.services.filter((s) => re.test(s.name));
  }
  return cluster.services.filter((s) => s.name === selector);
}

export function draw(rng: RandomStream, spread: Spread): Micros {
  if (spread.p99 <= spread.median) return spread.median;
  return Math.round(rng.lognormalMedianP99(spread.median, spread.p99));
}

/** maxSurge / maxUnavailable as Kubernetes resolves them: percentages round up for surge, down for unavailable. */
export function resolveCount(value: number | string, replicas: number, roundUp: boolean): number {
  if (typeof value === "number") return value;
  const pct = Number(value.replace("%", "")) / 100;
  return roundUp ? Math.ceil(pct * replicas) : Math.floor(pct * replicas);
}

export class Workload {
  /** Steps' start times, in order (for per-phase metrics). */
  readonly phases: { name: string; at: Micros }[] = [];

  constructor(
    private readonly sim: Simulation,
    private readonly cluster: Cluster,
    private readonly rng: RandomStreams,
    private readonly hooks: WorkloadHooks,
  ) {}

  start(steps: WorkloadStep[]): void {
    steps.forEach((step, i) => {
      const rng = this.rng.stream(`workload/${i}/${step.action}`);
      this.phases.push({ name: step.name ?? `${i}-${step.action}`, at: step.at });
      this.sim.schedule(step.at, () => this.run(step, rng));
    });
  }

  private run(step: WorkloadStep, rng: RandomStream): void {
    switch (step.action) {
      case "endpoint-change":
        return this.endpointChange(step.services, step.count, rng);
      case "rolling-update":
        for (const svc of selectServices(this.cluster, step.services)) {
          if (step.style === "one-at-a-time") this.replaceEach(svc, step.interval);
          else new RollingUpdate(this, svc, step, rng).start();
        }
        return;
      case "scale":
        for (const svc of selectServices(this.cluster, step.services)) this.scale(svc, step.replicas ?? Math.round(svc.replicas * (step.factor ?? 1)), step.podStartup, step.termination, rng);
        return;
      case "zone-outage":
        return this.zoneOutage(step, rng);
      case "churn":
        return this.churn(step, rng);
      case "create-service":
        for (const svc of selectServices(this.cluster, step.services)) this.hooks.serviceCreated(svc.index);
        return;
      default:
        // DNS faults (dns-rollout, coredns-loss, dns-cache-oom) act on the DNS model, not on pods
        return;
    }
  }

  /** Creates a backend, not ready, that turns ready after its startup time (then calls `onReady`). */
  createPod(svc: Service, startup: Micros, onReady?: () => void): number {
    const now = this.sim.now;
    const pod = this.cluster.createPod(svc.index, now, startup <= 0);
    this.hooks.podChanged(svc.index, pod, now, "created");
    if (startup > 0) {
      if (onReady !== undefined) this.readyListeners.set(pod, onReady);
      this.sim.after(startup, (p) => this.markReady(p), pod);
    } else {
      onReady?.();
    }
    return pod;
  }

  /** Deletes a backend: terminating and not ready now, removed after `termination`. */
  deletePod(pod: number, termination: Micros): void {
    if (this.cluster.podAlive[pod] === 0 || this.cluster.podTerminating[pod] === 1) return;
    const now = this.sim.now;
    const svc = this.cluster.podService[pod];
    if (termination <= 0) {
      this.removePod(pod);
      return;
    }
    this.cluster.startTermination(pod, now);
    this.hooks.podChanged(svc, pod, now, "terminating");
    this.sim.after(termination, (p) => this.removePod(p), pod);
  }

  private markReady(pod: number): void {
    if (this.cluster.podAlive[pod] === 0 || this.cluster.podTerminating[pod] === 1) return;
    if (this.cluster.nodeUp[this.cluster.podNode[pod]] === 0) return;
    this.cluster.setReady(pod, true, this.sim.now);
    this.hooks.podChanged(this.cluster.podService[pod], pod, this.sim.now, "ready");
    const listener = this.readyListeners.get(pod);
    if (listener !== undefined) {
      this.readyListeners.delete(pod);
      listener();
    }
  }

  private removePod(pod: number): void {
    if (this.cluster.podAlive[pod] === 0) return;
    this.cluster.removePod(pod);
    this.hooks.podChanged(this.cluster.podService[pod], pod, Number.NaN, "removed");
  }

  private readonly readyListeners = new Map<number, () => void>();

  /** One pod of each selected Service replaced in place: the old endpoint goes and a new one comes, ready. */
  private endpointChange(selector: string, count: number, rng: RandomStream): void {
    const services = selectServices(this.cluster, selector);
    for (let c = 0; c < count; c++) {
      const svc = services[Math.floor(rng.uniform() * services.length)];
      if (svc.pods.length === 0) continue;
      this.replaceInPlace(svc.pods[Math.floor(rng.uniform() * svc.pods.length)]);
    }
  }

  private replaceInPlace(pod: number): void {
    const svc = this.cluster.services[this.cluster.podService[pod]];
    this.cluster.removePod(pod);
    this.hooks.podChanged(svc.index, pod, Number.NaN, "removed");
    const fresh = this.cluster.createPod(svc.index, this.sim.now, true);
    this.hooks.podChanged(svc.index, fresh, this.sim.now, "replaced");
  }

  /** KEP-752's rolling update: every pod replaced in place, one every `interval`. */
  private replaceEach(svc: Service, interval: Micros): void {
    const pods = [...svc.pods];
    pods.forEach((pod, i) => this.sim.after(i * interval, (p) => this.replaceInPlace(p), pod));
  }

  private scale(svc: Service, replicas: number, startup: Spread, termination: Spread, rng: RandomStream): void {
    const live = svc.pods.filter((p) => this.cluster.podTerminating[p] === 0);
    svc.replicas = replicas;
    if (replicas > live.length) {
      for (let i = live.length; i < replicas; i++) this.createPod(svc, draw(rng, startup));
    } else {
      // ReplicaSet scale-down picks not-ready pods first, then the newest.
      const order = [...live].sort((a, b) => this.cluster.podReady[a] - this.cluster.podReady[b] || b - a);
      for (let i = 0; i < live.length - replicas; i++) this.deletePod(order[i], draw(rng, termination));
    }
  }

  private zoneOutage(step: Extract<WorkloadStep, { action: "zone-outage" }>, rng: RandomStream): void {
    const c = this.cluster;
    const down: number[] = [];
    for (let n = 0; n < c.nodes; n++) {
      if (c.nodeZone[n] === step.zone && c.nodeUp[n] === 1) {
        c.nodeUp[n] = 0;
        down.push(n);
        this.hooks.nodeUp(n, false);
      }
    }
    const isDown = new Uint8Array(c.nodes);
    for (const n of down) isDown[n] = 1;
    const podsOnDownNodes = (): number[] => {
      const out: number[] = [];
      for (let p = 0; p < c.podCount; p++) if (c.podAlive[p] === 1 && isDown[c.podNode[p]] === 1) out.push(p);
      return out;
    };
    // The node lifecycle controller marks the node's pods NotReady after the grace period ...
    this.sim.after(step.notReadyAfter, () => {
      for (const p of podsOnDownNodes()) {
        if (c.podReady[p] === 1 && c.nodeUp[c.podNode[p]] === 0) {
          c.setReady(p, false, this.sim.now);
          this.hooks.podChanged(c.podService[p], p, this.sim.now, "not-ready");
        }
      }
    });
    // ... taint-based eviction deletes them (they stay Terminating: no kubelet confirms) and their ReplicaSets
    // create replacements on nodes that are up ...
    this.sim.after(step.evictAfter, () => {
      for (const p of podsOnDownNodes()) {
        if (c.podTerminating[p] === 1 || c.nodeUp[c.podNode[p]] === 1) continue;
        c.startTermination(p, this.sim.now);
        this.hooks.podChanged(c.podService[p], p, this.sim.now, "terminating");
        this.createPod(c.services[c.podService[p]], draw(rng, step.podStartup));
      }
    });
    // ... and when the zone returns, kubelets finish the deletions and kube-proxies relist.
    this.sim.after(step.duration, () => {
      for (const p of podsOnDownNodes()) if (c.podTerminating[p] === 1) this.removePod(p);
      for (const n of down) {
        c.nodeUp[n] = 1;
        this.hooks.nodeUp(n, true);
      }
      for (const p of podsOnDownNodes()) {
        if (c.podReady[p] === 1) continue;
        c.setReady(p, true, this.sim.now);
        this.hooks.podChanged(c.podService[p], p, this.sim.now, "ready");
      }
    });
  }

  /** Steady churn: pod replacements as a Poisson process across the selected Services. */
  private churn(step: Extract<WorkloadStep, { action: "churn" }>, rng: RandomStream): void {
    const services = selectServices(this.cluster, step.services).filter((s) => s.replicas > 0);
    if (services.length === 0 || step.rate <= 0) return;
    const weights = services.map((s) => s.replicas);
    const meanGap = 1e6 / step.rate;
    const tick = (): void => {
      const svc = rng.weighted(services, weights);
      // a uniform pod that is not already terminating (a few probes; give up on a Service that is all terminating)
      let old = -1;
      for (let probe = 0; probe < 8 && svc.pods.length > 0; probe++) {
        const p = svc.pods[Math.floor(rng.uniform() * svc.pods.length)];
        if (this.cluster.podTerminating[p] === 0) {
          old = p;
          break;
        }
      }
      if (old >= 0) {
        const startup = draw(rng, step.podStartup);
        const termination = draw(rng, step.termination);
        this.createPod(svc, startup, () => this.deletePod(old, termination));
      }
      const next = this.sim.now + Math.max(1, Math.round(rng.exponential(meanGap)));
      if (next < step.until) this.sim.schedule(next, tick);
    };
    this.sim.after(Math.max(1, Math.round(rng.exponential(meanGap))), tick);
  }
}

/** A Deployment rolling update: surge new pods, delete old ones as new ones become ready. */
class RollingUpdate {
  private readonly old: number[];
  private oldAlive: number;
  private created = 0;
  private newReady = 0;
  private readonly surge: number;
  private readonly unavailable: number;
  private readonly target: number;

  constructor(
    private readonly w: Workload,
    private readonly svc: Service,
    private readonly step: Extract<WorkloadStep, { action: "rolling-update" }>,
    private readonly rng: RandomStream,
  ) {
    this.old = [...svc.pods];
    this.oldAlive = this.old.length;
    this.target = svc.replicas;
    this.surge = resolveCount(step.maxSurge, this.target, true);
    this.unavailable = resolveCount(step.maxUnavailable, this.target, false);
    if (this.surge === 0 && this.unavailable === 0) throw new Error(`rolling update of ${svc.name}: maxSurge and maxUnavailable cannot both be 0`);
  }

  start(): void {
    this.progress();
  }

  private progress(): void {
    let moved = true;
    while (moved) {
      moved = false;
      // Scale the new ReplicaSet up within maxSurge ...
      while (this.created < this.target && this.oldAlive + this.created < this.target + this.surge) {
        this.created++;
        moved = true;
        let readyNow = true;
        this.w.createPod(this.svc, draw(this.rng, this.step.podStartup), () => {
          this.newReady++;
          if (!readyNow) this.progress();
        });
        readyNow = false;
      }
      // ... and the old one down while enough pods stay available.
      while (this.oldAlive > 0 && this.oldAlive - 1 + this.newReady >= this.target - this.unavailable) {
        const pod = this.old[this.old.length - this.oldAlive];
        this.oldAlive--;
        moved = true;
        this.w.deletePod(pod, draw(this.rng, this.step.termination));
      }
    }
  }
}
