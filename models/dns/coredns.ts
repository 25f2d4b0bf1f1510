/**
 * One CoreDNS replica: capacity, queueing latency, a per-time-step queue, memory, and its caches.
 *
 * Calibration (docs/sources.md §2.2, coredns/deployment kubernetes/Scaling_CoreDNS.md, GCE n1-standard-2 = 2 vCPU,
 * CPU-bound at ~1900m):
 *   internal                   33,669 QPS at 2.608 ms
 *   external, no autopath       6,733 client QPS at 12.02 ms = 5 server queries each → 33,667 QPS at 2.404 ms
 *   external, autopath         31,428 QPS at 2.605 ms; internal with autopath 33,918 QPS at 2.62 ms
 *
 * Capacity: every server-side query costs 1/16,834.5 vCPU-seconds (33,669 / 2) times a per-class weight fitted to
 * the table above (internal 1; external, i.e. search-path NXDOMAINs plus forwarded/cached, 33,669/33,667; autopath
 * external 33,669/31,428; autopath internal 33,669/33,918). Capacity scales linearly with cores up to a
 * single-socket ceiling (docs/sources.md §2.3, coredns/coredns#5595: ~90–100k QPS at 2 cores, no gain beyond).
 *
 * Latency: M/M/c with c = max(1, round(cores)) servers of rate capacity/c. The published figures are closed-loop
 * load tests driven to saturation, so "latency at capacity" is finite; we reproduce it by capping utilisation at
 * {@link COREDNS_UTILISATION_CAP}, solved so that the M/M/2 response time at the cap equals the published
 * 2.608 ms. Load above capacity is not hidden by the cap: {@link corednsStep} carries it as a backlog whose drain
 * time adds to latency (Little's law) and drops what would wait longer than {@link COREDNS_MAX_QUEUE_DELAY_S}.
 * Latencies are server-side: add the network round trip.
 */

// ---------------------------------------------------------------------------------------------------------------
// Published reference figures (coredns/deployment kubernetes/Scaling_CoreDNS.md; docs/sources.md §2.2)

/** GCE n1-standard-2. docs/sources.md §2.2 */
export const COREDNS_REFERENCE_VCPUS = 2;
/** docs/sources.md §2.2 */
export const COREDNS_REF_INTERNAL_QPS = 33_669;
export const COREDNS_REF_INTERNAL_LATENCY_MS = 2.608;
/**
 * docs/sources.md §2.2: external names without autopath; one client query = 5 backend queries (3 cluster + 1 host
 * domain + absolute).
 */
export const COREDNS_REF_EXTERNAL_CLIENT_QPS = 6_733;
export const COREDNS_REF_EXTERNAL_CLIENT_LATENCY_MS = 12.02;
export const COREDNS_REF_EXTERNAL_SERVER_QPS = 33_667;
export const COREDNS_REF_EXTERNAL_SERVER_LATENCY_MS = 2.404;
export const COREDNS_REF_EXTERNAL_BACKEND_QUERIES = 5;
/** docs/sources.md §2.2: with autopath. */
export const COREDNS_REF_AUTOPATH_EXTERNAL_QPS = 31_428;
export const COREDNS_REF_AUTOPATH_EXTERNAL_LATENCY_MS = 2.605;
export const COREDNS_REF_AUTOPATH_INTERNAL_QPS = 33_918;
export const COREDNS_REF_AUTOPATH_INTERNAL_LATENCY_MS = 2.62;

/** Server-side internal-name queries per second per vCPU: 33,669 / 2 ≈ 17k (derived; docs/sources.md §2.2). */
export const COREDNS_QPS_PER_VCPU = COREDNS_REF_INTERNAL_QPS / COREDNS_REFERENCE_VCPUS;

/** Query classes, as seen by the server (one entry per server-side query). */
export type QueryClass = "internal" | "external" | "autopathExternal" | "autopathInternal";

/** Relative CPU cost per server-side query, fitted to the reference table (docs/sources.md §2.2). */
export const COREDNS_QUERY_COST: Readonly<Record<QueryClass, number>> = {
  internal: 1,
  external: COREDNS_REF_INTERNAL_QPS / COREDNS_REF_EXTERNAL_SERVER_QPS,
  autopathExternal: COREDNS_REF_INTERNAL_QPS / COREDNS_REF_AUTOPATH_EXTERNAL_QPS,
  autopathInternal: COREDNS_REF_INTERNAL_QPS / COREDNS_REF_AUTOPATH_INTERNAL_QPS,
};

