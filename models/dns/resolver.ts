/**
 * What a getaddrinfo(AF_UNSPEC) call sends: the stub-resolver behaviour of glibc and musl, as a pure function of
 * the name, the resolv.conf and an `exists` oracle that says what each query gets back.
 *
 * Sources: docs/sources.md §3.2–§3.3 (summary), and the code it cites, read at glibc HEAD 04e750e7
 * (resolv/res_query.c `__res_context_search`/`__res_context_query`, resolv/res_send.c `__res_context_send`,
 * `send_dg`, `send_vc`) and musl 86373b49 (src/network/lookup_name.c `name_from_dns_search`/`name_from_dns`,
 * src/network/res_msend.c `__res_msend_rc`).
 *
 * What is modelled
 * ----------------
 * glibc (nss_dns, T_QUERY_A_AND_AAAA):
 *  - Candidates (docs/sources.md §3.2): dots ≥ ndots or a trailing dot → the absolute name first; a trailing dot stops
 *    there. Otherwise the search list in order, then the absolute name if not yet tried (and no "." in the search
 *    list). A candidate answers when A or AAAA is NOERROR with data (A NOERROR + AAAA NODATA is an answer:
 *    docs/sources.md §3.3). NXDOMAIN and NODATA continue. A SERVFAIL-caused failure continues ("try next search
 *    element"); a failure by timeout stops the search list, but the absolute name is still tried if it was not tried
 *    first.
 *  - Per candidate (`__res_context_send`): for try in 0..attempts-1, for each nameserver in order, one exchange
 *    with a deadline of `timeout << ns` seconds, divided by the nameserver count when ns > 0 (integer, ≥ 1).
 *    Default exchange: A and AAAA go together (sendmmsg) **on the same socket** (docs/sources.md §3.2, the conntrack
 *    race of §4.6). One reply SERVFAIL + the other good → the good one is used alone; both SERVFAIL → next nameserver
 *    (socket closed). No reply by the deadline: if one good reply came in, glibc switches this resolver state to
 *    single-request and retries the same server (then to single-request-reopen, then gives up and uses the one
 *    reply): this is the classic "5 s delay" (docs/sources.md §4.6). Otherwise next nameserver.
 *  - single-request: A, wait, then AAAA on the same socket; single-request-reopen: AAAA on a new socket; a
 *    SERVFAIL for A moves to the next nameserver without sending AAAA.
 *  - use-vc: TCP, one attempt per server, A and AAAA written back to back on one connection; replies are used as
 *    they come (SERVFAIL included, so it is judged by res_query). glibc has no timer on TCP; a TCP TIMEOUT costs
 *    {@link GLIBC_TCP_TIMEOUT_S}.
 *  - The single-request switch sticks to the thread's resolver state: pass `options.glibcState` to carry it across
 *    lookups; by default it lasts for one lookup.
 *  - Not modelled: `rotate` (servers are tried in order), ECONNREFUSED (ICMP port unreachable), truncation → TCP,
 *    /etc/hosts and host aliases, names too long for the wire, lame NODATA without aa/ra.
 *
 * musl (docs/sources.md §3.2):
 *  - Search only when dots < ndots and no trailing dot; otherwise the absolute name alone. musl skips a `search`
 *    line it cannot read whole (≥ 255 chars), which the model reproduces from the search list's length.
 *  - Per candidate one new socket; A and AAAA are sent together **to all nameservers**, retransmitted every
 *    timeout/attempts (2.5 s with defaults) until every query has an accepted answer or `timeout` (5 s) passes.
 *    Accepted answers are NOERROR/NODATA/NXDOMAIN; a SERVFAIL is re-sent at once (at most 2 × queries re-sends
 *    per retransmit round) and otherwise ignored, so persistent SERVFAIL costs the full timeout.
 *  - Then, A checked before AAAA: a missing answer (timeout or SERVFAIL) aborts the whole lookup with EAI_AGAIN;
 *    NXDOMAIN continues the search; otherwise any data answers, and both NODATA stops with EAI_NODATA.
 *  - Ignores single-request(-reopen), use-vc and no-aaaa. Not modelled: TCP fallback on truncation, hosts file.
 *
 * Timing structure: candidates are sequential. Each candidate reports `rtts` (sequential round trips: 1 for a
 * parallel A+AAAA exchange, 2 for single-request, 2 for TCP with its handshake) and `waitS` (deadlines that
 * expired). Latency = waitS + rtts × RTT, where RTT is the network round trip plus server latency; see
 * {@link lookupLatencyS}. When a deadline expires, the round trips of that exchange are inside the deadline.
 *
 * Cost: one call allocates a few small objects per query. For a time-stepped simulation, classify names and cache
 * the result per (name class, resolv.conf, resolver) when `exists` is static.
 */
