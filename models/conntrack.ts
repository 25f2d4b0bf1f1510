/**
 * Netfilter conntrack as it matters for cluster DNS: kube-proxy's table sizing, kernel defaults, a per-node
 * occupancy model for a time-stepped simulation, and the A/AAAA insertion race.
 *
 * Sources: docs/sources.md §4 (kernel defaults §4.1, entry size §4.2, UDP lifetime §4.3, kube-proxy §4.4,
 * table full §4.5, the race §4.6); kernel net/netfilter/nf_conntrack_core.c nf_conntrack_init_start (bucket sizing).
 */

// ---------------------------------------------------------------------------------------------------------------
// Sizing

/** kube-proxy `--conntrack-max-per-core` default. docs/sources.md §4.4 */
export const KUBE_PROXY_CONNTRACK_MAX_PER_CORE = 32_768;
/** kube-proxy `--conntrack-min` default. docs/sources.md §4.4 */
export const KUBE_PROXY_CONNTRACK_MIN = 131_072;
/** The 1M cap seen in one version of kube-proxy's sysctls.go; unconfirmed upstream (docs/sources.md §4.4). */
export const KUBE_PROXY_CONNTRACK_CAP = 1_048_576;

/**
 * kube-proxy's nf_conntrack_max: max(maxPerCore × cores, min) (docs/sources.md §4.4), optionally capped at 1M (`cap1M`,
 * default off because unverified). maxPerCore ≤ 0 returns 0: kube-proxy then leaves the kernel's value
 * (see {@link kernelDefaultConntrackMax}).
 */
export function conntrackMax(
  cores: number,
  maxPerCore = KUBE_PROXY_CONNTRACK_MAX_PER_CORE,
  min = KUBE_PROXY_CONNTRACK_MIN,
  opts: { cap1M?: boolean } = {},
): number {
  if (!(cores >= 1) || !Number.isInteger(cores)) throw new Error(`conntrackMax: cores must be a positive integer (got ${cores})`);
  if (maxPerCore <= 0) return 0;
  let scaled = maxPerCore * cores;
  if (opts.cap1M) scaled = Math.min(scaled, KUBE_PROXY_CONNTRACK_CAP);
  return scaled > min ? scaled : min;
}

/** kube-proxy raises the hash size to max/4 if it is smaller (docs/sources.md §4.4). */
export function conntrackHashsize(max: number, currentHashsize = 0): number {
  return Math.max(currentHashsize, Math.floor(max / 4));
}

/**
 * Kernel default bucket count on a 64-bit machine (nf_conntrack_init_start; docs/sources.md §4.1): RAM/16384/8, but
 * 262,144 above 4 GiB and 65,536 above 1 GiB, at least 1,024.
 */
export function kernelDefaultConntrackBuckets(ramBytes: number): number {
  const gib = 1024 ** 3;
  let size = Math.floor(ramBytes / 16384 / 8);
  if (ramBytes > 4 * gib) size = 262_144;
  else if (ramBytes > gib) size = 65_536;
  return Math.max(size, 1024);
}

/** Current kernels set nf_conntrack_max = buckets (factor 1). docs/sources.md §4.1 */
export function kernelDefaultConntrackMax(ramBytes: number): number {
  return kernelDefaultConntrackBuckets(ramBytes);
}

/**
 * nf_conntrack slab object: 256 B measured on 6.18, up to 376 B (+16) reported; 8 B per bucket.
 * docs/sources.md §4.1–§4.2
 */
export const CONNTRACK_ENTRY_BYTES = 256;
export const CONNTRACK_ENTRY_BYTES_MAX = 376;
export const CONNTRACK_BUCKET_BYTES = 8;

/** Kernel memory (unswappable) of `entries` entries and `buckets` buckets (derived: docs/sources.md §4.2). */
export function conntrackMemoryBytes(entries: number, buckets: number, entryBytes = CONNTRACK_ENTRY_BYTES): number {
  return entries * entryBytes + buckets * CONNTRACK_BUCKET_BYTES;
}

// ---------------------------------------------------------------------------------------------------------------
// Timeouts (docs/sources.md §4.1, §4.3, §4.4, §4.6)