/**
 * Fractions (any scale; normalised) of server-side queries per class. `internal`: answered by the kubernetes plugin
 * (cluster names, positive or negative). `external`: forwarded upstream or answered from cache, including the
 * search-path NXDOMAINs of external names. `autopath*`: client queries resolved by server-side search.
 */
export type QueryMix = Partial<Record<QueryClass, number>>;

/**
 * docs/sources.md §2.3 (coredns/coredns#5595): ~90–100k QPS on 2 cores and no gain beyond with one UDP socket; we take
 * the midpoint as a QPS ceiling (the socket reader, not the plugin chain, is the bottleneck).
 */
export const COREDNS_SINGLE_SOCKET_CEILING_QPS = 95_000;

/** Weighted mean cost of one server-side query of this mix (1 = internal). */
export function corednsQueryCost(mix: QueryMix): number {
  let total = 0;
  let weighted = 0;
  for (const k of Object.keys(COREDNS_QUERY_COST) as QueryClass[]) {
    const f = mix[k] ?? 0;
    if (!(f >= 0)) throw new Error(`corednsQueryCost: mix.${k} must be ≥ 0 (got ${f})`);
    total += f;
    weighted += f * COREDNS_QUERY_COST[k];
  }
  if (total === 0) return 1;
  return weighted / total;
}

export interface CapacityOptions {
  /**
   * CoreDNS ≥ 1.12 `multisocket` plugin (docs/sources.md §2.3): removes the single-socket ceiling. No published
   * throughput (unconfirmed); we then assume linear scaling with cores.
   */
  multisocket?: boolean;
}

/**
 * Server-side queries per second one replica serves on `cpuCores` (fractional allowed, e.g. a CPU limit) for a
 * query mix. Calibrated so that 2 cores give 33,669 internal, 33,667 external and 31,428 autopath-external QPS.
 */
export function corednsCapacityQps(cpuCores: number, queryMix: QueryMix = { internal: 1 }, opts: CapacityOptions = {}): number {
  if (!(cpuCores > 0)) throw new Error(`corednsCapacityQps: cpuCores must be > 0 (got ${cpuCores})`);
  const linear = (COREDNS_QPS_PER_VCPU * cpuCores) / corednsQueryCost(queryMix);
  return opts.multisocket ? linear : Math.min(linear, COREDNS_SINGLE_SOCKET_CEILING_QPS);
}

/** Client lookups per second a replica sustains when each client lookup costs `serverQueriesPerClient` server queries. */
export function corednsClientCapacityQps(
  cpuCores: number,
  serverQueriesPerClient: number,
  queryMix: QueryMix = { internal: 1 },
  opts: CapacityOptions = {},
): number {
  return corednsCapacityQps(cpuCores, queryMix, opts) / serverQueriesPerClient;
}

// ---------------------------------------------------------------------------------------------------------------
// Queueing latency

/** Erlang C: probability an arrival waits in M/M/c with offered load `a` = λ/μ Erlangs (needs a < c). */
export function erlangC(c: number, a: number): number {
  if (a <= 0) return 0;
  if (a >= c) return 1;
  let b = 1; // Erlang B by recursion, stable for large c
  for (let k = 1; k <= c; k++) b = (a * b) / (k + a * b);
  return (c * b) / (c - a * (1 - b));
}

/** Mean response time (service + wait), seconds, of M/M/c with arrival rate λ, per-server rate μ. λ < cμ. */
export function mmcResponseTimeS(lambda: number, mu: number, c: number): number {
  const a = lambda / mu;
  if (a >= c) return Infinity;
  return 1 / mu + erlangC(c, a) / (c * mu - lambda);
}

/** M/M/c servers for a replica with this many cores. */
export function corednsServers(cpuCores: number): number {
  return Math.max(1, Math.round(cpuCores));
}

function calibrateUtilisationCap(): number {
  const cap = COREDNS_REF_INTERNAL_QPS;
  const c = corednsServers(COREDNS_REFERENCE_VCPUS);
  const target = COREDNS_REF_INTERNAL_LATENCY_MS / 1000;
  let lo = 0;
  let hi = 1;
  for (let i = 0; i < 200; i++) {
    const mid = (lo + hi) / 2;
    if (mmcResponseTimeS(mid * cap, cap / c, c) < target) lo = mid;
    else hi = mid;
  }
  return lo;
}