import {
  GLIBC_MAX_ATTEMPTS,
  GLIBC_MAX_TIMEOUT_S,
  MAX_NDOTS,
  MUSL_MAX_ATTEMPTS,
  MUSL_MAX_LINE_CHARS,
  MUSL_MAX_TIMEOUT_S,
  isIpv4,
  isIpv6,
} from "./resolv-conf.js";
import type { ResolvConf } from "./resolv-conf.js";

export type QType = "A" | "AAAA";
/** What comes back for one query. NODATA is NOERROR with an empty answer; TIMEOUT is no reply at all. */
export type Rcode = "NOERROR" | "NODATA" | "NXDOMAIN" | "SERVFAIL" | "TIMEOUT";
export type ResolverKind = "glibc" | "musl";
export type Transport = "udp" | "tcp";

/** Passed to `exists` with each query sent, so an oracle can model loss of a particular packet. */
export interface SendContext {
  nameserver: string;
  nameserverIndex: number;
  /** How many times this (fqdn, qtype) was sent to this nameserver earlier in the lookup: 0 for the first packet. */
  send: number;
}

/** The oracle: what a query for `fqdn` (absolute, trailing dot) of `qtype` gets back. Called once per packet sent. */
export type ExistsFn = (fqdn: string, qtype: QType, ctx: SendContext) => Rcode;

export interface DnsQuery {
  /** Absolute name with a trailing dot. */
  name: string;
  type: QType;
  /** Index into `candidates`. */
  candidate: number;
  nameserverIndex: number;
  nameserver: string;
  /** Lookup-local id of the UDP socket or TCP connection: one UDP 5-tuple per (socket, nameserver). */
  socket: number;
  transport: Transport;
  /** Sent while the other qtype of the same name was outstanding on the same socket to the same server. */
  concurrent: boolean;
  rcode: Rcode;
}

/** How A and AAAA were sent at the start of a candidate. */
export type SendMode = "parallel" | "single-request" | "single-request-reopen" | "tcp" | "a-only";
export type CandidateResult = "answer" | "NXDOMAIN" | "NODATA" | "SERVFAIL" | "TIMEOUT";

export interface Candidate {
  /** Absolute name, trailing dot. */
  name: string;
  origin: "search" | "absolute";
  /** Range of this candidate's queries in `queries`. */
  firstQuery: number;
  queryCount: number;
  mode: SendMode;
  result: CandidateResult;
  hasA: boolean;
  hasAAAA: boolean;
  /** Sequential round trips spent on this candidate. */
  rtts: number;
  /** Seconds spent waiting for deadlines that expired. */
  waitS: number;
}

export type LookupError = "EAI_NONAME" | "EAI_NODATA" | "EAI_AGAIN";
export type LookupOutcome = { ok: true; name: string; hasA: boolean; hasAAAA: boolean } | { ok: false; error: LookupError };