export const CONNTRACK_TIMEOUTS_S = {
  /** nf_conntrack_udp_timeout: unreplied, and replied flows not active past 2 s. docs/sources.md §4.1, §4.3 */
  udp: 30,
  /** nf_conntrack_udp_timeout_stream on current kernels. docs/sources.md §4.1 */
  udpStream: 120,
  /** udp_timeout_stream on old kernels (iptables tutorial). docs/sources.md §4.1 */
  udpStreamOld: 180,
  /** A replied UDP flow becomes a stream once still active 2 s after creation. docs/sources.md §4.3 */
  udpStreamAfter: 2,
  /** The clashing entry inserted by the race-3 fix lives 1 s. docs/sources.md §4.6 */
  udpNatClash: 1,
  /** Kernel default; kube-proxy sets 24 h. docs/sources.md §4.1, §4.4 */
  tcpEstablishedKernel: 432_000,
  tcpEstablishedKubeProxy: 86_400,
  tcpTimeWait: 120,
  tcpCloseWaitKernel: 60,
  /** kube-proxy `tcpCloseWaitTimeout` 1 h. docs/sources.md §4.4 */
  tcpCloseWaitKubeProxy: 3_600,
} as const;

/**
 * How a replied UDP flow (one DNS query and its answer) is tracked (docs/sources.md §4.3):
 * - "stream-only-assured" (current, after the 2023 refinement): non-ASSURED, `udp` timeout; early-droppable.
 * - "assured-30s" (the 2 s rule, [U] ~5.12, before 2023): ASSURED on reply, `udp` timeout; not early-droppable.
 * - "legacy" (older): ASSURED on reply and the stream timeout (`udpStreamTimeoutS`, 120 s or 180 s).
 */
export type UdpReplyRegime = "stream-only-assured" | "assured-30s" | "legacy";

/**
 * Named assumption: how many hash entries one early_drop scan looks at. docs/sources.md §4.5 gives ~8 buckets
 * (unconfirmed); with the default 1:1 max/buckets ratio the average chain holds 2 entries (§4.1), so ~16.
 */
export const EARLY_DROP_SCAN_ENTRIES = 16;

export interface ConntrackTableOptions {
  /** nf_conntrack_max. */
  max: number;
  /** Step length, seconds (default 1). */
  dtS?: number;
  udpRegime?: UdpReplyRegime;
  udpTimeoutS?: number;
  udpStreamTimeoutS?: number;
  tcpTimeWaitS?: number;
  udpNatClashTimeoutS?: number;
  earlyDropScanEntries?: number;
}

/** New flows in one step, as counts (fractional allowed: the model is a fluid). */
export interface ConntrackFlows {
  /** UDP flows (distinct 5-tuples) that got a reply: a DNS query answered, via DNAT. */
  udpReplied?: number;
  /** UDP flows with no reply (lost query): non-ASSURED, `udp` timeout in every regime. */
  udpUnreplied?: number;
  /** UDP flows still active after 2 s: ASSURED, stream timeout. */
  udpStream?: number;
  /** NAT-clash entries from the race-3 fix (Linux ≥ 5.6): never ASSURED, 1 s. */
  udpNatClash?: number;
  /** TCP connections opened and closed within the step (e.g. a TCP DNS query without reuse): TIME_WAIT. */
  tcpShortLived?: number;
  /** Long-lived TCP connections opened (e.g. pooled upstream connections): ASSURED, kept until closed. */
  tcpOpened?: number;
  /** Long-lived connections closed: they leave ESTABLISHED and sit in TIME_WAIT (needs no new slot). */
  tcpClosed?: number;
}

type Kind = "udpReplied" | "udpUnreplied" | "udpStream" | "udpNatClash" | "tcpShortLived" | "tcpOpened";
const KINDS: readonly Kind[] = ["udpReplied", "udpUnreplied", "udpStream", "udpNatClash", "tcpShortLived", "tcpOpened"];

export interface ConntrackStepResult {
  /** Entries after the step. */
  occupancy: number;
  /** Entries that timed out at the start of the step. */
  expired: number;
  /** New entries created. */
  inserted: number;
  /** Non-ASSURED entries evicted to make room (each replaced by a new one). */
  earlyDropped: number;
  /** New flows refused ("table full, dropping packet"), in total and by kind. A dropped DNS query is a timeout. */
  dropped: number;
  droppedByKind: Record<Kind, number>;
  /** Fraction of new flows that got an entry this step (1 when not full). */
  acceptedFraction: number;
}

function stepsFor(timeoutS: number, dtS: number): number {
  return Math.max(1, Math.ceil(timeoutS / dtS - 1e-9));
}