/**
 * Utilisation at which the M/M/2 response time of the 2-vCPU reference equals the published 2.608 ms at saturation
 * (docs/sources.md §2.2); ≈ 0.9885. Derived, not a free parameter.
 */
export const COREDNS_UTILISATION_CAP = calibrateUtilisationCap();

/**
 * Mean server-side latency (ms) of a replica offered `offeredQps` with capacity `capacityQps`: M/M/c at
 * ρ = min(offered/capacity, cap). Finite at and above capacity (the excess is {@link corednsStep}'s business).
 */
export function corednsLatencyMs(offeredQps: number, capacityQps: number, servers = 2, utilisationCap = COREDNS_UTILISATION_CAP): number {
  if (!(capacityQps > 0)) throw new Error(`corednsLatencyMs: capacityQps must be > 0 (got ${capacityQps})`);
  const c = Math.max(1, Math.round(servers));
  const rho = Math.min(Math.max(offeredQps, 0) / capacityQps, utilisationCap);
  return 1000 * mmcResponseTimeS(rho * capacityQps, capacityQps / c, c);
}

/**
 * A query that waits longer than this is dropped. Why 2 s: it is the forward plugin's static read timeout
 * (docs/sources.md §1.2), so NodeLocal DNSCache (and CoreDNS's own forwarders) have given up on it; glibc clients wait
 * 5 s and musl retransmits at 2.5 s (docs/sources.md §3.2), so an answer after 2 s is at best racing the client's
 * retry.
 */
export const COREDNS_MAX_QUEUE_DELAY_S = 2;

export interface CorednsStepInput {
  /** Queries arriving during the step. */
  offered: number;
  /** Queries waiting at the start of the step (the previous step's `backlog`). */
  backlog: number;
  /** Server-side capacity (queries/s) of the replica, or of all replicas pooled. */
  capacityQps: number;
  /** Step length, seconds. */
  dtS: number;
  /** M/M/c servers (default 2, the reference replica; use `corednsServers(cores)`). */
  servers?: number;
  /** Drop what would wait longer than this (default {@link COREDNS_MAX_QUEUE_DELAY_S}). */
  maxQueueDelayS?: number;
}

export interface CorednsStepResult {
  /** Queries answered during the step. */
  served: number;
  /** Queries abandoned: beyond `capacityQps × maxQueueDelayS` waiting. The client sees a timeout. */
  dropped: number;
  /** Queries waiting at the end of the step: feed it back as the next step's `backlog`. */
  backlog: number;
  /** Mean server-side latency of the step's answers, ms: M/M/c at the capped utilisation + mean backlog / capacity. */
  latencyMs: number;
  /** served / (capacity × dt), 0..1. */
  utilisation: number;
}

/**
 * One time step of a replica as a fluid queue. Served = min(backlog + offered, capacity × dt); the rest waits,
 * except what exceeds `capacity × maxQueueDelayS`, which is dropped (abandoned work is not charged CPU — a
 * simplification: a real CoreDNS may still spend CPU on it). Latency adds the stationary M/M/c term at
 * ρ = min(offered rate / capacity, cap) and the queue term (B_start + B_end) / (2 × capacity) from Little's law.
 * For several replicas behind a ClusterIP, step each with its share (kube-proxy spreads at random) or pool them.
 */
export function corednsStep(input: CorednsStepInput): CorednsStepResult {
  const { offered, backlog, capacityQps, dtS } = input;
  if (!(capacityQps > 0) || !(dtS > 0)) throw new Error("corednsStep: capacityQps and dtS must be > 0");
  if (!(offered >= 0) || !(backlog >= 0)) throw new Error("corednsStep: offered and backlog must be ≥ 0");
  const servers = input.servers ?? 2;
  const maxDelay = input.maxQueueDelayS ?? COREDNS_MAX_QUEUE_DELAY_S;
  const work = backlog + offered;
  const budget = capacityQps * dtS;
  const served = Math.min(work, budget);
  const waiting = work - served;
  const maxBacklog = capacityQps * maxDelay;
  const dropped = Math.max(0, waiting - maxBacklog);
  const next = waiting - dropped;
  const stationary = corednsLatencyMs(offered / dtS, capacityQps, servers);
  const queueMs = (1000 * (backlog + next)) / 2 / capacityQps;
  return { served, dropped, backlog: next, latencyMs: stationary + queueMs, utilisation: served / budget };
}

