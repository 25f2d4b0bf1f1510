import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { kubeletClusterFirst, parseResolvConfStrict } from "./resolv-conf.js";
import type { ResolvConf } from "./resolv-conf.js";
import { existsFromRecords, glibcExchangeTimeoutS, lookupLatencyS, queriesForLookup, queriesPerLookup, withAutopath } from "./resolver.js";
import type { ExistsFn, QType, Rcode, ResolverKind } from "./resolver.js";

const GKE_HOST = ["c.my-project.internal", "google.internal"];
const AWS_HOST = ["us-east-1.compute.internal"];
const hostDomains = [[], AWS_HOST, GKE_HOST] as const;

/** A cluster: services answer A only (AAAA NODATA), the external name has both. */
const cluster = existsFromRecords({
  "svc.default.svc.cluster.local": { A: true },
  "svc.otherns.svc.cluster.local": { A: true },
  "api.stripe.com": { A: true, AAAA: true },
});

const conf = (host: readonly string[] = []): ResolvConf => kubeletClusterFirst("default", "cluster.local", host);
const withNdots = (c: ResolvConf, ndots: number): ResolvConf => ({ ...c, options: { ...c.options, ndots } });
const both: ResolverKind[] = ["glibc", "musl"];
const names = (r: ReturnType<typeof queriesForLookup>): string[] => r.queries.map((q) => `${q.type} ${q.name}`);