/**
 * One node's conntrack table stepped in fixed time steps. Entries of short-lived kinds (UDP, TIME_WAIT) sit in a
 * ring of expiry slots (typed arrays): created at step t with timeout τ, they are removed at the start of step
 * t + ceil(τ/dt), so steady-state occupancy is rate × τ. Long-lived TCP connections are a plain count that only
 * `tcpClosed` reduces (24 h / 5 day timeouts exceed any simulated idle time).
 *
 * When new flows do not fit: new flows are refused, existing ones keep working (docs/sources.md §4.5). Before refusing,
 * the kernel's early_drop evicts a non-ASSURED entry; we model the scan as finding one with probability
 * 1 − (1 − f)^{@link EARLY_DROP_SCAN_ENTRIES}, f the non-ASSURED share of the table, the victim uniformly random
 * among non-ASSURED entries (removed proportionally from every slot). Simplifications: the kernel's garbage
 * collector that evicts closing TCP entries above 95 % full is not modelled; new flows of all kinds compete
 * equally within a step (the same accepted fraction for each).
 *
 * Memory: two Float64Arrays of ceil(maxTimeout/dt) + 1 slots (≈ 2 kB at dt = 1 s).
 */
export class ConntrackTable {
  readonly max: number;
  readonly dtS: number;
  readonly udpRegime: UdpReplyRegime;
  private readonly slots: number;
  private readonly nonAssured: Float64Array;
  private readonly assured: Float64Array;
  private nonAssuredTotal = 0;
  private assuredTotal = 0;
  private establishedCount = 0;
  private now = 0;
  private readonly kUdp: number;
  private readonly kStream: number;
  private readonly kTimeWait: number;
  private readonly kClash: number;
  private readonly kReplied: number;
  private readonly repliedAssured: boolean;
  private readonly scan: number;

  constructor(opts: ConntrackTableOptions) {
    if (!(opts.max > 0)) throw new Error(`ConntrackTable: max must be > 0 (got ${opts.max})`);
    this.max = opts.max;
    this.dtS = opts.dtS ?? 1;
    if (!(this.dtS > 0)) throw new Error(`ConntrackTable: dtS must be > 0 (got ${this.dtS})`);
    this.udpRegime = opts.udpRegime ?? "stream-only-assured";
    const udp = opts.udpTimeoutS ?? CONNTRACK_TIMEOUTS_S.udp;
    const stream = opts.udpStreamTimeoutS ?? CONNTRACK_TIMEOUTS_S.udpStream;
    this.kUdp = stepsFor(udp, this.dtS);
    this.kStream = stepsFor(stream, this.dtS);
    this.kTimeWait = stepsFor(opts.tcpTimeWaitS ?? CONNTRACK_TIMEOUTS_S.tcpTimeWait, this.dtS);
    this.kClash = stepsFor(opts.udpNatClashTimeoutS ?? CONNTRACK_TIMEOUTS_S.udpNatClash, this.dtS);
    this.kReplied = this.udpRegime === "legacy" ? this.kStream : this.kUdp;
    this.repliedAssured = this.udpRegime !== "stream-only-assured";
    this.scan = opts.earlyDropScanEntries ?? EARLY_DROP_SCAN_ENTRIES;
    this.slots = Math.max(this.kUdp, this.kStream, this.kTimeWait, this.kClash) + 1;
    this.nonAssured = new Float64Array(this.slots);
    this.assured = new Float64Array(this.slots);
  }

  /** Entries in the table. */
  get occupancy(): number {
    return this.nonAssuredTotal + this.assuredTotal + this.establishedCount;
  }
  /** Non-ASSURED entries (early-drop candidates). */
  get nonAssuredCount(): number {
    return this.nonAssuredTotal;
  }
  /** Long-lived TCP connections. */
  get established(): number {
    return this.establishedCount;
  }
  /** Steps taken. */
  get steps(): number {
    return this.now;
  }