// ---------------------------------------------------------------------------------------------------------------
// Memory (docs/sources.md §2.1)

/** Largest pods+services count behind the memory formulas (docs/sources.md §2.1); beyond it they extrapolate. */
export const COREDNS_MEMORY_FIT_MAX_OBJECTS = 158_200;

/** What a CoreDNS instance's kubernetes plugin holds from the API (plugin/kubernetes/controller.go). */
export interface CachedObjects {
  services: number;
  /** Endpoints of the Services' EndpointSlices. */
  endpoints: number;
  /** Every pod: cached only with `pods verified` (autopath needs it); the default `pods insecure` keeps none. */
  pods: number;
}

/**
 * Memory of one instance, MB, from what it caches (coredns/deployment kubernetes/Scaling_CoreDNS.md, CoreDNS 1.2.x
 * on Kubernetes ~1.12): default settings (endpoints + services)/1000 + 54; with `pods verified`
 * (pods + services)/250 + 56. Both include 30 MB for a full cache and a 5 MB buffer. The guide's "Pods" are the
 * pods behind its test Services, i.e. the endpoints the plugin caches; measured up to 158,200 objects.
 */
export function corednsMemoryMB(cached: CachedObjects, opts: { podsVerified?: boolean } = {}): number {
  return opts.podsVerified ? (cached.pods + cached.services) / 250 + 56 : (cached.endpoints + cached.services) / 1000 + 54;
}

/**
 * kubelet's restart backoff for a crashing container (CrashLoopBackOff; pkg/kubelet/kubelet.go backOffPeriod 10 s,
 * MaxContainerBackOff 300 s): 10 s, doubling, at most 5 min.
 */
export const CRASH_BACKOFF_INITIAL_S = 10;
export const CRASH_BACKOFF_MAX_S = 300;

/**
 * When a container that is OOM-killed as soon as it starts is killed, from `startS` to `untilS`: at start, then
 * after each backoff (10, 20, 40, ... 300 s). Its initial list of the API fills its cache past the limit, so it never
 * serves in between (an assumption: the list takes seconds, far less than the backoff).
 */
export function crashLoopKillTimes(startS: number, untilS: number): number[] {
  const out: number[] = [];
  let t = startS;
  let backoff = CRASH_BACKOFF_INITIAL_S;
  while (t <= untilS) {
    out.push(t);
    t += backoff;
    backoff = Math.min(CRASH_BACKOFF_MAX_S, backoff * 2);
  }
  return out;
}

/**
 * Default CoreDNS Deployment resources (kubeadm cmd/kubeadm/app/phases/addons/dns/manifests.go and
 * cluster/addons/dns/coredns/coredns.yaml.base): requests 100m / 70Mi, memory limit 170Mi.
 */
export const COREDNS_CPU_REQUEST_MILLICORES = 100;
export const COREDNS_MEMORY_REQUEST_MIB = 70;
export const COREDNS_MEMORY_LIMIT_MIB = 170;

// ---------------------------------------------------------------------------------------------------------------
// forward plugin (docs/sources.md §1.2)

/** Pooled upstream connections close after 10 s idle. docs/sources.md §1.2 */
export const FORWARD_CONN_EXPIRE_S = 10;
/** Static read timeout. docs/sources.md §1.2 */
export const FORWARD_READ_TIMEOUT_S = 2;
/** Health checks every 0.5 s after an error; an upstream is down after 2 failures. docs/sources.md §1.2 */
export const FORWARD_HEALTH_CHECK_S = 0.5;
export const FORWARD_MAX_FAILS = 2;
/**
 * Default Corefile `forward . /etc/resolv.conf { max_concurrent 1000 }` (docs/sources.md §2.5); ~2 kB per query (§1.2).
 */
export const FORWARD_MAX_CONCURRENT = 1000;
export const FORWARD_BYTES_PER_CONCURRENT = 2048;

/**
 * TCP connections a forwarder keeps to one upstream address for `ratePerS` queries of `latencyS` each
 * (force_tcp, reuse, 10 s idle expiry). Approximation: open ≈ max(λ·W (Little), 1 − e^(−10λ)) — at low rates a
 * single connection lives while a query came in the last 10 s; closes/s ≈ λ·e^(−10λ), one per query followed by
 * 10 s of silence. Each close leaves a TIME_WAIT conntrack entry (docs/sources.md §1.5).
 */