describe("query counts per lookup (docs/sources.md §3.3)", () => {
  it("external name: 8 / 10 / 12 queries for 0 / 1 / 2 host domains under glibc (and musl)", () => {
    for (const [h, want] of [
      [0, 8],
      [1, 10],
      [2, 12],
    ] as const) {
      for (const resolver of both) {
        const r = queriesForLookup("api.stripe.com", conf(hostDomains[h]), resolver, cluster);
        expect(r.queries.length, `${resolver} H=${h}`).toBe(want);
        expect(r.outcome).toEqual({ ok: true, name: "api.stripe.com.", hasA: true, hasAAAA: true });
        expect(r.candidates.map((c) => c.result)).toEqual([...Array(3 + h).fill("NXDOMAIN"), "answer"]);
        expect(r.candidates.at(-1)!.origin).toBe("absolute");
      }
      expect(queriesPerLookup("api.stripe.com", conf(hostDomains[h]), "glibc", cluster)).toBe(want);
    }
  });

  it("lists the queries in order: search domains, then the absolute name, A and AAAA per candidate", () => {
    const r = queriesForLookup("api.stripe.com", conf(AWS_HOST), "glibc", cluster);
    expect(names(r)).toEqual([
      "A api.stripe.com.default.svc.cluster.local.",
      "AAAA api.stripe.com.default.svc.cluster.local.",
      "A api.stripe.com.svc.cluster.local.",
      "AAAA api.stripe.com.svc.cluster.local.",
      "A api.stripe.com.cluster.local.",
      "AAAA api.stripe.com.cluster.local.",
      "A api.stripe.com.us-east-1.compute.internal.",
      "AAAA api.stripe.com.us-east-1.compute.internal.",
      "A api.stripe.com.",
      "AAAA api.stripe.com.",
    ]);
    // Parallel on one socket per candidate: one fresh UDP 5-tuple per candidate, each pair exposed to the race.
    expect(r.candidates.every((c) => c.mode === "parallel" && c.rtts === 1 && c.waitS === 0)).toBe(true);
    expect(r.queries.every((q) => q.concurrent && q.transport === "udp")).toBe(true);
    expect([r.udpSockets, r.udpFlows, r.racePairs, r.tcpConnections]).toEqual([5, 5, 5, 0]);
  });

  it("client latency = candidates × RTT: 5 × 2.404 ms = 12.02 ms, the published external figure (docs/sources.md §2.2)", () => {
    const r = queriesForLookup("api.stripe.com", conf(AWS_HOST), "glibc", cluster);
    expect(lookupLatencyS(r, 0.002404) * 1000).toBeCloseTo(12.02, 6);
  });

  it("same-namespace short name: 2 queries (A NOERROR + AAAA NODATA is an answer)", () => {
    for (const resolver of both) {
      for (const h of hostDomains) {
        const r = queriesForLookup("svc", conf(h), resolver, cluster);
        expect(r.queries.length).toBe(2);
        expect(r.outcome).toEqual({ ok: true, name: "svc.default.svc.cluster.local.", hasA: true, hasAAAA: false });
        expect(r.queries.map((q) => q.rcode)).toEqual(["NOERROR", "NODATA"]);
      }
    }
  });

  it("cross-namespace name svc.otherns: 4 queries", () => {
    for (const resolver of both) {
      const r = queriesForLookup("svc.otherns", conf(GKE_HOST), resolver, cluster);
      expect(r.queries.length).toBe(4);
      expect(r.outcome).toMatchObject({ ok: true, name: "svc.otherns.svc.cluster.local." });
    }
  });

  it("FQDN without trailing dot (4 dots < ndots 5): 8 / 10 / 12, the search list first", () => {
    for (const [h, want] of [
      [0, 8],
      [1, 10],
      [2, 12],
    ] as const) {
      for (const resolver of both) {
        const r = queriesForLookup("svc.default.svc.cluster.local", conf(hostDomains[h]), resolver, cluster);
        expect(r.queries.length).toBe(want);
        expect(r.queries[0].name).toBe("svc.default.svc.cluster.local.default.svc.cluster.local.");
        expect(r.outcome).toMatchObject({ ok: true, name: "svc.default.svc.cluster.local." });
      }
    }
  });

  it("trailing dot: 2 queries, absolute only, for both resolvers, even when it does not exist", () => {
    for (const resolver of both) {
      expect(queriesPerLookup("svc.default.svc.cluster.local.", conf(GKE_HOST), resolver, cluster)).toBe(2);
      const r = queriesForLookup("nope.example.com.", conf(GKE_HOST), resolver, cluster);
      expect(r.queries.length).toBe(2);
      expect(r.outcome).toEqual({ ok: false, error: "EAI_NONAME" });
    }
  });

  it("dots ≥ ndots: glibc tries the absolute name first then the search list; musl the absolute name alone", () => {
    const name = "x.a.b.c.example.com"; // 5 dots, NXDOMAIN everywhere
    const c = conf(GKE_HOST);
    const musl = queriesForLookup(name, c, "musl", cluster);
    expect(musl.queries.length).toBe(2);
    expect(musl.outcome).toEqual({ ok: false, error: "EAI_NONAME" });
    const glibc = queriesForLookup(name, c, "glibc", cluster);
    expect(glibc.candidates.map((x) => x.origin)).toEqual(["absolute", "search", "search", "search", "search", "search"]);
    expect(glibc.queries.length).toBe(12);
    // An existing name with enough dots: 2 for both.
    for (const resolver of both) expect(queriesPerLookup("api.stripe.com", withNdots(c, 2), resolver, cluster)).toBe(2);
  });

  it("ndots ≤ 4: the 4-dot service FQDN costs 2 queries under glibc (absolute first) and musl (search suppressed)", () => {
    for (const ndots of [1, 2, 3, 4]) {
      for (const resolver of both) {
        const r = queriesForLookup("svc.default.svc.cluster.local", withNdots(conf(GKE_HOST), ndots), resolver, cluster);
        expect(r.queries.length, `${resolver} ndots:${ndots}`).toBe(2);
        expect(r.candidates[0].origin).toBe("absolute");
      }
    }
    // ndots:1 still searches a single label.
    for (const resolver of both) expect(queriesPerLookup("svc", withNdots(conf(), 1), resolver, cluster)).toBe(2);
  });

  it("an IP literal sends nothing", () => {
    for (const resolver of both) {
      const r = queriesForLookup("10.0.0.1", conf(), resolver, cluster);
      expect(r.queries.length).toBe(0);
      expect(r.outcome.ok).toBe(true);
    }
  });
});