  /** Advances one step: expires due entries, then admits the new flows, then moves closed connections to TIME_WAIT. */
  step(flows: ConntrackFlows = {}): ConntrackStepResult {
    this.now++;
    const slot = this.now % this.slots;
    const expired = this.nonAssured[slot] + this.assured[slot];
    this.nonAssuredTotal -= this.nonAssured[slot];
    this.assuredTotal -= this.assured[slot];
    this.nonAssured[slot] = 0;
    this.assured[slot] = 0;
    if (this.nonAssuredTotal < 1e-9) this.nonAssuredTotal = 0;
    if (this.assuredTotal < 1e-9) this.assuredTotal = 0;

    let demand = 0;
    for (const k of KINDS) {
      const v = flows[k] ?? 0;
      if (!(v >= 0)) throw new Error(`ConntrackTable.step: ${k} must be ≥ 0 (got ${v})`);
      demand += v;
    }
    const free = Math.max(0, this.max - this.occupancy);
    let accepted = demand;
    let earlyDropped = 0;
    if (demand > free) {
      // Fill the free slots, then try early_drop for each remaining new flow.
      const direct = free;
      const nonAssuredNewShare = demand > 0 ? this.nonAssuredDemand(flows) / demand : 0;
      const nonAssuredAfter = this.nonAssuredTotal + direct * nonAssuredNewShare;
      const f = this.max > 0 ? Math.min(1, nonAssuredAfter / this.max) : 0;
      const p = 1 - (1 - f) ** this.scan;
      earlyDropped = Math.min((demand - direct) * p, nonAssuredAfter);
      accepted = direct + earlyDropped;
    }
    const frac = demand > 0 ? accepted / demand : 1;
    const droppedByKind = {} as Record<Kind, number>;
    for (const k of KINDS) droppedByKind[k] = (flows[k] ?? 0) * (1 - frac);

    const u = (k: Kind): number => (flows[k] ?? 0) * frac;
    this.addNonAssured(this.kUdp, u("udpUnreplied"));
    this.addNonAssured(this.kClash, u("udpNatClash"));
    if (this.repliedAssured) this.addAssured(this.kReplied, u("udpReplied"));
    else this.addNonAssured(this.kReplied, u("udpReplied"));
    this.addAssured(this.kStream, u("udpStream"));
    this.addAssured(this.kTimeWait, u("tcpShortLived"));
    this.establishedCount += u("tcpOpened");

    if (earlyDropped > 0 && this.nonAssuredTotal > 0) {
      const keep = Math.max(0, 1 - earlyDropped / this.nonAssuredTotal);
      for (let i = 0; i < this.slots; i++) this.nonAssured[i] *= keep;
      this.nonAssuredTotal *= keep;
    }

    const closed = Math.min(flows.tcpClosed ?? 0, this.establishedCount);
    if (closed > 0) {
      this.establishedCount -= closed;
      this.addAssured(this.kTimeWait, closed);
    }

    const dropped = demand - accepted;
    return { occupancy: this.occupancy, expired, inserted: accepted, earlyDropped, dropped, droppedByKind, acceptedFraction: frac };
  }

  /** A copy with the same entries and clock: a cohort of nodes that splits off keeps its history. */
  clone(): ConntrackTable {
    const c = Object.create(ConntrackTable.prototype) as ConntrackTable;
    Object.assign(c, this);
    const self = c as unknown as { nonAssured: Float64Array; assured: Float64Array };
    self.nonAssured = this.nonAssured.slice();
    self.assured = this.assured.slice();
    return c;
  }

  /** Empties the table. */
  reset(): void {
    this.nonAssured.fill(0);
    this.assured.fill(0);
    this.nonAssuredTotal = 0;
    this.assuredTotal = 0;
    this.establishedCount = 0;
    this.now = 0;
  }

  private nonAssuredDemand(flows: ConntrackFlows): number {
    return (flows.udpUnreplied ?? 0) + (flows.udpNatClash ?? 0) + (this.repliedAssured ? 0 : (flows.udpReplied ?? 0));
  }

  private addNonAssured(k: number, n: number): void {
    if (n <= 0) return;
    this.nonAssured[(this.now + k) % this.slots] += n;
    this.nonAssuredTotal += n;
  }

  private addAssured(k: number, n: number): void {
    if (n <= 0) return;
    this.assured[(this.now + k) % this.slots] += n;
    this.assuredTotal += n;
  }
}

/** Rates per second of the same kinds as {@link ConntrackFlows} (tcpOpened/tcpClosed excluded) plus a standing count. */
export interface ConntrackRates {
  udpReplied?: number;
  udpUnreplied?: number;
  udpStream?: number;
  udpNatClash?: number;
  tcpShortLived?: number;
  /** Connections closed per second (their TIME_WAIT entries). */
  tcpClosed?: number;
  /** Standing long-lived connections. */
  established?: number;
}

/**
 * Closed-form steady state of an unbounded table: Σ rate × timeout + established (docs/sources.md §4.3, derived:
 * occupancy ≈ distinct 5-tuples per second × 30 s).
 */
export function steadyStateOccupancy(
  rates: ConntrackRates,
  regime: UdpReplyRegime = "stream-only-assured",
  udpStreamTimeoutS: number = CONNTRACK_TIMEOUTS_S.udpStream,
): number {
  const t = CONNTRACK_TIMEOUTS_S;
  const replied = regime === "legacy" ? udpStreamTimeoutS : t.udp;
  return (
    (rates.udpReplied ?? 0) * replied +
    (rates.udpUnreplied ?? 0) * t.udp +
    (rates.udpStream ?? 0) * udpStreamTimeoutS +
    (rates.udpNatClash ?? 0) * t.udpNatClash +
    ((rates.tcpShortLived ?? 0) + (rates.tcpClosed ?? 0)) * t.tcpTimeWait +
    (rates.established ?? 0)
  );
}

