/**
 * Cluster DNS traffic on the simulation clock: pods' lookups expanded into queries by their resolver, routed per the
 * placement (models/dns/placements), answered by caches and CoreDNS, with conntrack on the way. Sources:
 * docs/sources.md §1–§6.
 *
 * Fluid, then traced (DESIGN.md "Modelling at 15k nodes"): every `step`, traffic is computed as rates per cohort of
 * identical nodes (normal nodes, nodes whose node-level DNS restarts in a rollout wave, blackholed nodes, nodes
 * hosting CoreDNS replicas, nodes down): query rates, cache hit ratios from each name's arrival rate and TTL, CoreDNS
 * load as a fluid queue, each cohort's conntrack table. Then a `sampleRate` fraction of lookups is traced end to end
 * through the resolver (helper models/dns/resolver.ts) against the step's state: drops, races, timeouts, retries and
 * SERVFAILs all shape the latency histogram. Nodes within a cohort are identical in the fluid model, so one table
 * stands for all of them.
 */
import { Histogram } from "../../engine/metrics.js";
import type { RandomStream } from "../../engine/random.js";
import type { Simulation } from "../../engine/simulation.js";
import type { Micros } from "../../engine/time.js";
import { ConntrackTable, conntrackMax, dnsRaceLossProbability } from "../conntrack.js";
import {
  COREDNS_RECORD_TTL_S,
  FORWARD_READ_TIMEOUT_S,
  cacheHitRatioPoisson,
  corednsCapacityQps,
  corednsServers,
  corednsStep,
  crashLoopKillTimes,
  effectiveCacheTtlS,
  forwardTcpConnections,
  type CacheConfig,
  type QueryMix,
} from "./coredns.js";
import type { ClusterShape, ComponentGroup, DnsPlacement, KubeProxyMode } from "./placement.js";
import { kubeletClusterFirst } from "./resolv-conf.js";
import { queriesForLookup, withAutopath, type ExistsFn, type LookupResult, type Rcode, type ResolverKind } from "./resolver.js";

export const NAME_CLASSES = ["sameNamespace", "otherNamespace", "clusterFqdn", "external", "headless"] as const;
export type NameClass = (typeof NAME_CLASSES)[number];

export interface DnsTrafficConfig {
  placement: DnsPlacement;
  kubeProxyMode: KubeProxyMode;
  resolver: ResolverKind;
  lookupsPerPodPerSecond: number;
  /** Fractions of lookups per name class (normalised). */
  mix: Record<NameClass, number>;
  /** Distinct names a node's pods look up per class (the cache keys). */
  namesPerNode: Record<NameClass, number>;
  /** Distinct external names across the cluster (central cache keys). */
  externalNames: number;
  hostSearchDomains: number;
  kernel: string;
  /** The cluster the placement sizes its components for (instances, cores, memory and limits come from them). */
  shape: ClusterShape;
  corednsReplicas: number;
  step: Micros;
  sampleRate: number;
  /** One-way network latencies, ms: pod to a same-node cache, across the cluster, to the upstream resolver. */
  latencyMs: { sameNode: number; cluster: number; upstream: number };
  /** TTL of external records, s. */
  externalTtlS: number;
}

/** A DNS event from the workload: a NodeLocal rollout wave, lost CoreDNS replicas, OOM-killed node caches. */
export type DnsFault =
  | { kind: "rollout"; at: Micros; maxUnavailable: number; window: Micros }
  | { kind: "coredns-loss"; at: Micros; replicas: number; duration: Micros }
  | { kind: "cache-oom"; at: Micros; nodes: number; window: Micros };

export interface ClusterView {
  nodes: number;
  zones: number;
  coresPerNode: number;
  podsPerNode: number;
  /** Nodes currently up. */
  nodesUp(): number;
}

/** The expansion of one lookup of a name class: its queries' names, answers and path. */
interface Expansion {
  name: string;
  queries: number;
  clusterQueries: number;
  externalQueries: number;
  udpFlows: number;
  racePairs: number;
  /** Per query: name, cluster or not, positive answer or not. */
  keys: { name: string; cluster: boolean; positive: boolean }[];
}