export interface LookupResult {
  name: string;
  resolver: ResolverKind;
  /** Every packet sent, in order. */
  queries: DnsQuery[];
  /** Candidate names tried, in order (sequential). */
  candidates: Candidate[];
  outcome: LookupOutcome;
  /** Totals over candidates. */
  rtts: number;
  waitS: number;
  /** UDP sockets opened (each a fresh ephemeral port). */
  udpSockets: number;
  /** Distinct UDP 5-tuples: conntrack entries a DNAT path creates on the client node (docs/sources.md §4.3). */
  udpFlows: number;
  tcpConnections: number;
  /**
   * Exchanges where A and AAAA left concurrently from one socket to one server: exposure to the race of
   * docs/sources.md §4.6.
   */
  racePairs: number;
}

/** Sticky glibc resolver-state flags (RES_F_SNGLKUP / RES_F_SNGLKUPREOP), set after a timeout with one reply. */
export interface GlibcState {
  singleRequest: boolean;
  singleRequestReopen: boolean;
}

export interface LookupOptions {
  /** glibc: carry the single-request fallback across lookups (one thread's resolver state). Mutated. */
  glibcState?: GlibcState;
}

/**
 * Named assumption: what a TCP (use-vc) query that gets no reply costs under glibc. glibc's send_vc has no timer;
 * a server that never accepts the connection makes connect() give up after Linux's default tcp_syn_retries=6
 * (1+2+4+8+16+32+64 s).
 */
export const GLIBC_TCP_TIMEOUT_S = 127;

/** Dots in a name, a trailing one included (both resolvers count it). */
export function countDots(name: string): number {
  let n = 0;
  for (let i = 0; i < name.length; i++) if (name.charCodeAt(i) === 46) n++;
  return n;
}

/** glibc's per-exchange deadline for nameserver index `ns` of `count` (send_dg): (timeout << ns) / count, ≥ 1 s. */
export function glibcExchangeTimeoutS(timeoutS: number, ns: number, count: number): number {
  let seconds = timeoutS * 2 ** ns;
  if (ns > 0) seconds = Math.floor(seconds / count);
  return seconds <= 0 ? 1 : seconds;
}

/** Latency of a lookup given the round-trip time of one exchange (network RTT + server latency), in seconds. */
export function lookupLatencyS(result: Pick<LookupResult, "rtts" | "waitS">, rttS: number): number {
  return result.waitS + result.rtts * rttS;
}

/** Per-candidate latencies (candidates are sequential, so they sum to {@link lookupLatencyS}). */
export function candidateLatenciesS(result: LookupResult, rttS: number): number[] {
  return result.candidates.map((c) => c.waitS + c.rtts * rttS);
}

class Trace {
  readonly queries: DnsQuery[] = [];
  readonly candidates: Candidate[] = [];
  udpSockets = 0;
  tcpConnections = 0;
  racePairs = 0;
  private nextId = 0;
  private readonly flows = new Set<number>();
  private readonly sends = new Map<string, number>();

  constructor(
    readonly nameservers: readonly string[],
    private readonly exists: ExistsFn,
  ) {}

  get udpFlows(): number {
    return this.flows.size;
  }

  newUdp(): number {
    this.udpSockets++;
    return ++this.nextId;
  }

  newTcp(): number {
    this.tcpConnections++;
    return ++this.nextId;
  }

  send(name: string, type: QType, candidate: number, ns: number, socket: number, transport: Transport, concurrent: boolean): Rcode {
    const key = `${ns}|${type}|${name}`;
    const n = this.sends.get(key) ?? 0;
    this.sends.set(key, n + 1);
    const nameserver = this.nameservers[ns];
    const rcode = this.exists(name, type, { nameserver, nameserverIndex: ns, send: n });
    this.queries.push({ name, type, candidate, nameserverIndex: ns, nameserver, socket, transport, concurrent, rcode });
    if (transport === "udp") this.flows.add(socket * 8 + ns);
    return rcode;
  }

  begin(name: string, origin: "search" | "absolute", mode: SendMode): number {
    this.candidates.push({
      name,
      origin,
      firstQuery: this.queries.length,
      queryCount: 0,
      mode,
      result: "TIMEOUT",
      hasA: false,
      hasAAAA: false,
      rtts: 0,
      waitS: 0,
    });
    return this.candidates.length - 1;
  }

