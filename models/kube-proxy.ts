/**
 * kube-proxy on every node, as a struct of arrays indexed by node: when it applies the endpoint changes it receives,
 * and the network programming latency (NPL) SLI that results.
 *
 * Sync scheduling (pkg/proxy/{iptables,ipvs,nftables}/proxier.go): syncProxyRules runs through a
 * BoundedFrequencyRunner with minSyncPeriod (default 1 s, facts scale.md §5.1) and burstSyncs = 2: a token bucket of
 * rate 1/minSyncPeriod and depth 2, measured start to start (kubernetes#138073). Runs never overlap; a change that
 * arrives while a sync runs waits for the next one. A sync is a full resync when the last full one is older than
 * proxyutil.FullSyncPeriod (hourly: kubernetes#129329, #133767), else partial.
 *
 * NPL (facts scale.md §2.2): per received EndpointSlice (or Endpoints) event carrying the
 * `endpoints.kubernetes.io/last-change-trigger-time` annotation, kube-proxy observes
 * `network_programming_duration_seconds` = end of the sync that programmed it - trigger time. All samples of all
 * nodes go into one pool.
 *
 * No event is scheduled per node: a node's sync timeline is a deterministic function of the arrival times of the
 * changes it receives, which the apiserver computes in arrival order per node. So each delivery either joins the
 * node's pending sync or opens the next one, and its NPL sample is known at once.
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
 * Sync cost per mode. Published data points (facts scale.md §5.2) and how each constant follows from them; every
 * constant is an assumption fitted to one or two points, not a measurement of ours:
 * - iptables full: iptables-restore of 695,992 lines took 12.77 s (kubernetes#96018): 18.3 µs per line; a ClusterIP
 *   Service with N endpoints is ~2 + 3N nat rules (facts §5.1) -> 36.7 µs per Service, 55 µs per endpoint.
 * - iptables partial: 3,595 Services / 138,792 endpoints took 2.84 s (kubernetes#138073) = 0.37 of the full cost
 *   of that ruleset -> the full constants scaled by 0.37.
 * - nftables partial: 1.33 s at 44,125 Services (kubernetes#139513) and 141 ms adding one Service to 10k
 *   (PR #126013): ~30 µs per Service, O(changed) otherwise.
 * - nftables full: 795 s at 5,006 Services / 250,011 endpoints (#135639) and 1,004 s at 44,125 / 44,152 (#139513)
 *   solve to 20 ms per Service + 2.78 ms per endpoint (both published as pathological; override when comparing).
 * - ipvs: no published sync-time figure; assumed O(Services) like nftables partial (40 µs/Service, 5 µs/endpoint).
 */
export const PROXY_COSTS: Record<ProxyMode, ProxyCost> = {
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

export interface KubeProxyConfig {
  mode: ProxyMode;
  minSyncPeriod: Micros;
  burstSyncs: number;
  fullSyncPeriod: Micros;
  cost: ProxyCost;
}

export function syncDuration(model: SyncCostModel, services: number, endpoints: number): Micros {
  return Math.round(model.base + model.perService * services + model.perEndpoint * endpoints);
}

export class KubeProxyFleet {
  /** Start of each node's latest sync (pending or started); -Infinity before the first. */
  readonly syncStart: Float64Array;
  readonly syncEnd: Float64Array;
  private readonly tokens: Float64Array;
  private readonly tokenTime: Float64Array;
  private readonly lastFull: Float64Array;
  /** Syncs opened by endpoint changes, and how many of them were full. */
  syncs = 0;
  fullSyncs = 0;
  samples = 0;
  private partialDuration: Micros = 0;
  private fullDuration: Micros = 0;
  private readonly minSync: Micros;
  private readonly burst: number;
  private readonly fullPeriod: Micros;

  private readonly weight: Int32Array;
  /** Per-phase NPL: samples also go to the histogram of the phase their change was made in (by trigger time). */
  phases: { starts: number[]; histograms: Histogram[] } | undefined;

  constructor(
    /** Simulated kube-proxies: one per node, or per cohort of nodes sharing a timeline (see NodeCohorts). */
    readonly nodes: number,
    private readonly config: KubeProxyConfig,
    private readonly npl: Histogram,
    /** Per node, when its last full sync ran (spread over the past period: kube-proxies did not all start together). */
    fullSyncPhase: (node: number) => Micros,
    /** Nodes each simulated kube-proxy stands for; samples and syncs count that many times. Default 1. */
    weight?: Int32Array,
  ) {
    this.weight = weight ?? new Int32Array(nodes).fill(1);
    this.minSync = config.minSyncPeriod;
    this.burst = config.burstSyncs;
    this.fullPeriod = config.fullSyncPeriod;
    this.syncStart = new Float64Array(nodes).fill(-Infinity);
    this.syncEnd = new Float64Array(nodes).fill(-Infinity);
    this.tokens = new Float64Array(nodes).fill(config.burstSyncs);
    this.tokenTime = new Float64Array(nodes);
    this.lastFull = new Float64Array(nodes);
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
   * Node `n` receives, at `arrival`, a change whose trigger time is `trigger` (or NaN when the object carries no
   * trigger annotation). Must be called in arrival order per node.
   */
  receive(n: number, arrival: Micros, trigger: number): void {
    let end: number;
    if (this.syncStart[n] >= arrival) {
      end = this.syncEnd[n];
    } else {
      const earliest = arrival > this.syncEnd[n] ? arrival : this.syncEnd[n];
      const min = this.minSync;
      let tok = this.tokens[n] + (earliest - this.tokenTime[n]) / min;
      if (tok > this.burst) tok = this.burst;
      // ceil: the token must be whole; the epsilon keeps float noise from adding a microsecond
      const start = tok >= 1 ? earliest : earliest + Math.ceil((1 - tok) * min - 1e-6);
      this.tokens[n] = (tok >= 1 ? tok : 1) - 1;
      this.tokenTime[n] = start;
      let duration = this.partialDuration;
      if (start - this.lastFull[n] >= this.fullPeriod) {
        duration = this.fullDuration;
        this.lastFull[n] = start;
        this.fullSyncs += this.weight[n];
      }
      end = start + duration;
      this.syncStart[n] = start;
      this.syncEnd[n] = end;
      this.syncs += this.weight[n];
    }
    if (trigger === trigger) {
      const w = this.weight[n];
      this.npl.record(end - trigger, w);
      const phases = this.phases;
      if (phases !== undefined) {
        let i = phases.starts.length - 1;
        while (i > 0 && phases.starts[i] > trigger) i--;
        if (trigger >= phases.starts[i]) phases.histograms[i].record(end - trigger, w);
      }
      this.samples += w;
    }
  }
}