interface Cohort {
  label: string;
  nodes: number;
  table: ConntrackTable;
  /** "normal", "fallback" (node-level DNS restarting, queries go to central), "fail" (no answer on the node). */
  mode: "normal" | "fallback" | "fail";
  until: Micros;
  /** Fraction of new flows the table refused last step. */
  refused: number;
  /** Queries lost at the switch to the fallback path (in-flight at the restart), as a per-query probability. */
  lossFraction: number;
}

const DNS_IP = "10.96.0.10";

/** A representative name per class, as a pod in namespace `app` writes it (docs/sources.md §3.3). */
const LOOKUP_NAMES: Record<NameClass, string> = {
  sameNamespace: "checkout",
  otherNamespace: "payments.billing",
  clusterFqdn: "payments.billing.svc.cluster.local",
  external: "api.stripe.com",
  headless: "db-0.db",
};

/** The absolute names that exist. */
const TRUE_NAMES: Record<NameClass, string> = {
  sameNamespace: "checkout.app.svc.cluster.local.",
  otherNamespace: "payments.billing.svc.cluster.local.",
  clusterFqdn: "payments.billing.svc.cluster.local.",
  external: "api.stripe.com.",
  headless: "db-0.db.app.svc.cluster.local.",
};

export class DnsTraffic {
  readonly latency = new Histogram("dns.latency", "ms", { scale: 1000, percentiles: [50, 99, 99.9] });
  traced = 0;
  tracedFailures = 0;
  tracedRaceTimeouts = 0;
  lookups = 0;
  conntrackDrops = 0;
  corednsDropped = 0;
  peakCentralQps = 0;
  peakExternalQps = 0;
  peakConntrack = 0;
  cpuCoreSeconds = 0;
  centralQps = 0;
  /** CoreDNS containers OOM-killed (memory above the limit), over all instances. */
  oomKills = 0;
  /** The instances of each group the placement runs, from its declaration. */
  readonly groups: ComponentGroup[];
  private readonly firstGroup: ComponentGroup;
  private readonly centralGroup: ComponentGroup | undefined;
  /** Per first-tier cache block and answer kind, the fraction of an instance's keys its capacity can hold. */
  private readonly resident: { cluster: { positive: number; negative: number }; external: { positive: number; negative: number } };
  private readonly cohorts: Cohort[] = [];
  private readonly server: Cohort;
  private readonly expansions: Record<NameClass, Expansion>;
  private readonly mixTotal: number;
  private backlog = 0;
  private replicasUp: number;
  private lastDropFraction = 0;
  private lastCentralLatencyMs = 0;
  private traceCarry = 0;
  private readonly dtS: number;
  private readonly ctMax: number;
  /** What every query gets back when nothing is lost (the names that exist). */
  private readonly answer: ExistsFn;

  constructor(
    private readonly sim: Simulation,
    private readonly cluster: ClusterView,
    private readonly config: DnsTrafficConfig,
    private readonly rng: RandomStream,
  ) {
    this.dtS = config.step / 1e6;
    this.groups = config.placement.components(config.shape);
    const first = this.groups.find((g) => g.tier === config.placement.firstTier);
    if (first === undefined) throw new Error(`DNS placement "${config.placement.name}" runs no instance of its first tier ${config.placement.firstTier}`);
    this.firstGroup = first;
    this.centralGroup = this.groups.find((g) => g.tier === "central");
    // docs/sources.md §4.4: kube-proxy sets nf_conntrack_max = max(32768 x cores, 131072)
    this.ctMax = conntrackMax(cluster.coresPerNode);
    this.cohorts.push(this.newCohort("normal", cluster.nodes, "normal"));
    this.server = this.newCohort("coredns-host", 0, "normal");
    this.replicasUp = config.corednsReplicas;
    const positive = new Set(Object.values(TRUE_NAMES));
    // IPv4 cluster: Services answer A and NODATA for AAAA; the external name has both
    this.answer = (fqdn, qtype) => (positive.has(fqdn) ? (qtype === "A" || fqdn === TRUE_NAMES.external ? "NOERROR" : "NODATA") : "NXDOMAIN");
    this.expansions = this.expand();
    this.mixTotal = NAME_CLASSES.reduce((s, c) => s + config.mix[c], 0);
    this.resident = this.residentShares();
  }