export function forwardTcpConnections(ratePerS: number, latencyS: number): { open: number; closesPerS: number } {
  if (!(ratePerS > 0)) return { open: 0, closesPerS: 0 };
  const idleGone = Math.exp(-FORWARD_CONN_EXPIRE_S * ratePerS);
  return { open: Math.max(ratePerS * latencyS, 1 - idleGone), closesPerS: ratePerS * idleGone };
}

// ---------------------------------------------------------------------------------------------------------------
// Cache (docs/sources.md §1.2, §2.1, §2.5)

/** The kubernetes plugin answers with TTL 5 s. docs/sources.md §1.2 */
export const COREDNS_RECORD_TTL_S = 5;
/**
 * cache plugin: minimum TTL 5 s; default maximum 3600 s (success), 1800 s (denial); SERVFAIL cached 5 s.
 * docs/sources.md §1.2
 */
export const CACHE_MIN_TTL_S = 5;
export const CACHE_DEFAULT_SUCCESS_MAX_TTL_S = 3600;
export const CACHE_DEFAULT_DENIAL_MAX_TTL_S = 1800;
export const CACHE_SERVFAIL_TTL_S = 5;
/** 256 shards × 39 = 9,984 entries per cache, random eviction per shard. docs/sources.md §1.2 */
export const CACHE_SHARDS = 256;
export const CACHE_ENTRIES_PER_SHARD = 39;
export const CACHE_CAPACITY = CACHE_SHARDS * CACHE_ENTRIES_PER_SHARD;
/** A full 10k-entry cache ≈ 30 MB. docs/sources.md §1.3, §2.1 */
export const CACHE_FULL_MEMORY_MB = 30;

/** One `cache` block: a success cache and a denial (NXDOMAIN/NODATA) cache, each with its own capacity. */
export interface CacheConfig {
  successCapacity: number;
  successMaxTtlS: number;
  denialCapacity: number;
  denialMaxTtlS: number;
  minTtlS: number;
  servfailTtlS: number;
}

/** Central CoreDNS Corefile `cache 30` (docs/sources.md §2.5). */
export const COREDNS_CENTRAL_CACHE: Readonly<CacheConfig> = {
  successCapacity: CACHE_CAPACITY,
  successMaxTtlS: 30,
  denialCapacity: CACHE_CAPACITY,
  denialMaxTtlS: 30,
  minTtlS: CACHE_MIN_TTL_S,
  servfailTtlS: CACHE_SERVFAIL_TTL_S,
};
/** NodeLocal `cluster.local:53` block: `cache { success 9984 30; denial 9984 5 }` (docs/sources.md §1.2). */
export const NODELOCAL_CLUSTER_CACHE: Readonly<CacheConfig> = {
  successCapacity: CACHE_CAPACITY,
  successMaxTtlS: 30,
  denialCapacity: CACHE_CAPACITY,
  denialMaxTtlS: 5,
  minTtlS: CACHE_MIN_TTL_S,
  servfailTtlS: CACHE_SERVFAIL_TTL_S,
};
/** NodeLocal `.:53` (external) and reverse blocks: `cache 30` (docs/sources.md §1.2). */
export const NODELOCAL_EXTERNAL_CACHE: Readonly<CacheConfig> = COREDNS_CENTRAL_CACHE;

/** TTL the cache keeps an answer: the record's TTL clamped to [min, max], max winning. */
export function effectiveCacheTtlS(recordTtlS: number, maxTtlS: number, minTtlS = CACHE_MIN_TTL_S): number {
  return Math.min(Math.max(recordTtlS, minTtlS), maxTtlS);
}

/**
 * Hit ratio of one cache key (name, qtype) queried as a Poisson process of rate λ with cache lifetime T. Renewal
 * argument: a miss fills the entry, the next T seconds hit (λT queries on average), the first query after expiry
 * misses. Hit ratio = λT / (1 + λT) = 1 − 1/(1 + λT).
 */
export function cacheHitRatioPoisson(ratePerS: number, ttlS: number): number {
  if (!(ratePerS > 0) || !(ttlS > 0)) return 0;
  const x = ratePerS * ttlS;
  return x / (1 + x);
}