  end(i: number, result: CandidateResult, hasA: boolean, hasAAAA: boolean, rtts: number, waitS: number): void {
    const c = this.candidates[i];
    c.queryCount = this.queries.length - c.firstQuery;
    c.result = result;
    c.hasA = hasA;
    c.hasAAAA = hasAAAA;
    c.rtts = rtts;
    c.waitS = waitS;
  }
}

/**
 * The queries one getaddrinfo(name, AF_UNSPEC) call sends, in order, with the outcome, per-candidate sending mode
 * and timing, and the socket/flow counts conntrack needs. Deterministic for a deterministic `exists`.
 */
export function queriesForLookup(name: string, conf: ResolvConf, resolver: ResolverKind, exists: ExistsFn, options: LookupOptions = {}): LookupResult {
  const nameservers = conf.nameservers.length > 0 ? conf.nameservers.slice(0, 3) : ["127.0.0.1"];
  const t = new Trace(nameservers, exists);
  let outcome: LookupOutcome;
  const literal = name.endsWith(".") ? name.slice(0, -1) : name;
  if (isIpv4(literal) || isIpv6(name)) {
    // getaddrinfo answers numeric addresses without DNS.
    outcome = { ok: true, name, hasA: isIpv4(literal), hasAAAA: !isIpv4(literal) };
  } else if (resolver === "glibc") {
    outcome = glibcLookup(t, name, conf, options.glibcState ?? { singleRequest: false, singleRequestReopen: false });
  } else {
    outcome = muslLookup(t, name, conf);
  }
  let rtts = 0;
  let waitS = 0;
  for (const c of t.candidates) {
    rtts += c.rtts;
    waitS += c.waitS;
  }
  return {
    name,
    resolver,
    queries: t.queries,
    candidates: t.candidates,
    outcome,
    rtts,
    waitS,
    udpSockets: t.udpSockets,
    udpFlows: t.udpFlows,
    tcpConnections: t.tcpConnections,
    racePairs: t.racePairs,
  };
}

/** Convenience: how many queries (packets) the lookup sends. */
export function queriesPerLookup(name: string, conf: ResolvConf, resolver: ResolverKind, exists: ExistsFn, options: LookupOptions = {}): number {
  return queriesForLookup(name, conf, resolver, exists, options).queries.length;
}

// ---------------------------------------------------------------------------------------------------------------
// glibc

type GoodRcode = "NOERROR" | "NODATA" | "NXDOMAIN";
interface Reply {
  type: QType;
  rcode: Rcode;
}
type Herrno = "HOST_NOT_FOUND" | "NO_DATA" | "TRY_AGAIN";
interface QueryDomainResult {
  success: boolean;
  hasA: boolean;
  hasAAAA: boolean;
  herrno: Herrno;
  /** The answer buffer's rcode is SERVFAIL (what the search loop tests on TRY_AGAIN). */
  servfail: boolean;
}