// ---------------------------------------------------------------------------------------------------------------
// The A/AAAA insertion race (docs/sources.md §4.6)

export type ConntrackRace = "race1" | "race2" | "race3";

/**
 * First mainline kernel with each fix: ed07d9a021df 4.19, 4e35c1cb9460 5.0, 6a757c07e51f 5.6 (docs/sources.md §4.6).
 */
export const CONNTRACK_RACE_FIX_VERSION: Readonly<Record<ConntrackRace, string>> = { race1: "4.19", race2: "5.0", race3: "5.6" };

/**
 * Named assumption: probability that the two packets of one concurrent A/AAAA pair on a DNAT path hit each race
 * window, on a kernel without the fix. No controlled rate is published (docs/sources.md §4.6: ~1e-5 insert_failed per
 * insertion over all traffic, one anecdote); racing DNS pairs are a small share of insertions, so per-pair odds are
 * taken an order above that, split evenly between race 1 and race 2 timing; race 3 is the whole overlap window with
 * different backends. Tune per scenario.
 */
export const DNS_RACE_PROBABILITY_PER_PAIR: Readonly<Record<ConntrackRace, number>> = { race1: 5e-5, race2: 5e-5, race3: 1e-4 };

/** "5.4.0-1043-gke" → [5, 4, 0]. Throws if no version number is found. */
export function parseKernelVersion(v: string): [number, number, number] {
  const m = /^(\d+)\.(\d+)(?:\.(\d+))?/.exec(v.trim());
  if (m === null) throw new Error(`parseKernelVersion: "${v}" is not a kernel version`);
  return [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)];
}

export function kernelAtLeast(kernel: string, min: string): boolean {
  const a = parseKernelVersion(kernel);
  const b = parseKernelVersion(min);
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i] > b[i];
  return true;
}

/** Races a kernel still has; `backported` marks distribution backports (e.g. the Ubuntu SRU, docs/sources.md §4.6). */
export function unfixedRaces(kernel: string, backported: Partial<Record<ConntrackRace, boolean>> = {}): ConntrackRace[] {
  return (Object.keys(CONNTRACK_RACE_FIX_VERSION) as ConntrackRace[]).filter((r) => !backported[r] && !kernelAtLeast(kernel, CONNTRACK_RACE_FIX_VERSION[r]));
}

export interface DnsRaceInput {
  /** Kernel of the node where the DNAT happens (the client's node). */
  kernel: string;
  /** Ready DNS endpoints behind the ClusterIP; race 3 needs more than one (docs/sources.md §4.6). */
  dnsBackends: number;
  /** DNAT on the path (ClusterIP via iptables). NodeLocal's NOTRACK path has none. Default true. */
  natPath?: boolean;
  probabilities?: Partial<Record<ConntrackRace, number>>;
  backported?: Partial<Record<ConntrackRace, boolean>>;
}

/**
 * Probability that one concurrent same-socket A/AAAA pair (a `racePairs` unit of resolver.ts) loses a packet.
 * iptables `statistic random` DNAT picks each packet's backend independently: with n backends they pick the same
 * one with probability 1/n (then race 1 or race 2 applies) and different ones otherwise (race 3, impossible with a
 * single backend). The lost query then costs the resolver timeout (glibc 5 s, musl 2.5 s retransmit).
 */
export function dnsRaceLossProbability(input: DnsRaceInput): number {
  if (input.natPath === false || !(input.dnsBackends >= 1)) return 0;
  const p = { ...DNS_RACE_PROBABILITY_PER_PAIR, ...input.probabilities };
  const open = new Set(unfixedRaces(input.kernel, input.backported));
  const same = 1 / input.dnsBackends;
  let loss = 0;
  if (open.has("race1")) loss += same * p.race1;
  if (open.has("race2")) loss += same * p.race2;
  if (open.has("race3")) loss += (1 - same) * p.race3;
  return Math.min(1, loss);
}

/** Probability that a lookup with `racePairs` exposed pairs loses at least one packet to the race. */
export function lookupRaceProbability(racePairs: number, pairLossProbability: number): number {
  return 1 - (1 - pairLossProbability) ** racePairs;
}