/**
 * Hit ratio for strictly periodic queries every `periodS` with lifetime T (entry valid on [fill, fill + T)):
 * 1 − 1/ceil(T/period). Check: 1 Hz with a 5 s denial TTL gives 12 misses/min, as measured (docs/sources.md §1.5,
 * kubernetes/dns#476).
 */
export function cacheHitRatioPeriodic(periodS: number, ttlS: number): number {
  if (!(periodS > 0) || !(ttlS > 0)) return 0;
  return 1 - 1 / Math.ceil(ttlS / periodS - 1e-12);
}

export interface CacheSetResult {
  /** Request-weighted hit ratio. */
  hitRatio: number;
  /** Hit ratio per key. */
  perKey: Float64Array;
  /** Misses (= upstream queries) per second. */
  missRatePerS: number;
  /** Rate at which one cached entry is evicted, per second (0 when everything fits). */
  evictionRatePerEntry: number;
  /** Entries held (stale ones included: expiry does not free a slot). */
  occupancy: number;
}

/**
 * Hit ratio of K keys with Poisson rates λ_i sharing a cache of `capacity` entries with random eviction and no
 * TTL-based removal (docs/sources.md §1.2: expired entries keep their slot until evicted or refreshed in place).
 * Mean-field model: every insertion of an absent key into a full cache evicts a uniformly random entry, so each
 * entry is evicted at rate ν. Key i is present with probability λ_i/(λ_i + ν) (absent → present on its next query,
 * present → absent at rate ν), and ν solves Σ λ_i/(λ_i + ν) = capacity (ν = 0 if the keys fit). A fill then serves
 * hits for min(T_i, Exp(ν)), so with m_i = (1 − e^(−νT_i))/ν the hit ratio is λ_i m_i / (1 + λ_i m_i), which is
 * {@link cacheHitRatioPoisson} when everything fits. Sharding (256 × 39) is ignored: hashing spreads keys evenly.
 */
export function cacheHitRatioSet(ratesPerS: ArrayLike<number>, ttlS: number | ArrayLike<number>, capacity: number = CACHE_CAPACITY): CacheSetResult {
  const k = ratesPerS.length;
  const ttl = (i: number): number => (typeof ttlS === "number" ? ttlS : ttlS[i]);
  let total = 0;
  let active = 0;
  for (let i = 0; i < k; i++) {
    const r = ratesPerS[i];
    if (!(r >= 0)) throw new Error(`cacheHitRatioSet: rate ${i} must be ≥ 0 (got ${r})`);
    if (r > 0) {
      active++;
      total += r;
    }
  }
  let nu = 0;
  if (active > capacity && capacity > 0) {
    const present = (v: number): number => {
      let s = 0;
      for (let i = 0; i < k; i++) {
        const r = ratesPerS[i];
        if (r > 0) s += r / (r + v);
      }
      return s;
    };
    let lo = 0;
    let hi = total / capacity; // Σ λ/(λ+ν) ≤ Λ/ν
    for (let it = 0; it < 200 && hi - lo > 1e-15 * hi; it++) {
      const mid = (lo + hi) / 2;
      if (present(mid) > capacity) lo = mid;
      else hi = mid;
    }
    nu = (lo + hi) / 2;
  }
  const perKey = new Float64Array(k);
  let hits = 0;
  for (let i = 0; i < k; i++) {
    const r = ratesPerS[i];
    const t = ttl(i);
    if (!(r > 0) || !(t > 0) || capacity <= 0) continue;
    const m = nu > 0 ? -Math.expm1(-nu * t) / nu : t;
    const h = (r * m) / (1 + r * m);
    perKey[i] = h;
    hits += r * h;
  }
  return {
    hitRatio: total > 0 ? hits / total : 0,
    perKey,
    missRatePerS: total - hits,
    evictionRatePerEntry: nu,
    occupancy: Math.min(active, Math.max(capacity, 0)),
  };
}

/** Zipf(s) rates over K keys summing to `totalRatePerS` (rank 1 most popular): a common popularity assumption. */
export function zipfRates(k: number, exponent: number, totalRatePerS: number): Float64Array {
  const out = new Float64Array(k);
  let norm = 0;
  for (let i = 0; i < k; i++) norm += out[i] = 1 / (i + 1) ** exponent;
  for (let i = 0; i < k; i++) out[i] = (out[i] / norm) * totalRatePerS;
  return out;
}
