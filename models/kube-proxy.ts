/**
 * kube-proxy on every node, as a struct of arrays indexed by node: when it applies the endpoint changes it receives,
 * and the network programming latency (NPL) SLI that results.
 *
 * Sync scheduling: syncProxyRules runs through a BoundedFrequencyRunner with minInterval = minSyncPeriod (default
 * 1 s). Runs never overlap; changes that arrive before the pending sync starts are merged into it.
 * - "v1.34" (pkg/proxy/runner/bounded_frequency_runner.go, PR #131615, since v1.34): at least minSyncPeriod from the
 *   *end* of one sync to the start of the next, no burst: a change at t starts a sync at max(t, end + minSyncPeriod).
 *   A sync longer than minSyncPeriod does not shorten the cooldown (its timer is reset after the sync returns;
 *   kubernetes#138073 reports start-to-start spacing, which is the older runner's behaviour; #138091 only touched
 *   comments and was closed).
 * - "v1.33" (pkg/util/async/bounded_frequency_runner.go, before v1.34): a token bucket of rate 1/minSyncPeriod and
 *   depth burstSyncs (2), a token taken when a sync starts, so start to start with bursts of two.
 * A sync is a full resync when the last full one is older than proxyutil.FullSyncPeriod (hourly: kubernetes#129329,
 * #133767), else partial.
 *
 * NPL: kube-proxy keeps, per Service, the `endpoints.kubernetes.io/last-change-trigger-time` of every changed slice it
 * received (pkg/proxy/endpointschangetracker.go, EndpointSliceUpdate), checks them out when a sync starts, and after
 * the sync observes `network_programming_duration_seconds` = end of sync - trigger time, once per stored time. A
 * slice deletion drops every pending trigger time of its Service. All samples of all nodes go into one pool (the
 * pooled quantiles) and into ClusterLoader2's windowed SLI (./npl-sli.ts).
 *
 * No event is scheduled per node: a node's sync timeline is a deterministic function of the arrival times of the
 * changes it receives, which the apiserver computes in arrival order per node. So each delivery either joins the
 * node's pending sync or opens the next one; the samples of a sync are final once the next one opens.
 */
import type { Histogram } from "../engine/metrics.js";
import type { Micros } from "../engine/time.js";

export type ProxyMode = "iptables" | "ipvs" | "nftables";

export interface SyncCostModel {
  /** µs per sync regardless of size. */
  base: Micros;
  /** µs per (non-headless) Service port programmed. */
  perService: number;
  /** µs per endpoint programmed. */
  perEndpoint: number;
}

export interface ProxyCost {
  partial: SyncCostModel;
  full: SyncCostModel;
}

/**
 * Sync cost per mode fitted to published data points: a cross-check for the measured profiles (`bench calibrate
 * kube-proxy`, which runs use) and the IPVS figure, which nothing measures. Every constant rests on one or two points:
 * - iptables full: iptables-restore of 695,992 lines took 12.77 s (kubernetes#96018): 18.3 µs per line; a ClusterIP
 *   Service with N endpoints is ~2 + 3N nat rules -> 36.7 µs per Service, 55 µs per endpoint.
 * - iptables partial: 3,595 Services / 138,792 endpoints took 2.84 s (kubernetes#138073) = 0.37 of the full cost
 *   of that ruleset -> the full constants scaled by 0.37.
 * - nftables partial: 1.33 s at 44,125 Services (kubernetes#139513) and 141 ms adding one Service to 10k
 *   (PR #126013): ~30 µs per Service, O(changed) otherwise.
 * - nftables full: 795 s at 5,006 Services / 250,011 endpoints (#135639) and 1,004 s at 44,125 / 44,152 (#139513)
 *   solve to 20 ms per Service + 2.78 ms per endpoint (both published as pathological).
 * - ipvs: no published sync-time figure; assumed O(Services) like nftables partial (40 µs/Service, 5 µs/endpoint).
 */