function glibcLookup(t: Trace, name: string, conf: ResolvConf, st: GlibcState): LookupOutcome {
  const trailing = name.endsWith(".");
  const bare = trailing ? name.slice(0, -1) : name;
  if (bare === "" || bare.endsWith(".")) return { ok: false, error: "EAI_NONAME" };
  const dots = countDots(name);
  const ndots = Math.min(conf.options.ndots, MAX_NDOTS);
  const abs = `${bare}.`;
  let saved: Herrno | undefined;
  let last: Herrno = "HOST_NOT_FOUND";
  let gotNodata = false;
  let gotServfail = false;
  let triedAsIs = false;
  let rootOnList = false;

  const tryName = (fqdn: string, origin: "search" | "absolute"): QueryDomainResult => {
    const r = glibcQueryDomain(t, fqdn, origin, conf, st);
    last = r.herrno;
    return r;
  };
  const ok = (fqdn: string, r: QueryDomainResult): LookupOutcome => ({ ok: true, name: fqdn, hasA: r.hasA, hasAAAA: r.hasAAAA });

  // docs/sources.md §3.2: enough dots (or a trailing dot) → the name as is, first.
  if (dots >= ndots || trailing) {
    const r = tryName(abs, "absolute");
    if (r.success) return ok(abs, r);
    if (trailing) return { ok: false, error: herrnoToEai(r.herrno) };
    saved = r.herrno;
    triedAsIs = true;
  }
  // RES_DEFNAMES and RES_DNSRCH are on by default, so search applies to every name without a trailing dot.
  for (const d of conf.search) {
    let fqdn: string;
    if (d === ".") {
      rootOnList = true;
      fqdn = abs;
    } else fqdn = `${bare}.${d}.`;
    const r = tryName(fqdn, "search");
    if (r.success) return ok(fqdn, r);
    if (r.herrno === "NO_DATA") gotNodata = true;
    else if (r.herrno === "HOST_NOT_FOUND") continue;
    else if (r.servfail)
      gotServfail = true; // docs/sources.md §3.2: SERVFAIL → try next search element
    else break; // a timeout ends the search list
  }
  if (!(triedAsIs || rootOnList)) {
    const r = tryName(abs, "absolute");
    if (r.success) return ok(abs, r);
  }
  const final = saved ?? (gotNodata ? "NO_DATA" : gotServfail ? "TRY_AGAIN" : last);
  return { ok: false, error: herrnoToEai(final) };
}

function herrnoToEai(h: Herrno): LookupError {
  return h === "HOST_NOT_FOUND" ? "EAI_NONAME" : h === "NO_DATA" ? "EAI_NODATA" : "EAI_AGAIN";
}

function candidateResult(r: QueryDomainResult): CandidateResult {
  if (r.success) return "answer";
  if (r.herrno === "HOST_NOT_FOUND") return "NXDOMAIN";
  if (r.herrno === "NO_DATA") return "NODATA";
  return r.servfail ? "SERVFAIL" : "TIMEOUT";
}