  /** The busiest node's conntrack entries now (a CoreDNS host's one table holds its pods' flows and its server share). */
  get maxConntrackNow(): number {
    let max = 0;
    for (const c of this.cohorts) if (c.nodes > 0 && c.table.occupancy > max) max = c.table.occupancy;
    if (this.replicasUp > 0 && this.server.table.occupancy > max) max = this.server.table.occupancy;
    return max;
  }

  get replicas(): number {
    return this.replicasUp;
  }

  /** Queries one lookup sends on average, over the mix (no losses). */
  get queriesPerLookup(): number {
    let q = 0;
    for (const c of NAME_CLASSES) q += (this.config.mix[c] / this.mixTotal) * this.expansions[c].queries;
    return q;
  }

  start(until: Micros, faults: DnsFault[]): void {
    this.startOomKills(until);
    const tick = (): void => {
      this.step();
      if (this.sim.now + this.config.step <= until) this.sim.after(this.config.step, tick);
    };
    this.sim.schedule(0, tick);
    for (const f of faults) this.sim.schedule(f.at, () => this.fault(f));
  }

  /**
   * CoreDNS instances whose cache of the API outgrows their memory limit are OOM-killed as they start and restart
   * after kubelet's backoff, never serving: central replicas are lost to the cluster; a per-node CoreDNS leaves its
   * node without DNS.
   */
  private startOomKills(until: Micros): void {
    for (const g of this.groups) {
      if (g.memoryLimitMiB === null || g.memoryMB * 1e6 <= g.memoryLimitMiB * 1024 * 1024) continue;
      this.oomKills += g.count * crashLoopKillTimes(0, until / 1e6).length;
      if (g.tier === "central") this.replicasUp = 0;
      else if (g.tier === this.config.placement.firstTier) for (const c of this.cohorts) c.mode = "fail";
    }
  }

  private newCohort(label: string, nodes: number, mode: Cohort["mode"], copyOf?: ConntrackTable): Cohort {
    const table = copyOf !== undefined ? copyOf.clone() : new ConntrackTable({ max: this.ctMax, dtS: this.config.step / 1e6 });
    return { label, nodes, table, mode, until: Infinity, refused: 0, lossFraction: 0 };
  }

  /** Each name class's lookup, expanded by the resolver against a cluster where every name answers as it should. */
  private expand(): Record<NameClass, Expansion> {
    const conf = kubeletClusterFirstCached(this.config.hostSearchDomains);
    const exists = this.config.placement.autopath ? withAutopath(this.answer, conf) : this.answer;
    const out = {} as Record<NameClass, Expansion>;
    for (const c of NAME_CLASSES) {
      const r = queriesForLookup(LOOKUP_NAMES[c], conf, this.config.resolver, exists);
      const keys = r.queries.map((q) => ({ name: `${q.name}/${q.type}`, cluster: q.name.endsWith(".cluster.local."), positive: q.rcode === "NOERROR" }));
      out[c] = {
        name: LOOKUP_NAMES[c],
        queries: r.queries.length,
        clusterQueries: keys.filter((k) => k.cluster).length,
        externalQueries: keys.filter((k) => !k.cluster).length,
        udpFlows: r.udpFlows,
        racePairs: r.racePairs,
        keys,
      };
    }
    return out;
  }

  /**
   * How long `cache` keeps an answer: CoreDNS answers cluster names (and their denials) with TTL 5 s; external
   * records carry `externalTtlS`, and an external denial's SOA minimum is taken to be at least the cache's cap. The
   * cache clamps to its [min, max] TTL. No cache: 0.
   */
  private ttl(key: { cluster: boolean; positive: boolean }, cache: Readonly<CacheConfig> | null): number {
    if (cache === null) return 0;
    const max = key.positive ? cache.successMaxTtlS : cache.denialMaxTtlS;
    const record = key.cluster ? COREDNS_RECORD_TTL_S : key.positive ? this.config.externalTtlS : max;
    return effectiveCacheTtlS(record, max, cache.minTtlS);
  }