export const PUBLISHED_PROXY_COSTS: Record<ProxyMode, ProxyCost> = {
  iptables: {
    full: { base: 50_000, perService: 36.7, perEndpoint: 55 },
    partial: { base: 20_000, perService: 13.6, perEndpoint: 20.3 },
  },
  nftables: {
    full: { base: 50_000, perService: 20_000, perEndpoint: 2_780 },
    partial: { base: 1_000, perService: 30, perEndpoint: 0 },
  },
  ipvs: {
    full: { base: 20_000, perService: 40, perEndpoint: 5 },
    partial: { base: 20_000, perService: 40, perEndpoint: 5 },
  },
};

/** Which BoundedFrequencyRunner schedules syncs: the one since v1.34, or the token bucket before it. */
export type SyncRunnerKind = "v1.34" | "v1.33";

export interface KubeProxyConfig {
  mode: ProxyMode;
  runner: SyncRunnerKind;
  minSyncPeriod: Micros;
  /** The v1.33 runner's bucket depth (kube-proxy passed 2); the v1.34 runner has no burst. */
  burstSyncs: number;
  fullSyncPeriod: Micros;
  cost: ProxyCost;
}

export function syncDuration(model: SyncCostModel, services: number, endpoints: number): Micros {
  return Math.round(model.base + model.perService * services + model.perEndpoint * endpoints);
}

/** Where NPL samples go once their sync is known. */
export interface NplSinks {
  pooled: Histogram;
  /** ClusterLoader2's windowed SLI: the sample and when kube-proxy observed it (its sync's end). */
  windowed?: { record(at: Micros, latencySeconds: number, weight: number): void };
}

export class KubeProxyFleet {
  /** Start of each node's latest sync (pending or started); -Infinity before the first. */
  readonly syncStart: Float64Array;
  readonly syncEnd: Float64Array;
  private readonly tokens: Float64Array;
  private readonly tokenTime: Float64Array;
  private readonly lastFull: Float64Array;
  /** Per node, the trigger times its latest sync will program, as (service, trigger) pairs; flushed when it is final. */
  private readonly pending: number[][];
  /** Syncs opened by endpoint changes, and how many of them were full. */
  syncs = 0;
  fullSyncs = 0;
  samples = 0;
  /** Trigger times dropped because a slice of their Service was deleted before the sync that would program them. */
  droppedTriggers = 0;
  private partialDuration: Micros = 0;
  private fullDuration: Micros = 0;
  private readonly minSync: Micros;
  private readonly burst: number;
  private readonly fullPeriod: Micros;
  private readonly tokenBucket: boolean;
  private readonly npl: Histogram;
  private readonly windowed: NplSinks["windowed"];

  private readonly weight: Int32Array;
  /** Per-phase NPL: samples also go to the histogram of the phase their change was made in (by trigger time). */
  phases: { starts: number[]; histograms: Histogram[] } | undefined;

  constructor(
    /** Simulated kube-proxies: one per node, or per cohort of nodes sharing a timeline (see NodeCohorts). */
    readonly nodes: number,
    private readonly config: KubeProxyConfig,
    sinks: NplSinks,
    /** Per node, when its last full sync ran (spread over the past period: kube-proxies did not all start together). */
    fullSyncPhase: (node: number) => Micros,
    /** Nodes each simulated kube-proxy stands for; samples and syncs count that many times. Default 1. */
    weight?: Int32Array,
  ) {
    this.weight = weight ?? new Int32Array(nodes).fill(1);
    this.npl = sinks.pooled;
    this.windowed = sinks.windowed;
    this.minSync = config.minSyncPeriod;
    this.burst = config.burstSyncs;
    this.tokenBucket = config.runner === "v1.33";
    this.fullPeriod = config.fullSyncPeriod;
    this.syncStart = new Float64Array(nodes).fill(-Infinity);
    this.syncEnd = new Float64Array(nodes).fill(-Infinity);
    this.tokens = new Float64Array(nodes).fill(config.burstSyncs);
    this.tokenTime = new Float64Array(nodes);
    this.lastFull = new Float64Array(nodes);
    this.pending = Array.from({ length: nodes }, () => []);
    for (let n = 0; n < nodes; n++) this.lastFull[n] = fullSyncPhase(n);
  }