/** `__res_context_query` + `__res_context_send` for one candidate name. */
function glibcQueryDomain(t: Trace, fqdn: string, origin: "search" | "absolute", conf: ResolvConf, st: GlibcState): QueryDomainResult {
  const o = conf.options;
  const qtypes: QType[] = o.noAaaa ? ["A"] : ["A", "AAAA"];
  const n = t.nameservers.length;
  const timeout = Math.min(o.timeout, GLIBC_MAX_TIMEOUT_S);
  const attempts = Math.min(Math.max(o.attempts, 1), GLIBC_MAX_ATTEMPTS);
  const reopen = (): boolean => o.singleRequestReopen || st.singleRequestReopen;
  const single = (): boolean => o.singleRequest || st.singleRequest || reopen();
  const mode: SendMode = o.useVc ? "tcp" : qtypes.length === 1 ? "a-only" : reopen() ? "single-request-reopen" : single() ? "single-request" : "parallel";
  const cand = t.begin(fqdn, origin, mode);
  let rtts = 0;
  let waitS = 0;
  let servfailSeen = false;
  let replies: Reply[] | undefined;

  if (o.useVc) {
    // send_vc: one attempt per server; both queries on one connection; no timer of its own.
    for (let ns = 0; ns < n && replies === undefined; ns++) {
      const conn = t.newTcp();
      const got = qtypes.map((q) => ({ type: q, rcode: t.send(fqdn, q, cand, ns, conn, "tcp", false) }));
      if (got.some((r) => r.rcode === "TIMEOUT")) {
        waitS += GLIBC_TCP_TIMEOUT_S;
        continue;
      }
      rtts += 2; // handshake + query/answers
      replies = got;
    }
  } else {
    const socks = new Array<number>(n).fill(-1);
    const open = (ns: number): number => (socks[ns] >= 0 ? socks[ns] : (socks[ns] = t.newUdp()));
    const closeAll = (): void => void socks.fill(-1);

    /** One send_dg call: returns the replies to use, or undefined for "next nameserver". */
    const sendDg = (ns: number, seconds: number): Reply[] | undefined => {
      let sock = open(ns);
      for (;;) {
        const got: Reply[] = [];
        if (!single() || qtypes.length === 1) {
          const concurrent = qtypes.length === 2;
          if (concurrent) t.racePairs++;
          const rs = qtypes.map((q) => ({ type: q, rcode: t.send(fqdn, q, cand, ns, sock, "udp", concurrent) }));
          let received = 0;
          for (const r of rs) {
            if (r.rcode === "TIMEOUT") continue;
            if (r.rcode === "SERVFAIL") {
              servfailSeen = true;
              if (received > 0) {
                rtts += 1;
                if (got.length > 0) return got; // use the good reply alone
                closeAll();
                return undefined; // both failed: next server
              }
              if (qtypes.length === 2) {
                received++; // wait for the other reply
                continue;
              }
              rtts += 1;
              closeAll();
              return undefined;
            }
            got.push(r);
            received++;
          }
          if (received === qtypes.length) {
            rtts += 1;
            return got;
          }
        } else {
          const r1 = t.send(fqdn, qtypes[0], cand, ns, sock, "udp", false);
          if (r1 === "TIMEOUT") {
            waitS += seconds;
            return undefined;
          }
          if (r1 === "SERVFAIL") {
            servfailSeen = true;
            rtts += 1;
            closeAll();
            return undefined;
          }
          got.push({ type: qtypes[0], rcode: r1 });
          if (reopen()) sock = socks[ns] = t.newUdp();
          const r2 = t.send(fqdn, qtypes[1], cand, ns, sock, "udp", false);
          if (r2 !== "TIMEOUT") {
            if (r2 === "SERVFAIL") servfailSeen = true;
            else got.push({ type: qtypes[1], rcode: r2 });
            rtts += 2;
            return got;
          }
        }
        // The deadline expired with a reply missing.
        waitS += seconds;
        if (got.length === 0) return undefined; // next server; the socket stays open
        if (!single()) {
          st.singleRequest = true; // docs/sources.md §4.6: glibc falls back to single-request and retries
          continue;
        }
        if (!reopen()) {
          st.singleRequestReopen = true;
          closeAll();
          sock = open(ns);
          continue;
        }
        return got; // gives up on the second reply and uses the first
      }
    };

    outer: for (let attempt = 0; attempt < attempts; attempt++) {
      for (let ns = 0; ns < n; ns++) {
        const r = sendDg(ns, glibcExchangeTimeoutS(timeout, ns, n));
        if (r !== undefined) {
          replies = r;
          break outer;
        }
      }
    }
  }

  let result: QueryDomainResult;
  if (replies === undefined) {
    result = { success: false, hasA: false, hasAAAA: false, herrno: "TRY_AGAIN", servfail: servfailSeen };
  } else {
    result = glibcJudge(replies);
  }
  t.end(cand, candidateResult(result), result.hasA, result.hasAAAA, rtts, waitS);
  return result;
}

/** `__res_context_query`'s verdict on the replies received (first buffer first). */
function glibcJudge(replies: Reply[]): QueryDomainResult {
  const hasA = replies.some((r) => r.type === "A" && r.rcode === "NOERROR");
  const hasAAAA = replies.some((r) => r.type === "AAAA" && r.rcode === "NOERROR");
  const rc = (r: Reply): Rcode => (r.rcode === "NODATA" ? "NOERROR" : r.rcode);
  const hp = replies[0];
  const hp2 = replies[1] ?? replies[0];
  if (hasA || hasAAAA) return { success: true, hasA, hasAAAA, herrno: "HOST_NOT_FOUND", servfail: false };
  const code = rc(hp) === "NOERROR" ? rc(hp2) : rc(hp);
  const herrno: Herrno = code === "NXDOMAIN" ? "HOST_NOT_FOUND" : code === "NOERROR" ? "NO_DATA" : "TRY_AGAIN";
  return { success: false, hasA, hasAAAA, herrno, servfail: rc(hp) === "SERVFAIL" };
}