  /**
   * A full cache evicts at random (per shard), so of K distinct keys a cache of capacity C holds about C / K: the
   * hit ratio of a key scales by min(1, C / K). An instance's keys: each name class's names (those of every node it
   * serves: assumed the same names) times the answers one lookup of the class caches, success and denial apart.
   */
  private residentShares(): { cluster: { positive: number; negative: number }; external: { positive: number; negative: number } } {
    const keys = { cluster: { positive: 0, negative: 0 }, external: { positive: 0, negative: 0 } };
    for (const nc of NAME_CLASSES) {
      for (const k of this.expansions[nc].keys) keys[k.cluster ? "cluster" : "external"][k.positive ? "positive" : "negative"] += this.config.namesPerNode[nc];
    }
    const share = (cluster: boolean, positive: boolean): number => {
      const cache = this.firstCache(cluster);
      const n = keys[cluster ? "cluster" : "external"][positive ? "positive" : "negative"];
      if (cache === null || n === 0) return 1;
      return Math.min(1, (positive ? cache.successCapacity : cache.denialCapacity) / n);
    };
    return {
      cluster: { positive: share(true, true), negative: share(true, false) },
      external: { positive: share(false, true), negative: share(false, false) },
    };
  }

  /** Hit ratio at the first tier for a key seen at `perKey` per second: TTL renewal, scaled by what fits. */
  private firstTierHitRatio(key: { cluster: boolean; positive: boolean }, perKey: number): number {
    const r = this.resident[key.cluster ? "cluster" : "external"];
    return cacheHitRatioPoisson(perKey, this.ttl(key, this.firstCache(key.cluster))) * (key.positive ? r.positive : r.negative);
  }

  /** The first tier's cache for a name (cluster or external block). */
  private firstCache(cluster: boolean): Readonly<CacheConfig> | null {
    return cluster ? this.config.placement.firstTierCache : this.config.placement.firstTierExternalCache;
  }

  private fault(f: DnsFault): void {
    const p = this.config.placement;
    if (f.kind === "coredns-loss") {
      const lost = Math.min(this.replicasUp, f.replicas);
      this.replicasUp -= lost;
      this.sim.after(f.duration, () => (this.replicasUp += lost));
      return;
    }
    if (p.rolloutMaxUnavailable === null && f.kind === "rollout") return;
    if (f.kind === "cache-oom" && p.firstTier === "central") return;
    const mode = this.config.kubeProxyMode;
    const behaviour = p.onNodeRestart(mode, f.kind === "cache-oom" ? "oom" : "graceful");
    if (behaviour.outcome === "not-applicable") return;
    const outcome: Cohort["mode"] = behaviour.outcome === "fail" ? "fail" : "fallback";
    const normal = this.cohorts[0];
    if (f.kind === "cache-oom") {
      this.split(Math.min(normal.nodes, f.nodes), outcome, f.window, "oom", behaviour.lossFraction);
      return;
    }
    // a DaemonSet rollout: waves of maxUnavailable x nodes, each down for the restart window
    const perWave = Math.max(1, Math.floor(f.maxUnavailable * this.cluster.nodes));
    let remaining = this.cluster.nodes;
    let wave = 0;
    const next = (): void => {
      if (remaining <= 0) return;
      const n = Math.min(perWave, remaining, this.cohorts[0].nodes);
      remaining -= n;
      this.split(n, outcome, f.window, `rollout-${wave++}`, behaviour.lossFraction);
      this.sim.after(f.window, next);
    };
    next();
  }

  /** Moves n normal nodes into a cohort in `mode` for `window`, then back. */
  private split(n: number, mode: Cohort["mode"], window: Micros, label: string, lossFraction: number): void {
    if (n <= 0) return;
    const normal = this.cohorts[0];
    normal.nodes -= n;
    const c = this.newCohort(label, n, mode, normal.table);
    c.until = this.sim.now + window;
    c.lossFraction = mode === "fallback" ? lossFraction : 0;
    this.cohorts.push(c);
  }