  /** Sets the sizes syncs are priced at: the ruleset every node programs. */
  setRuleset(services: number, endpoints: number): void {
    this.partialDuration = syncDuration(this.config.cost.partial, services, endpoints);
    this.fullDuration = syncDuration(this.config.cost.full, services, endpoints);
  }

  get partialSyncDuration(): Micros {
    return this.partialDuration;
  }

  /**
   * Node `n` receives, at `arrival`, a change to an object of Service `service` whose trigger time is `trigger` (NaN
   * when the object carries no trigger annotation); `deleted` when the object was deleted. Must be called in arrival
   * order per node.
   */
  receive(n: number, arrival: Micros, trigger: number, service: number, deleted: boolean): void {
    if (!(this.syncStart[n] >= arrival)) this.openSync(n, arrival);
    const pending = this.pending[n];
    if (deleted) {
      // endpointschangetracker.go: removeSlice -> delete(lastChangeTriggerTimes, service)
      let kept = 0;
      for (let i = 0; i < pending.length; i += 2) {
        if (pending[i] === service) {
          this.droppedTriggers += this.weight[n];
          continue;
        }
        pending[kept++] = pending[i];
        pending[kept++] = pending[i + 1];
      }
      pending.length = kept;
    } else if (!Number.isNaN(trigger)) {
      pending.push(service, trigger);
    }
  }

  /** Records the samples still pending (call once, when the run ends). */
  finish(): void {
    for (let n = 0; n < this.nodes; n++) this.flush(n);
  }

  /** Opens node n's next sync for a change arriving at `arrival`; the previous sync's samples are final. */
  private openSync(n: number, arrival: Micros): void {
    this.flush(n);
    const min = this.minSync;
    let start: number;
    if (this.tokenBucket) {
      const earliest = arrival > this.syncEnd[n] ? arrival : this.syncEnd[n];
      let tok = this.tokens[n] + (earliest - this.tokenTime[n]) / min;
      if (tok > this.burst) tok = this.burst;
      // ceil: the token must be whole; the epsilon keeps float noise from adding a microsecond
      start = tok >= 1 ? earliest : earliest + Math.ceil((1 - tok) * min - 1e-6);
      this.tokens[n] = (tok >= 1 ? tok : 1) - 1;
      this.tokenTime[n] = start;
    } else {
      const cooled = this.syncEnd[n] + min;
      start = arrival > cooled ? arrival : cooled;
    }
    let duration = this.partialDuration;
    if (start - this.lastFull[n] >= this.fullPeriod) {
      duration = this.fullDuration;
      this.lastFull[n] = start;
      this.fullSyncs += this.weight[n];
    }
    this.syncStart[n] = start;
    this.syncEnd[n] = start + duration;
    this.syncs += this.weight[n];
  }

  private flush(n: number): void {
    const pending = this.pending[n];
    if (pending.length === 0) return;
    const end = this.syncEnd[n];
    const w = this.weight[n];
    const phases = this.phases;
    for (let i = 1; i < pending.length; i += 2) {
      const trigger = pending[i];
      const latency = end - trigger;
      this.npl.record(latency, w);
      this.windowed?.record(end, latency / 1e6, w);
      if (phases !== undefined) {
        let p = phases.starts.length - 1;
        while (p > 0 && phases.starts[p] > trigger) p--;
        if (trigger >= phases.starts[p]) phases.histograms[p].record(latency, w);
      }
      this.samples += w;
    }
    pending.length = 0;
  }
}