describe("failure handling: glibc vs musl (docs/sources.md §3.2)", () => {
  /** The first search candidate's server fails persistently. */
  const servfailFirst: ExistsFn = (fqdn, qtype, ctx) => (fqdn.endsWith(".default.svc.cluster.local.") ? "SERVFAIL" : cluster(fqdn, qtype, ctx));

  it("SERVFAIL: glibc retries (attempts × servers) and continues the search; musl retries at once, then aborts with EAI_AGAIN after 5 s", () => {
    const c = conf(AWS_HOST);
    const g = queriesForLookup("api.stripe.com", c, "glibc", servfailFirst);
    expect(g.outcome).toMatchObject({ ok: true, name: "api.stripe.com." });
    expect(g.candidates[0]).toMatchObject({ result: "SERVFAIL", queryCount: 4, rtts: 2, waitS: 0 });
    expect(g.queries.length).toBe(4 + 8);
    expect(g.udpSockets).toBe(2 + 4); // the SERVFAIL exchange closes its socket; the retry opens a new one

    const m = queriesForLookup("api.stripe.com", c, "musl", servfailFirst);
    expect(m.outcome).toEqual({ ok: false, error: "EAI_AGAIN" });
    expect(m.candidates).toHaveLength(1);
    // Two retransmit rounds (0 s, 2.5 s), each: A + AAAA, then up to 2 × 2 immediate SERVFAIL re-sends.
    expect(m.candidates[0]).toMatchObject({ result: "SERVFAIL", queryCount: 12, waitS: 5 });
  });

  it("SERVFAIL for AAAA only: glibc answers with A alone; musl aborts (A is not enough)", () => {
    const aaaaFails: ExistsFn = (fqdn, qtype, ctx) => (qtype === "AAAA" && fqdn === "svc.default.svc.cluster.local." ? "SERVFAIL" : cluster(fqdn, qtype, ctx));
    const g = queriesForLookup("svc", conf(), "glibc", aaaaFails);
    expect(g.outcome).toEqual({ ok: true, name: "svc.default.svc.cluster.local.", hasA: true, hasAAAA: false });
    expect(g.queries.length).toBe(2);
    const m = queriesForLookup("svc", conf(), "musl", aaaaFails);
    expect(m.outcome).toEqual({ ok: false, error: "EAI_AGAIN" });
  });

  it("NXDOMAIN for A with a SERVFAIL for AAAA: musl checks A first and continues", () => {
    const odd: ExistsFn = (fqdn, qtype, ctx) =>
      qtype === "AAAA" && fqdn === "api.stripe.com.default.svc.cluster.local." ? "SERVFAIL" : cluster(fqdn, qtype, ctx);
    const m = queriesForLookup("api.stripe.com", conf(), "musl", odd);
    expect(m.outcome).toMatchObject({ ok: true, name: "api.stripe.com." });
    expect(m.candidates[0]).toMatchObject({ result: "NXDOMAIN", waitS: 5 }); // it still waited for AAAA
  });

  it("NODATA for both types: glibc continues the search, musl stops with EAI_NODATA", () => {
    const exists = existsFromRecords({ "db.default.svc.cluster.local": {}, "db.svc.cluster.local": { A: true } });
    expect(queriesForLookup("db", conf(), "glibc", exists).outcome).toMatchObject({ ok: true, name: "db.svc.cluster.local." });
    const m = queriesForLookup("db", conf(), "musl", exists);
    expect(m.outcome).toEqual({ ok: false, error: "EAI_NODATA" });
    expect(m.queries.length).toBe(2);
  });

  it("DNS down (no replies): glibc waits timeout × attempts per candidate, stops the search, still tries the name as is; musl gives up after 5 s", () => {
    const down: ExistsFn = () => "TIMEOUT";
    const g = queriesForLookup("api.stripe.com", conf(GKE_HOST), "glibc", down);
    expect(g.outcome).toEqual({ ok: false, error: "EAI_AGAIN" });
    expect(g.candidates.map((c) => [c.origin, c.result, c.waitS])).toEqual([
      ["search", "TIMEOUT", 10],
      ["absolute", "TIMEOUT", 10],
    ]);
    expect(g.queries.length).toBe(8);
    expect(g.udpSockets).toBe(2); // the socket survives a timeout within a candidate
    const m = queriesForLookup("api.stripe.com", conf(GKE_HOST), "musl", down);
    expect(m.outcome).toEqual({ ok: false, error: "EAI_AGAIN" });
    expect([m.queries.length, m.waitS]).toEqual([4, 5]);
  });

  it("the conntrack race: a lost AAAA costs glibc 5 s then a single-request retry, musl a 2.5 s retransmit (docs/sources.md §4.6)", () => {
    const lostOnce: ExistsFn = (fqdn, qtype, ctx) => (qtype === "AAAA" && ctx.send === 0 ? "TIMEOUT" : cluster(fqdn, qtype, ctx));
    const g = queriesForLookup("svc", conf(), "glibc", lostOnce);
    expect(g.outcome).toMatchObject({ ok: true, name: "svc.default.svc.cluster.local." });
    expect(names(g)).toEqual([
      "A svc.default.svc.cluster.local.",
      "AAAA svc.default.svc.cluster.local.",
      "A svc.default.svc.cluster.local.",
      "AAAA svc.default.svc.cluster.local.",
    ]);
    expect(g.queries.map((q) => q.concurrent)).toEqual([true, true, false, false]);
    expect([g.waitS, g.rtts]).toEqual([5, 2]);
    expect(lookupLatencyS(g, 0.001)).toBeCloseTo(5.002, 9);

    const m = queriesForLookup("svc", conf(), "musl", lostOnce);
    expect(m.queries.map((q) => q.type)).toEqual(["A", "AAAA", "AAAA"]);
    expect([m.waitS, m.rtts]).toEqual([2.5, 1]);
  });

  it("glibc's single-request fallback sticks to the resolver state", () => {
    const lostOnce: ExistsFn = (fqdn, qtype, ctx) => (qtype === "AAAA" && ctx.send === 0 && fqdn.startsWith("svc.") ? "TIMEOUT" : cluster(fqdn, qtype, ctx));
    const state = { singleRequest: false, singleRequestReopen: false };
    queriesForLookup("svc", conf(), "glibc", lostOnce, { glibcState: state });
    expect(state.singleRequest).toBe(true);
    const next = queriesForLookup("api.stripe.com", conf(), "glibc", cluster, { glibcState: state });
    expect(next.candidates.every((c) => c.mode === "single-request")).toBe(true);
    expect(next.racePairs).toBe(0);
    expect(next.rtts).toBe(8);
  });

  it("glibc persistent AAAA loss: single-request, then single-request-reopen, then A alone", () => {
    const noAaaa: ExistsFn = (fqdn, qtype, ctx) => (qtype === "AAAA" ? "TIMEOUT" : cluster(fqdn, qtype, ctx));
    const g = queriesForLookup("svc", conf(), "glibc", noAaaa);
    expect(g.outcome).toEqual({ ok: true, name: "svc.default.svc.cluster.local.", hasA: true, hasAAAA: false });
    expect(g.queries.length).toBe(6);
    expect(g.waitS).toBe(15);
  });

  it("two nameservers: glibc tries them in order with its per-server deadlines; musl queries both at once", () => {
    const c = { ...conf(), nameservers: ["10.96.0.10", "10.96.0.11"] };
    const firstDown: ExistsFn = (fqdn, qtype, ctx) => (ctx.nameserverIndex === 0 ? "TIMEOUT" : cluster(fqdn, qtype, ctx));
    const g = queriesForLookup("svc", c, "glibc", firstDown);
    expect(g.queries.map((q) => q.nameserverIndex)).toEqual([0, 0, 1, 1]);
    expect([g.waitS, g.rtts]).toEqual([5, 1]);
    const m = queriesForLookup("svc", c, "musl", firstDown);
    expect(m.queries.map((q) => q.nameserverIndex)).toEqual([0, 1, 0, 1]);
    expect([m.waitS, m.rtts, m.udpSockets, m.udpFlows]).toEqual([0, 1, 1, 2]);
    expect([glibcExchangeTimeoutS(5, 0, 3), glibcExchangeTimeoutS(5, 1, 3), glibcExchangeTimeoutS(5, 2, 3), glibcExchangeTimeoutS(5, 1, 2)]).toEqual([
      5, 3, 6, 5,
    ]);
  });
});