// ---------------------------------------------------------------------------------------------------------------
// musl

type MuslVerdict = "answer" | "continue" | "nodata" | "again";

function muslLookup(t: Trace, name: string, conf: ResolvConf): LookupOutcome {
  if (name === "") return { ok: false, error: "EAI_NONAME" };
  const trailing = name.endsWith(".");
  const bare = trailing ? name.slice(0, -1) : name;
  if (bare === "" || bare.endsWith(".")) return { ok: false, error: "EAI_NONAME" };
  const dots = countDots(name);
  const ndots = Math.min(conf.options.ndots, MAX_NDOTS);
  // musl skips a search line it cannot read whole (256-byte buffer).
  const searchLineReadable = `search ${conf.search.join(" ")}`.length <= MUSL_MAX_LINE_CHARS;
  const search = dots >= ndots || trailing || !searchLineReadable ? [] : conf.search;
  for (const d of search) {
    if (d === "." || d.length >= 256 - bare.length - 1) continue; // musl cannot form the name; nothing is sent
    const fqdn = `${bare}.${d}.`;
    const r = muslNameFromDns(t, fqdn, "search", conf);
    if (r.verdict !== "continue") return muslOutcome(fqdn, r);
  }
  const abs = `${bare}.`;
  const r = muslNameFromDns(t, abs, "absolute", conf);
  return r.verdict === "continue" ? { ok: false, error: "EAI_NONAME" } : muslOutcome(abs, r);
}

function muslOutcome(fqdn: string, r: { verdict: MuslVerdict; hasA: boolean; hasAAAA: boolean }): LookupOutcome {
  if (r.verdict === "answer") return { ok: true, name: fqdn, hasA: r.hasA, hasAAAA: r.hasAAAA };
  return { ok: false, error: r.verdict === "nodata" ? "EAI_NODATA" : "EAI_AGAIN" };
}

/** `name_from_dns` + `__res_msend_rc` for one candidate. */
function muslNameFromDns(t: Trace, fqdn: string, origin: "search" | "absolute", conf: ResolvConf): { verdict: MuslVerdict; hasA: boolean; hasAAAA: boolean } {
  const o = conf.options;
  const qtypes: QType[] = ["A", "AAAA"];
  const n = t.nameservers.length;
  const timeoutMs = 1000 * Math.min(o.timeout, MUSL_MAX_TIMEOUT_S);
  const attempts = Math.min(Math.max(o.attempts, 1), MUSL_MAX_ATTEMPTS);
  const intervalMs = Math.floor(timeoutMs / attempts); // docs/sources.md §3.2: 5 s / 2 = 2.5 s
  const cand = t.begin(fqdn, origin, "parallel");
  const sock = t.newUdp();
  const accepted: (GoodRcode | undefined)[] = [undefined, undefined];
  const at: { round: number; depth: number }[] = [
    { round: 0, depth: 0 },
    { round: 0, depth: 0 },
  ];
  let servfailSeen = false;

  for (let round = 0; intervalMs > 0 && round * intervalMs < timeoutMs; round++) {
    if (accepted.every((a) => a !== undefined)) break;
    const pending = [0, 1].filter((i) => accepted[i] === undefined);
    const concurrent = pending.length > 1;
    if (concurrent) t.racePairs += n;
    const queue: { qi: number; ns: number; depth: number; rcode: Rcode }[] = [];
    for (const qi of pending) {
      for (let ns = 0; ns < n; ns++) queue.push({ qi, ns, depth: 1, rcode: t.send(fqdn, qtypes[qi], cand, ns, sock, "udp", concurrent) });
    }
    let servfailRetry = 2 * qtypes.length;
    for (let k = 0; k < queue.length; k++) {
      const e = queue[k];
      if (accepted[e.qi] !== undefined || e.rcode === "TIMEOUT") continue;
      if (e.rcode === "SERVFAIL") {
        servfailSeen = true;
        if (servfailRetry > 0) {
          servfailRetry--;
          queue.push({ qi: e.qi, ns: e.ns, depth: e.depth + 1, rcode: t.send(fqdn, qtypes[e.qi], cand, e.ns, sock, "udp", false) });
        }
        continue;
      }
      accepted[e.qi] = e.rcode;
      at[e.qi] = { round, depth: e.depth };
    }
  }

  let rtts = 0;
  let waitS: number;
  if (accepted.every((a) => a !== undefined)) {
    const lastAt = at[0].round > at[1].round || (at[0].round === at[1].round && at[0].depth >= at[1].depth) ? at[0] : at[1];
    waitS = (lastAt.round * intervalMs) / 1000;
    rtts = lastAt.depth;
  } else {
    waitS = timeoutMs / 1000;
  }

  let verdict: MuslVerdict | undefined;
  for (let i = 0; i < 2 && verdict === undefined; i++) {
    if (accepted[i] === undefined) verdict = "again";
    else if (accepted[i] === "NXDOMAIN") verdict = "continue";
  }
  const hasA = accepted[0] === "NOERROR";
  const hasAAAA = accepted[1] === "NOERROR";
  verdict ??= hasA || hasAAAA ? "answer" : "nodata";
  const result: CandidateResult =
    verdict === "answer" ? "answer" : verdict === "continue" ? "NXDOMAIN" : verdict === "nodata" ? "NODATA" : servfailSeen ? "SERVFAIL" : "TIMEOUT";
  t.end(cand, result, hasA, hasAAAA, rtts, waitS);
  return { verdict, hasA, hasAAAA };
}