  private step(): void {
    const cfg = this.config;
    const p = cfg.placement;
    const dt = this.dtS;
    const now = this.sim.now;
    for (const c of this.cohorts) {
      if (c.mode !== "normal" && now >= c.until) c.mode = "normal"; // restarted: serves again (its table lives on)
    }
    const upFraction = this.cluster.nodesUp() / this.cluster.nodes;
    const lookupsPerNode = this.cluster.podsPerNode * cfg.lookupsPerPodPerSecond * upFraction;

    // ---- fluid pass: rates per cohort ----
    let toCentral = 0; // queries/s reaching central CoreDNS
    let external = 0; // queries/s leaving the cluster straight from a node or zone cache
    let externalViaCentral = 0; // external-name queries/s reaching central CoreDNS (forwarded after its cache)
    let serverUdpFlows = 0; // DNAT'ed UDP flows landing on CoreDNS hosts
    let localQps = 0;
    let hostOwn = { udp: 0, tcpOpened: 0, tcpClosed: 0 }; // a normal node's own flows, also on a CoreDNS host
    for (const c of this.cohorts) {
      if (c.nodes === 0) continue;
      let udp = 0;
      let tcpOpened = 0;
      let tcpClosed = 0;
      let central = 0;
      let ext = 0;
      let extCentral = 0;
      for (const nc of NAME_CLASSES) {
        const lambda = (lookupsPerNode * cfg.mix[nc]) / this.mixTotal;
        const e = this.expansions[nc];
        if (c.mode === "fail") continue;
        const direct = p.firstTier === "central" || c.mode === "fallback";
        if (direct) {
          // pod -> kube-dns ClusterIP -> a CoreDNS pod: DNAT, conntracked on both ends (docs/sources.md §4.3)
          udp += lambda * e.udpFlows;
          central += lambda * e.queries;
          // with autopath the client asks only under its namespace; CoreDNS walks the search list itself and, for an
          // external name, forwards the absolute name (one query per qtype, docs/sources.md §3.4)
          extCentral += lambda * (p.autopath && nc === "external" ? 2 : e.externalQueries);
        } else {
          // a caching first tier (node cache, zonal cache, or a full CoreDNS on the node)
          localQps += lambda * e.queries * c.nodes;
          if (p.clientLink.conntracked) udp += lambda * e.udpFlows;
          // an instance serving several nodes (a zonal cache) sees the names of all of them (assumption: they look
          // up the same names)
          const rateScale = this.cluster.nodes / Math.max(1, this.firstGroup.count);
          for (const k of e.keys) {
            const perKey = (lambda * rateScale) / cfg.namesPerNode[nc];
            const missRate = lambda * (1 - this.firstTierHitRatio(k, perKey));
            if (k.cluster) {
              if (p.clusterUpstream !== null) central += missRate;
            } else if (p.externalBypassesCentral) {
              ext += missRate;
            } else {
              central += missRate;
              extCentral += missRate;
            }
          }
        }
      }
      const upstream = p.clusterUpstream;
      if (upstream?.conntracked && c.mode === "normal" && p.firstTier !== "central") {
        if (upstream.transport === "tcp-reuse") {
          // pooled TCP to CoreDNS (force_tcp, 10 s idle expiry): few connections, a TIME_WAIT entry on each close
          const conn = forwardTcpConnections(central, this.lastCentralLatencyMs / 1000 + (2 * cfg.latencyMs.cluster) / 1000);
          tcpOpened = conn.closesPerS * dt;
          tcpClosed = conn.closesPerS * dt;
        } else if (upstream.transport === "udp") {
          udp += central; // a fresh socket per forwarded query: one flow each
        } // "udp-reuse": a few pooled sockets, no entry per query
      }
      if (c === this.cohorts[0]) hostOwn = { udp, tcpOpened, tcpClosed };
      const step = c.table.step({ udpReplied: udp * dt, tcpOpened, tcpClosed });
      c.refused = 1 - step.acceptedFraction;
      this.conntrackDrops += step.dropped * c.nodes;
      if (c.table.occupancy > this.peakConntrack) this.peakConntrack = c.table.occupancy;
      toCentral += central * c.nodes;
      external += ext * c.nodes;
      externalViaCentral += extCentral * c.nodes;
      if (p.firstTier === "central" || c.mode === "fallback") serverUdpFlows += udp * c.nodes;
    }
    if (externalViaCentral > 0) {
      // central CoreDNS forwards external names upstream after its own cache (docs/sources.md §1.2: cache 30);
      // kube-proxy spreads queries over the replicas, so each replica's cache sees its share of each name
      const perName = externalViaCentral / Math.max(1, this.replicasUp) / cfg.externalNames;
      external += externalViaCentral * (1 - cacheHitRatioPoisson(perName, this.ttl({ cluster: false, positive: true }, p.centralCache ?? p.firstTierCache)));
    }

    // ---- CoreDNS: central replicas as one pooled fluid queue; their nodes' conntrack ----
    const mix: QueryMix = p.autopath ? { autopathInternal: 1 } : { internal: 1 };
    const cores = this.centralGroup?.cores ?? 1;
    const perReplica = corednsCapacityQps(cores, mix);
    const up = this.replicasUp;
    if (up > 0 && this.server.nodes !== up) this.server.nodes = up;
    let latencyMs = 0;
    let dropFraction = 0;
    if (up === 0) {
      dropFraction = toCentral > 0 ? 1 : 0;
      this.corednsDropped += toCentral * dt;
    } else {
      const r = corednsStep({ offered: toCentral * dt, backlog: this.backlog, capacityQps: perReplica * up, dtS: dt, servers: corednsServers(cores) * up });
      this.backlog = r.backlog;
      this.corednsDropped += r.dropped;
      dropFraction = toCentral > 0 ? r.dropped / (toCentral * dt) : 0;
      latencyMs = r.latencyMs;
      // one table per node (nf_conntrack_max): a host's holds its own pods' flows and its share as a server
      const hostTable = this.server.table.step({
        udpReplied: (serverUdpFlows / up + hostOwn.udp) * dt,
        tcpOpened: hostOwn.tcpOpened,
        tcpClosed: hostOwn.tcpClosed,
      });
      this.server.refused = 1 - hostTable.acceptedFraction;
      this.conntrackDrops += hostTable.dropped * up;
      if (this.server.table.occupancy > this.peakConntrack) this.peakConntrack = this.server.table.occupancy;
      this.cpuCoreSeconds += r.served / (this.centralGroup?.qpsPerCore ?? 1);
    }
    this.cpuCoreSeconds += (localQps * dt) / this.firstGroup.qpsPerCore;
    this.lastDropFraction = dropFraction;
    this.lastCentralLatencyMs = latencyMs;
    this.centralQps = toCentral;
    if (toCentral > this.peakCentralQps) this.peakCentralQps = toCentral;
    if (external > this.peakExternalQps) this.peakExternalQps = external;
    let lookupsNow = 0;
    for (const c of this.cohorts) lookupsNow += lookupsPerNode * c.nodes * dt;
    this.lookups += lookupsNow;

    // ---- traced lookups ----
    this.traceCarry += lookupsNow * cfg.sampleRate;
    while (this.traceCarry >= 1) {
      this.traceCarry -= 1;
      this.trace(lookupsPerNode);
    }
  }