describe("resolver options", () => {
  const opts = (text: string): ResolvConf =>
    parseResolvConfStrict(`nameserver 10.96.0.10\nsearch default.svc.cluster.local svc.cluster.local cluster.local\n${text}\n`);

  it("single-request: sequential A then AAAA on one socket; reopen: a new socket for AAAA; musl ignores both", () => {
    const sr = queriesForLookup("api.stripe.com", opts("options ndots:5 single-request"), "glibc", cluster);
    expect(sr.queries.length).toBe(8);
    expect([sr.racePairs, sr.udpSockets, sr.rtts]).toEqual([0, 4, 8]);
    const rr = queriesForLookup("api.stripe.com", opts("options ndots:5 single-request-reopen"), "glibc", cluster);
    expect(rr.candidates[0].mode).toBe("single-request-reopen");
    expect([rr.racePairs, rr.udpSockets, rr.udpFlows]).toEqual([0, 8, 8]);
    const m = queriesForLookup("api.stripe.com", opts("options ndots:5 single-request-reopen"), "musl", cluster);
    expect(m.racePairs).toBe(4);
  });

  it("use-vc: glibc sends both queries over one TCP connection per candidate", () => {
    const r = queriesForLookup("api.stripe.com", opts("options ndots:5 use-vc"), "glibc", cluster);
    expect(r.queries.length).toBe(8);
    expect(r.queries.every((q) => q.transport === "tcp" && !q.concurrent)).toBe(true);
    expect([r.tcpConnections, r.udpFlows, r.racePairs, r.rtts]).toEqual([4, 0, 0, 8]);
  });

  it("no-aaaa (glibc): A only; musl still asks AAAA", () => {
    expect(queriesPerLookup("api.stripe.com", opts("options ndots:5 no-aaaa"), "glibc", cluster)).toBe(4);
    expect(queriesPerLookup("api.stripe.com", opts("options ndots:5 no-aaaa"), "musl", cluster)).toBe(8);
  });

  it("timeout and attempts shape musl's retransmits", () => {
    const down: ExistsFn = () => "TIMEOUT";
    const r = queriesForLookup("svc", opts("options ndots:5 timeout:2 attempts:4"), "musl", down);
    expect([r.queries.length, r.waitS]).toEqual([8, 2]); // rounds at 0, 0.5, 1, 1.5 s
    const g = queriesForLookup("svc.default.svc.cluster.local.", opts("options timeout:2 attempts:3"), "glibc", down);
    expect([g.queries.length, g.waitS]).toEqual([6, 6]);
  });
});