// ---------------------------------------------------------------------------------------------------------------
// Oracles

export interface RecordSet {
  A?: boolean;
  AAAA?: boolean;
}

/**
 * An `exists` oracle from a record table keyed by name (case-insensitive, trailing dot optional): a listed name
 * answers NOERROR for the types it has and NODATA for the others; anything else is NXDOMAIN.
 */
export function existsFromRecords(records: Readonly<Record<string, RecordSet>> | ReadonlyMap<string, RecordSet>): ExistsFn {
  const table = new Map<string, RecordSet>();
  const entries = records instanceof Map ? [...records.entries()] : Object.entries(records);
  for (const [k, v] of entries) table.set(normaliseName(k), v);
  return (fqdn, qtype) => {
    const r = table.get(normaliseName(fqdn));
    if (r === undefined) return "NXDOMAIN";
    return r[qtype] ? "NOERROR" : "NODATA";
  };
}

export function normaliseName(name: string): string {
  const lower = name.toLowerCase();
  return lower.endsWith(".") ? lower.slice(0, -1) : lower;
}

/**
 * CoreDNS autopath (docs/sources.md §3.4) seen from the client: a query for `<x>.<first search domain>` is answered
 * with the first non-NXDOMAIN result of walking the rest of the search list and then `<x>.` on the server; a fully
 * negative walk returns NXDOMAIN and the client then searches the remaining paths itself. Use only where autopath
 * applies (pod source IP visible to CoreDNS: not behind NodeLocal DNSCache, not hostNetwork).
 */
export function withAutopath(exists: ExistsFn, conf: ResolvConf): ExistsFn {
  const first = conf.search[0];
  if (first === undefined || first === ".") return exists;
  const suffix = `.${first}.`;
  return (fqdn, qtype, ctx) => {
    const r0 = exists(fqdn, qtype, ctx);
    if (r0 !== "NXDOMAIN" || !fqdn.endsWith(suffix) || fqdn.length === suffix.length) return r0;
    const base = fqdn.slice(0, -suffix.length);
    for (const d of conf.search.slice(1)) {
      if (d === ".") continue;
      const r = exists(`${base}.${d}.`, qtype, ctx);
      if (r !== "NXDOMAIN") return r;
    }
    return exists(`${base}.`, qtype, ctx);
  };
}