  /** One lookup, end to end, against this step's state. */
  private trace(lookupsPerNode: number): void {
    const cfg = this.config;
    const p = cfg.placement;
    const rng = this.rng;
    // a node (cohorts weighted by their nodes) and a name class
    let total = 0;
    for (const c of this.cohorts) total += c.nodes;
    let x = rng.uniform() * total;
    let cohort = this.cohorts[0];
    for (const c of this.cohorts) {
      x -= c.nodes;
      if (x < 0) {
        cohort = c;
        break;
      }
    }
    const nc = rng.weighted(
      NAME_CLASSES as readonly NameClass[],
      NAME_CLASSES.map((c) => cfg.mix[c]),
    );
    const e = this.expansions[nc];
    const direct = p.firstTier === "central" || cohort.mode === "fallback";
    const dnat = direct || p.clientLink.dnat;
    const pRace =
      dnat && (direct || p.clientLink.raceExposed)
        ? dnsRaceLossProbability({ kernel: cfg.kernel, dnsBackends: direct ? Math.max(1, this.replicasUp) : p.clientLink.dnatBackends === "one" ? 1 : 2 })
        : 0;
    const pConntrack = direct || p.clientLink.conntracked ? Math.min(1, cohort.refused + (direct ? this.server.refused : 0)) : 0;
    const lat = cfg.latencyMs;
    const centralMs = 2 * lat.cluster + this.lastCentralLatencyMs;
    let raceHit = false;
    const latencyOf = new Map<string, number>();
    const oracle: ExistsFn = (fqdn, qtype, ctx) => {
      const key = { name: `${fqdn}/${qtype}`, cluster: fqdn.endsWith(".cluster.local."), positive: false };
      const answer: Rcode = this.answer(fqdn, qtype, ctx);
      if (cohort.mode === "fail") return "TIMEOUT";
      if (ctx.send === 0 && qtype === "AAAA" && pRace > 0 && rng.uniform() < pRace) {
        raceHit = true;
        return "TIMEOUT";
      }
      if (pConntrack > 0 && rng.uniform() < pConntrack) return "TIMEOUT";
      if (cohort.mode === "fallback" && rng.uniform() < cohort.lossFraction) return "TIMEOUT";
      let ms: number;
      if (direct) {
        if (rng.uniform() < this.lastDropFraction) return "TIMEOUT";
        ms = centralMs + (key.cluster ? 0 : this.upstreamMs());
      } else {
        const perKey = (lookupsPerNode * (this.cluster.nodes / Math.max(1, this.firstGroup.count)) * (cfg.mix[nc] / this.mixTotal)) / cfg.namesPerNode[nc];
        const hit = rng.uniform() < this.firstTierHitRatio({ cluster: key.cluster, positive: answer === "NOERROR" }, perKey);
        ms = 2 * lat.sameNode;
        if (!hit) {
          if (key.cluster && p.clusterUpstream !== null) {
            if (this.replicasUp === 0 || rng.uniform() < this.lastDropFraction) {
              // the cache's forward gives up after its read timeout and answers SERVFAIL (docs/sources.md §1.2)
              latencyOf.set(`${fqdn}/${qtype}`, FORWARD_READ_TIMEOUT_S * 1000);
              return "SERVFAIL";
            }
            ms += centralMs;
          } else if (!key.cluster) {
            ms += this.upstreamMs();
          }
        }
      }
      latencyOf.set(`${fqdn}/${qtype}`, ms);
      return answer;
    };
    const conf = kubeletClusterFirstCached(cfg.hostSearchDomains);
    const result: LookupResult = queriesForLookup(e.name, conf, cfg.resolver, p.autopath && direct ? withAutopath(oracle, conf) : oracle);
    // latency: each candidate's round trips at its slowest answer, plus the resolver's timeout waits
    let ms = result.waitS * 1000;
    for (const c of result.candidates) {
      let slowest = 0;
      for (let i = c.firstQuery; i < c.firstQuery + c.queryCount; i++) {
        const q = result.queries[i];
        const v = latencyOf.get(`${q.name}/${q.type}`) ?? 0;
        if (v > slowest) slowest = v;
      }
      ms += c.rtts * slowest;
    }
    this.latency.record(ms * 1000); // µs: the histogram reports ms
    this.traced++;
    if (!result.outcome.ok) this.tracedFailures++;
    if (raceHit) this.tracedRaceTimeouts++;
  }

  private upstreamMs(): number {
    // the node's or VPC resolver: a round trip out of the cluster and its answer (an assumption, not measured)
    return 2 * this.config.latencyMs.upstream;
  }
}

const confCache = new Map<number, ReturnType<typeof kubeletClusterFirst>>();
function kubeletClusterFirstCached(hostDomains: number): ReturnType<typeof kubeletClusterFirst> {
  let c = confCache.get(hostDomains);
  if (c === undefined) {
    c = kubeletClusterFirst(
      "app",
      "cluster.local",
      Array.from({ length: hostDomains }, (_, i) => `h${i}.example.internal`),
      DNS_IP,
    );
    confCache.set(hostDomains, c);
  }
  return c;
}