describe("autopath (docs/sources.md §3.4)", () => {
  it("collapses a positive external lookup to one query per qtype; a negative one still walks the whole list", () => {
    const c = conf(AWS_HOST);
    const ap = withAutopath(cluster, c);
    const r = queriesForLookup("api.stripe.com", c, "glibc", ap);
    expect(r.queries.length).toBe(2);
    expect(r.outcome).toMatchObject({ ok: true, name: "api.stripe.com.default.svc.cluster.local." });
    expect(queriesPerLookup("nope.example.org", c, "glibc", ap)).toBe(10);
    expect(queriesPerLookup("svc", c, "musl", ap)).toBe(2);
  });
});

describe("properties", () => {
  const label = fc.stringMatching(/^[a-z][a-z0-9]{0,6}$/);
  const nameArb = fc.array(label, { minLength: 1, maxLength: 6 }).map((ls) => ls.join("."));
  const rcodeArb = fc.constantFrom<Rcode>("NOERROR", "NODATA", "NXDOMAIN");

  it("with well-behaved servers: 2 queries per candidate, candidates ≤ search + 1, the answer is the last candidate", () => {
    fc.assert(
      fc.property(
        nameArb,
        fc.integer({ min: 0, max: 3 }),
        fc.constantFrom<ResolverKind>("glibc", "musl"),
        fc.func(rcodeArb),
        fc.integer({ min: 1, max: 6 }),
        (name, h, resolver, f, ndots) => {
          const c = withNdots(conf(["h1.example", "h2.example", "h3.example"].slice(0, h)), ndots);
          const exists: ExistsFn = (fqdn: string, qtype: QType) => f(fqdn, qtype);
          const r = queriesForLookup(name, c, resolver, exists);
          expect(r.queries.length).toBe(2 * r.candidates.length);
          expect(r.candidates.length).toBeLessThanOrEqual(c.search.length + 1);
          expect(r.waitS).toBe(0);
          expect(r.rtts).toBe(r.candidates.length);
          if (r.outcome.ok) expect(r.candidates.at(-1)!.name).toBe(r.outcome.name);
          // Deterministic.
          expect(queriesForLookup(name, c, resolver, exists)).toEqual(r);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("glibc and musl agree when dots < ndots, servers are consistent and no name is NODATA for both types", () => {
    // Consistent: NXDOMAIN is per name (both types), an existing name has data for at least one type. (With an
    // inconsistent A-NXDOMAIN / AAAA-data reply they differ: glibc answers, musl checks A first and moves on.)
    const kind = fc.constantFrom("nx", "A", "AAAA", "both");
    fc.assert(
      fc.property(nameArb, fc.integer({ min: 0, max: 2 }), fc.func(kind), (name, h, f) => {
        const c = conf(GKE_HOST.slice(0, h));
        fc.pre(name.split(".").length - 1 < 5);
        const exists: ExistsFn = (fqdn: string, qtype: QType) => {
          const k = f(fqdn);
          return k === "nx" ? "NXDOMAIN" : k === "both" || k === qtype ? "NOERROR" : "NODATA";
        };
        const g = queriesForLookup(name, c, "glibc", exists);
        const m = queriesForLookup(name, c, "musl", exists);
        expect(names(m)).toEqual(names(g));
        expect(m.outcome).toEqual(g.outcome);
      }),
      { numRuns: 300 },
    );
  });
});
