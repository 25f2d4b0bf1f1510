/**
 * Tests of the nftables proxier transaction generator against upstream's own expectations
 * (kubernetes/kubernetes pkg/proxy/nftables/proxier_test.go @ 81810de6, the v1.34 line), and against the real `nft`.
 *
 * Upstream's tests run syncProxyRules against knftables' Fake and compare `nft.Dump()` (the resulting table as "add"
 * lines) with the expected text after helpers_test.go's sortNFTablesTransaction. Here the generated transaction is
 * applied to a small fake table with kernel-like strictness (FakeTable below), dumped in knftables Fake.Dump's
 * format, and compared after the same sorting (sortNFTablesTransaction below is a port).
 */

import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  endpointChainNames,
  hashAndTruncate,
  nftInput,
  nftStaleChainDeletionInput,
  serviceChainNames,
  servicePortChainNameBase,
  servicePortKey,
  servicePortEndpointChainNameBase,
  type NftFamily,
} from "./nftables.js";
import type { ProxyEndpoint, ProxyRuleset, ProxyServicePort } from "./types.js";

// ---------------------------------------------------------------------------------------------------------------
// Helpers

/** helpers_test.go objectOrder / sortNFTablesTransaction, ported (the normalisation upstream's tests compare with). */
const objectOrder: Record<string, number> = { table: 10, chain: 9, rule: 8, set: 7, map: 6, element: 5 };
function sortNFTablesTransaction(tx: string): string {
  // Strip blank lines and comments (and, as lithammer/dedent does for the fixtures, indentation).
  const lines = tx
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "" && !l.startsWith("#"));
  const less = (li: string, lj: string): boolean => {
    const wi = li.split(" ");
    const wj = lj.split(" ");
    if (wi.length < 5 || wj.length < 5) return false;
    if (wi[1] !== wj[1]) return (objectOrder[wi[1]] ?? 0) >= (objectOrder[wj[1]] ?? 0);
    if (wi[4] !== wj[4]) return wi[4] < wj[4];
    if (wi[1] === "rule") return false; // rules stay in the order they were added
    return li < lj;
  };
  return lines.sort((a, b) => (less(a, b) ? -1 : less(b, a) ? 1 : 0)).join("\n");
}

/**
 * A table that applies `nft -f` text like the kernel would, failing where nft would (missing objects, references to
 * missing chains, deleting a referenced chain, re-adding a map element with another value), and dumps itself like
 * knftables' Fake.Dump: the add lines of the table, chains, sets and maps, then rules and elements.
 */
class FakeTable {
  private table: string | undefined;
  private readonly chains = new Map<string, { line: string; rules: string[] }>();
  private readonly sets = new Map<string, { line: string; elements: Map<string, string> }>();

  apply(text: string): void {
    for (const line of text.split("\n")) if (line.trim() !== "") this.applyLine(line.trim());
  }

  private applyLine(line: string): void {
    const w = line.split(" ");
    const [verb, type] = w;
    const name = w[4];
    const fail = (why: string): never => {
      throw new Error(`${why}: ${line}`);
    };
    if (type === "table") {
      if (verb === "add") this.table ??= line;
      else fail("unsupported");
      return;
    }
    if (this.table === undefined) fail("no table");
    switch (type) {
      case "chain": {
        const ch = this.chains.get(name);
        if (verb === "add") {
          if (ch === undefined) this.chains.set(name, { line, rules: [] });
        } else if (verb === "flush") {
          if (ch === undefined) fail("no such chain");
          ch!.rules = [];
        } else if (verb === "delete") {
          // The kernel deletes the chain's own rules with it (nf_tables_delchain), but not a chain still
          // referenced by a rule or a map element.
          if (ch === undefined) fail("no such chain");
          if (this.referenced(name)) fail("chain in use");
          this.chains.delete(name);
        } else fail("unsupported");
        return;
      }
      case "rule": {
        const ch = this.chains.get(name);
        if (verb !== "add" || ch === undefined) fail("bad rule");
        for (const target of line.matchAll(/(?:goto|jump) (\S+)/g)) if (!this.chains.has(target[1])) fail(`no chain ${target[1]}`);
        ch!.rules.push(line);
        return;
      }
      case "set":
      case "map": {
        const s = this.sets.get(name);
        if (verb === "add") {
          if (s === undefined) this.sets.set(name, { line, elements: new Map() });
        } else if (verb === "flush") {
          if (s === undefined) fail(`no such ${type}`);
          s!.elements.clear();
        } else if (verb === "delete") {
          if (s === undefined) fail(`no such ${type}`);
          this.sets.delete(name);
        } else fail("unsupported");
        return;
      }
      case "element": {
        const s = this.sets.get(name);
        if (s === undefined) fail("no such set/map");
        const inner = line.slice(line.indexOf("{ ") + 2, line.lastIndexOf(" }"));
        const key = inner.split(/ comment "| : /)[0];
        const value = inner.includes(" : ") ? inner.slice(inner.indexOf(" : ") + 3) : "";
        if (verb === "add") {
          const existing = s!.elements.get(key);
          if (existing !== undefined) {
            const existingValue = existing.includes(" : ") ? existing.slice(existing.lastIndexOf(" : ") + 3, -2) : "";
            if (existingValue !== value) fail("element exists with another value");
            return;
          }
          const target = /^goto (\S+)$/.exec(value);
          if (target !== null && !this.chains.has(target[1])) fail(`no chain ${target[1]}`);
          s!.elements.set(key, line);
        } else if (verb === "delete") {
          if (!s!.elements.delete(key)) fail("no such element");
        } else fail("unsupported");
        return;
      }
      default:
        fail("unknown object");
    }
  }

  private referenced(chain: string): boolean {
    const re = new RegExp(`(?:goto|jump) ${chain.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}(?: |$)`);
    for (const ch of this.chains.values()) if (ch.rules.some((r) => re.test(r))) return true;
    for (const s of this.sets.values()) for (const e of s.elements.values()) if (re.test(e.slice(0, -2))) return true;
    return false;
  }

  dump(): string {
    if (this.table === undefined) return "";
    const byName = <T>(m: Map<string, T>): [string, T][] => [...m].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    const out = [this.table];
    for (const [, ch] of byName(this.chains)) out.push(ch.line);
    for (const [, s] of byName(this.sets)) out.push(s.line);
    for (const [, ch] of byName(this.chains)) out.push(...ch.rules);
    for (const [, s] of byName(this.sets)) out.push(...s.elements.values());
    return out.join("\n");
  }

  chainNames(): string[] {
    return [...this.chains.keys()];
  }
}

function expectSameTable(got: string, expected: string): void {
  expect(sortNFTablesTransaction(got)).toBe(sortNFTablesTransaction(expected));
}

function ep(ip: string, port: number, local = false, ready = true, serving = ready, terminating = false): ProxyEndpoint {
  return { ip, port, ready, serving, terminating, local };
}

/** NewFakeProxier's settings (proxier_test.go): pod CIDR 10.0.0.0/8, ServiceCIDR 172.30.0.0/16, node 192.168.0.2. */
function fakeProxierState(services: ProxyServicePort[]): ProxyRuleset {
  return { nodeIP: "192.168.0.2", clusterCIDR: "10.0.0.0/8", serviceCIDRs: ["172.30.0.0/16"], services };
}
/** NewFakeProxier sets masqueradeMark "0x4000" and --nodeport-addresses 192.168.0.2/32. */
const FAKE_PROXIER_OPTS = { masqueradeMark: "0x4000", nodePortIPs: ["192.168.0.2"] } as const;

function clusterIPService(ns: string, name: string, ip: string, portName: string, port: number, endpoints: ProxyEndpoint[]): ProxyServicePort {
  return { namespace: ns, name, portName, protocol: "TCP", clusterIP: ip, port, endpoints };
}

// proxier_test.go baseRules: what setupNFTables leaves for NewFakeProxier.
const BASE_RULES = `
add table ip kube-proxy { comment "rules for kube-proxy" ; }

add set ip kube-proxy cluster-ips { type ipv4_addr ; comment "Active ClusterIPs" ; }
add set ip kube-proxy nodeport-ips { type ipv4_addr ; comment "IPs that accept NodePort traffic" ; }

add map ip kube-proxy firewall-ips { type ipv4_addr . inet_proto . inet_service : verdict ; comment "destinations that are subject to LoadBalancerSourceRanges" ; }
add map ip kube-proxy no-endpoint-nodeports { type inet_proto . inet_service : verdict ; comment "vmap to drop or reject packets to service nodeports with no endpoints" ; }
add map ip kube-proxy no-endpoint-services { type ipv4_addr . inet_proto . inet_service : verdict ; comment "vmap to drop or reject packets to services with no endpoints" ; }
add map ip kube-proxy service-ips { type ipv4_addr . inet_proto . inet_service : verdict ; comment "ClusterIP, ExternalIP and LoadBalancer IP traffic" ; }
add map ip kube-proxy service-nodeports { type inet_proto . inet_service : verdict ; comment "NodePort traffic" ; }

add chain ip kube-proxy cluster-ips-check
add chain ip kube-proxy filter-prerouting-pre-dnat { type filter hook prerouting priority -110 ; }
add chain ip kube-proxy filter-output-pre-dnat { type filter hook output priority -110 ; }
add chain ip kube-proxy filter-forward { type filter hook forward priority 0 ; }
add chain ip kube-proxy filter-input { type filter hook input priority 0 ; }
add chain ip kube-proxy filter-output { type filter hook output priority 0 ; }
add chain ip kube-proxy firewall-check
add chain ip kube-proxy mark-for-masquerade
add chain ip kube-proxy masquerading
add chain ip kube-proxy nat-output { type nat hook output priority -100 ; }
add chain ip kube-proxy nat-postrouting { type nat hook postrouting priority 100 ; }
add chain ip kube-proxy nat-prerouting { type nat hook prerouting priority -100 ; }
add chain ip kube-proxy nodeport-endpoints-check
add chain ip kube-proxy reject-chain { comment "helper for @no-endpoint-services / @no-endpoint-nodeports" ; }
add chain ip kube-proxy services
add chain ip kube-proxy service-endpoints-check

add rule ip kube-proxy cluster-ips-check ip daddr @cluster-ips reject comment "Reject traffic to invalid ports of ClusterIPs"
add rule ip kube-proxy cluster-ips-check ip daddr { 172.30.0.0/16 } drop comment "Drop traffic to unallocated ClusterIPs"
add rule ip kube-proxy filter-prerouting-pre-dnat ct state new jump firewall-check
add rule ip kube-proxy filter-forward ct state new jump service-endpoints-check
add rule ip kube-proxy filter-forward ct state new jump cluster-ips-check
add rule ip kube-proxy filter-input ct state new jump nodeport-endpoints-check
add rule ip kube-proxy filter-input ct state new jump service-endpoints-check
add rule ip kube-proxy filter-output ct state new jump service-endpoints-check
add rule ip kube-proxy filter-output-pre-dnat ct state new jump firewall-check
add rule ip kube-proxy filter-output ct state new jump cluster-ips-check
add rule ip kube-proxy firewall-check ip daddr . meta l4proto . th dport vmap @firewall-ips
add rule ip kube-proxy mark-for-masquerade mark set mark or 0x4000
add rule ip kube-proxy masquerading mark and 0x4000 == 0 return
add rule ip kube-proxy masquerading mark set mark xor 0x4000
add rule ip kube-proxy masquerading masquerade fully-random
add rule ip kube-proxy nat-output jump services
add rule ip kube-proxy nat-postrouting jump masquerading
add rule ip kube-proxy nat-prerouting jump services
add rule ip kube-proxy nodeport-endpoints-check ip daddr @nodeport-ips meta l4proto . th dport vmap @no-endpoint-nodeports
add rule ip kube-proxy reject-chain reject
add rule ip kube-proxy services ip daddr . meta l4proto . th dport vmap @service-ips
add rule ip kube-proxy services ip daddr @nodeport-ips meta l4proto . th dport vmap @service-nodeports

add element ip kube-proxy nodeport-ips { 192.168.0.2 }
add rule ip kube-proxy service-endpoints-check ip daddr . meta l4proto . th dport vmap @no-endpoint-services
`;

// ---------------------------------------------------------------------------------------------------------------

describe("chain names (proxier_test.go Test_servicePortChainNameBase, Test_servicePortEndpointChainNameBase)", () => {
  const longNs = "very-long-namespace-name-abcdefghijklmnopqrstuvwxyz0123456789xx";
  const longSvc = "very-long-service-name-why-would-you-even-do-this-i-mean-really";
  const longPort = "port-443-providing-the-hypertext-transmission-protocol-with-tls";

  it("service chain name bases", () => {
    expect(servicePortChainNameBase("testing", "service", "tcp", "http")).toBe("P4ZYZVCF-testing/service/tcp/http");
    expect(servicePortChainNameBase("testing", "service", "tcp", "https")).toBe("LZBRENCP-testing/service/tcp/https");
    expect(servicePortChainNameBase(longNs, longSvc, "sctp", longPort)).toBe(`KR6NACJP-${longNs}/${longSvc}/sctp/${longPort}`);
  });

  it("endpoint chain name bases, including IPv6 and truncation", () => {
    expect(servicePortEndpointChainNameBase("testing", "service", "tcp", "http", "10.180.0.1", 80)).toBe("JO2XBXZR-testing/service/tcp/http__10.180.0.1/80");
    expect(servicePortEndpointChainNameBase("testing", "service", "tcp", "http", "10.180.0.2", 80)).toBe("5S6H3H22-testing/service/tcp/http__10.180.0.2/80");
    expect(servicePortEndpointChainNameBase("testing", "service", "tcp", "http", "fd80:abcd:12::a1b2:c3d4:e5f6:9999", 80)).toBe(
      "U7E2ET36-testing/service/tcp/http__fd80.abcd.12..a1b2.c3d4.e5f6.9999/80",
    );
    expect(servicePortEndpointChainNameBase(longNs, longSvc, "sctp", longPort, "1234:5678:9abc:def0::abc:1234", 443)).toBe(
      `5YS7AFEA-${longNs}/${longSvc}/sctp/${longPort}__1234.5678.9abc.def0..abc.1234/443`,
    );
    const truncated = `${longNs}/${longSvc}/sctp/${longPort}__1234.5678.9abc.def0..abcd.1234...`;
    const t1 = servicePortEndpointChainNameBase(longNs, longSvc, "sctp", longPort, "1234:5678:9abc:def0::abcd:1234:5678", 443);
    const t2 = servicePortEndpointChainNameBase(longNs, longSvc, "sctp", longPort, "1234:5678:9abc:def0::abcd:1234:8765", 443);
    expect(t1).toBe(`CI6C53Q3-${truncated}`);
    expect(t2).toBe(`2FLXFK6X-${truncated}`);
    expect(t1.length).toBe(240);
  });

  it("prefixes, and the names used in proxier_test.go's fixtures", () => {
    const svc = clusterIPService("ns1", "svc1", "172.30.0.41", "p80", 80, []);
    expect(serviceChainNames(svc)).toEqual({
      cluster: "service-ULMVA6XW-ns1/svc1/tcp/p80",
      local: "local-ULMVA6XW-ns1/svc1/tcp/p80",
      external: "external-ULMVA6XW-ns1/svc1/tcp/p80",
      firewall: "firewall-ULMVA6XW-ns1/svc1/tcp/p80",
    });
    expect(endpointChainNames(svc, ep("10.180.0.1", 80))).toEqual({
      chain: "endpoint-5OJB2KTY-ns1/svc1/tcp/p80__10.180.0.1/80",
      affinitySet: "affinity-5OJB2KTY-ns1/svc1/tcp/p80__10.180.0.1/80",
    });
    expect(serviceChainNames({ namespace: "ns2", name: "svc2", protocol: "TCP", portName: "p8080" }).cluster).toBe("service-MHHHYRWA-ns2/svc2/tcp/p8080");
    // The hash covers the whole readable part: sha256 → base32, first 8 characters.
    expect(hashAndTruncate("ns1/svc1/tcp/p80")).toBe("ULMVA6XW-ns1/svc1/tcp/p80");
  });
});

/** proxier_test.go TestOverallNFTablesRules: the services it creates. */
function overallServices(): ProxyServicePort[] {
  return [
    // ClusterIP service
    clusterIPService("ns1", "svc1", "172.30.0.41", "p80", 80, [ep("10.180.0.1", 80)]),
    // LoadBalancer with Local traffic policy; its one endpoint is not local.
    {
      ...clusterIPService("ns2", "svc2", "172.30.0.42", "p80", 80, [ep("10.180.0.2", 80)]),
      nodePort: 3001,
      externalTrafficLocal: true,
      loadBalancerIPs: ["1.2.3.4"],
      externalIPs: ["192.168.99.22"],
      healthCheckNodePort: 30000,
    },
    // NodePort service
    { ...clusterIPService("ns3", "svc3", "172.30.0.43", "p80", 80, [ep("10.180.0.3", 80)]), nodePort: 3003 },
    // ExternalIP service (type NodePort, but no node port)
    {
      ...clusterIPService("ns4", "svc4", "172.30.0.44", "p80", 80, [ep("10.180.0.4", 80), ep("10.180.0.5", 80, true)]),
      externalIPs: ["192.168.99.33"],
    },
    // LoadBalancer with Cluster traffic policy, source ranges (with the whitespace upstream tolerates) and affinity
    {
      ...clusterIPService("ns5", "svc5", "172.30.0.45", "p80", 80, [ep("10.180.0.3", 80)]),
      nodePort: 3002,
      loadBalancerIPs: ["5.6.7.8"],
      healthCheckNodePort: 30000,
      loadBalancerSourceRanges: [" 203.0.113.0/25"],
      sessionAffinityTimeoutSeconds: 10800,
    },
    // ClusterIP service with no endpoints
    clusterIPService("ns6", "svc6", "172.30.0.46", "p80", 80, []),
  ];
}

// proxier_test.go TestOverallNFTablesRules: expected (after baseRules).
const OVERALL_EXPECTED = `
# svc1
add chain ip kube-proxy service-ULMVA6XW-ns1/svc1/tcp/p80
add rule ip kube-proxy service-ULMVA6XW-ns1/svc1/tcp/p80 ip daddr 172.30.0.41 ip saddr != 10.0.0.0/8 jump mark-for-masquerade
add rule ip kube-proxy service-ULMVA6XW-ns1/svc1/tcp/p80 numgen random mod 1 vmap { 0 : goto endpoint-5OJB2KTY-ns1/svc1/tcp/p80__10.180.0.1/80 }

add chain ip kube-proxy endpoint-5OJB2KTY-ns1/svc1/tcp/p80__10.180.0.1/80
add rule ip kube-proxy endpoint-5OJB2KTY-ns1/svc1/tcp/p80__10.180.0.1/80 ip saddr 10.180.0.1 jump mark-for-masquerade
add rule ip kube-proxy endpoint-5OJB2KTY-ns1/svc1/tcp/p80__10.180.0.1/80 meta l4proto tcp dnat to 10.180.0.1:80

add element ip kube-proxy cluster-ips { 172.30.0.41 }
add element ip kube-proxy service-ips { 172.30.0.41 . tcp . 80 : goto service-ULMVA6XW-ns1/svc1/tcp/p80 }

# svc2
add chain ip kube-proxy service-42NFTM6N-ns2/svc2/tcp/p80
add rule ip kube-proxy service-42NFTM6N-ns2/svc2/tcp/p80 ip daddr 172.30.0.42 ip saddr != 10.0.0.0/8 jump mark-for-masquerade
add rule ip kube-proxy service-42NFTM6N-ns2/svc2/tcp/p80 numgen random mod 1 vmap { 0 : goto endpoint-SGOXE6O3-ns2/svc2/tcp/p80__10.180.0.2/80 }
add chain ip kube-proxy external-42NFTM6N-ns2/svc2/tcp/p80
add rule ip kube-proxy external-42NFTM6N-ns2/svc2/tcp/p80 ip saddr 10.0.0.0/8 goto service-42NFTM6N-ns2/svc2/tcp/p80 comment "short-circuit pod traffic"
add rule ip kube-proxy external-42NFTM6N-ns2/svc2/tcp/p80 fib saddr type local jump mark-for-masquerade comment "masquerade local traffic"
add rule ip kube-proxy external-42NFTM6N-ns2/svc2/tcp/p80 fib saddr type local goto service-42NFTM6N-ns2/svc2/tcp/p80 comment "short-circuit local traffic"
add chain ip kube-proxy endpoint-SGOXE6O3-ns2/svc2/tcp/p80__10.180.0.2/80
add rule ip kube-proxy endpoint-SGOXE6O3-ns2/svc2/tcp/p80__10.180.0.2/80 ip saddr 10.180.0.2 jump mark-for-masquerade
add rule ip kube-proxy endpoint-SGOXE6O3-ns2/svc2/tcp/p80__10.180.0.2/80 meta l4proto tcp dnat to 10.180.0.2:80

add element ip kube-proxy cluster-ips { 172.30.0.42 }
add element ip kube-proxy service-ips { 172.30.0.42 . tcp . 80 : goto service-42NFTM6N-ns2/svc2/tcp/p80 }
add element ip kube-proxy service-ips { 192.168.99.22 . tcp . 80 : goto external-42NFTM6N-ns2/svc2/tcp/p80 }
add element ip kube-proxy service-ips { 1.2.3.4 . tcp . 80 : goto external-42NFTM6N-ns2/svc2/tcp/p80 }
add element ip kube-proxy service-nodeports { tcp . 3001 : goto external-42NFTM6N-ns2/svc2/tcp/p80 }

add element ip kube-proxy no-endpoint-nodeports { tcp . 3001 comment "ns2/svc2:p80" : drop }
add element ip kube-proxy no-endpoint-services { 1.2.3.4 . tcp . 80 comment "ns2/svc2:p80" : drop }
add element ip kube-proxy no-endpoint-services { 192.168.99.22 . tcp . 80 comment "ns2/svc2:p80" : drop }

# svc3
add chain ip kube-proxy service-4AT6LBPK-ns3/svc3/tcp/p80
add rule ip kube-proxy service-4AT6LBPK-ns3/svc3/tcp/p80 ip daddr 172.30.0.43 ip saddr != 10.0.0.0/8 jump mark-for-masquerade
add rule ip kube-proxy service-4AT6LBPK-ns3/svc3/tcp/p80 numgen random mod 1 vmap { 0 : goto endpoint-UEIP74TE-ns3/svc3/tcp/p80__10.180.0.3/80 }
add chain ip kube-proxy external-4AT6LBPK-ns3/svc3/tcp/p80
add rule ip kube-proxy external-4AT6LBPK-ns3/svc3/tcp/p80 jump mark-for-masquerade
add rule ip kube-proxy external-4AT6LBPK-ns3/svc3/tcp/p80 goto service-4AT6LBPK-ns3/svc3/tcp/p80
add chain ip kube-proxy endpoint-UEIP74TE-ns3/svc3/tcp/p80__10.180.0.3/80
add rule ip kube-proxy endpoint-UEIP74TE-ns3/svc3/tcp/p80__10.180.0.3/80 ip saddr 10.180.0.3 jump mark-for-masquerade
add rule ip kube-proxy endpoint-UEIP74TE-ns3/svc3/tcp/p80__10.180.0.3/80 meta l4proto tcp dnat to 10.180.0.3:80

add element ip kube-proxy cluster-ips { 172.30.0.43 }
add element ip kube-proxy service-ips { 172.30.0.43 . tcp . 80 : goto service-4AT6LBPK-ns3/svc3/tcp/p80 }
add element ip kube-proxy service-nodeports { tcp . 3003 : goto external-4AT6LBPK-ns3/svc3/tcp/p80 }

# svc4
add chain ip kube-proxy service-LAUZTJTB-ns4/svc4/tcp/p80
add rule ip kube-proxy service-LAUZTJTB-ns4/svc4/tcp/p80 ip daddr 172.30.0.44 ip saddr != 10.0.0.0/8 jump mark-for-masquerade
add rule ip kube-proxy service-LAUZTJTB-ns4/svc4/tcp/p80 numgen random mod 2 vmap { 0 : goto endpoint-UNZV3OEC-ns4/svc4/tcp/p80__10.180.0.4/80 , 1 : goto endpoint-5RFCDDV7-ns4/svc4/tcp/p80__10.180.0.5/80 }
add chain ip kube-proxy external-LAUZTJTB-ns4/svc4/tcp/p80
add rule ip kube-proxy external-LAUZTJTB-ns4/svc4/tcp/p80 jump mark-for-masquerade
add rule ip kube-proxy external-LAUZTJTB-ns4/svc4/tcp/p80 goto service-LAUZTJTB-ns4/svc4/tcp/p80
add chain ip kube-proxy endpoint-5RFCDDV7-ns4/svc4/tcp/p80__10.180.0.5/80
add rule ip kube-proxy endpoint-5RFCDDV7-ns4/svc4/tcp/p80__10.180.0.5/80 ip saddr 10.180.0.5 jump mark-for-masquerade
add rule ip kube-proxy endpoint-5RFCDDV7-ns4/svc4/tcp/p80__10.180.0.5/80 meta l4proto tcp dnat to 10.180.0.5:80
add chain ip kube-proxy endpoint-UNZV3OEC-ns4/svc4/tcp/p80__10.180.0.4/80
add rule ip kube-proxy endpoint-UNZV3OEC-ns4/svc4/tcp/p80__10.180.0.4/80 ip saddr 10.180.0.4 jump mark-for-masquerade
add rule ip kube-proxy endpoint-UNZV3OEC-ns4/svc4/tcp/p80__10.180.0.4/80 meta l4proto tcp dnat to 10.180.0.4:80

add element ip kube-proxy cluster-ips { 172.30.0.44 }
add element ip kube-proxy service-ips { 172.30.0.44 . tcp . 80 : goto service-LAUZTJTB-ns4/svc4/tcp/p80 }
add element ip kube-proxy service-ips { 192.168.99.33 . tcp . 80 : goto external-LAUZTJTB-ns4/svc4/tcp/p80 }

# svc5
add set ip kube-proxy affinity-GTK6MW7G-ns5/svc5/tcp/p80__10.180.0.3/80 { type ipv4_addr ; flags dynamic,timeout ; timeout 10800s ; }
add chain ip kube-proxy service-HVFWP5L3-ns5/svc5/tcp/p80
add rule ip kube-proxy service-HVFWP5L3-ns5/svc5/tcp/p80 ip daddr 172.30.0.45 ip saddr != 10.0.0.0/8 jump mark-for-masquerade
add rule ip kube-proxy service-HVFWP5L3-ns5/svc5/tcp/p80 ip saddr @affinity-GTK6MW7G-ns5/svc5/tcp/p80__10.180.0.3/80 goto endpoint-GTK6MW7G-ns5/svc5/tcp/p80__10.180.0.3/80
add rule ip kube-proxy service-HVFWP5L3-ns5/svc5/tcp/p80 numgen random mod 1 vmap { 0 : goto endpoint-GTK6MW7G-ns5/svc5/tcp/p80__10.180.0.3/80 }
add chain ip kube-proxy external-HVFWP5L3-ns5/svc5/tcp/p80
add rule ip kube-proxy external-HVFWP5L3-ns5/svc5/tcp/p80 jump mark-for-masquerade
add rule ip kube-proxy external-HVFWP5L3-ns5/svc5/tcp/p80 goto service-HVFWP5L3-ns5/svc5/tcp/p80

add chain ip kube-proxy endpoint-GTK6MW7G-ns5/svc5/tcp/p80__10.180.0.3/80
add rule ip kube-proxy endpoint-GTK6MW7G-ns5/svc5/tcp/p80__10.180.0.3/80 ip saddr 10.180.0.3 jump mark-for-masquerade
add rule ip kube-proxy endpoint-GTK6MW7G-ns5/svc5/tcp/p80__10.180.0.3/80 update @affinity-GTK6MW7G-ns5/svc5/tcp/p80__10.180.0.3/80 { ip saddr }
add rule ip kube-proxy endpoint-GTK6MW7G-ns5/svc5/tcp/p80__10.180.0.3/80 meta l4proto tcp dnat to 10.180.0.3:80

add chain ip kube-proxy firewall-HVFWP5L3-ns5/svc5/tcp/p80
add rule ip kube-proxy firewall-HVFWP5L3-ns5/svc5/tcp/p80 ip saddr != { 203.0.113.0/25 } drop

add element ip kube-proxy cluster-ips { 172.30.0.45 }
add element ip kube-proxy service-ips { 172.30.0.45 . tcp . 80 : goto service-HVFWP5L3-ns5/svc5/tcp/p80 }
add element ip kube-proxy service-ips { 5.6.7.8 . tcp . 80 : goto external-HVFWP5L3-ns5/svc5/tcp/p80 }
add element ip kube-proxy service-nodeports { tcp . 3002 : goto external-HVFWP5L3-ns5/svc5/tcp/p80 }
add element ip kube-proxy firewall-ips { 5.6.7.8 . tcp . 80 : goto firewall-HVFWP5L3-ns5/svc5/tcp/p80 }

# svc6
add element ip kube-proxy cluster-ips { 172.30.0.46 }
add element ip kube-proxy no-endpoint-services { 172.30.0.46 . tcp . 80 comment "ns6/svc6:p80" : goto reject-chain }
`;

describe("full sync (proxier_test.go TestOverallNFTablesRules)", () => {
  it("leaves the table upstream expects", () => {
    const fake = new FakeTable();
    const r = nftInput(fakeProxierState(overallServices()), FAKE_PROXIER_OPTS);
    fake.apply(r.text);
    expectSameTable(fake.dump(), BASE_RULES + OVERALL_EXPECTED);
  });

  it("writes knftables' text: one operation per line, base chains re-created on the first sync", () => {
    const r = nftInput(fakeProxierState(overallServices()), FAKE_PROXIER_OPTS);
    const lines = r.text.split("\n");
    expect(lines[0]).toBe('add table ip kube-proxy { comment "rules for kube-proxy" ; }');
    expect(lines.slice(1, 3)).toEqual(["add chain ip kube-proxy filter-prerouting-pre-dnat", "delete chain ip kube-proxy filter-prerouting-pre-dnat"]);
    expect(r.text).toContain(
      "add chain ip kube-proxy filter-prerouting-pre-dnat { type filter hook prerouting priority -110 ; }\nflush chain ip kube-proxy filter-prerouting-pre-dnat\n",
    );
    expect(r.text.endsWith("\n")).toBe(true);
    expect(r.operations).toBe(lines.length - 1);
    expect(r.rules).toBe(r.text.match(/^add rule /gm)!.length);
    expect(r.chains).toBe(r.text.match(/^add chain /gm)!.length);
    expect(r.elements).toBe(r.text.match(/^add element /gm)!.length);
    // Every chain a service or endpoint uses is added and flushed before its rules.
    expect(r.text).toMatch(/add chain ip kube-proxy service-ULMVA6XW-ns1\/svc1\/tcp\/p80\nflush chain ip kube-proxy service-ULMVA6XW-ns1\/svc1\/tcp\/p80\n/);
    // A later (periodic) full sync leaves out the add+delete of the base chains.
    const later = nftInput(fakeProxierState(overallServices()), { ...FAKE_PROXIER_OPTS, firstSync: false });
    expect(later.text).not.toContain("delete chain");
    expect(later.operations).toBe(r.operations - 16);
  });

  it("uses the real proxier's defaults: mark 0x00004000, nodeport-ips from --nodeport-addresses primary", () => {
    const r = nftInput(fakeProxierState([]));
    expect(r.text).toContain("add rule ip kube-proxy mark-for-masquerade mark set mark or 0x00004000\n");
    expect(r.text).toContain("add element ip kube-proxy nodeport-ips { 192.168.0.2 }\n");
    const all = nftInput(fakeProxierState([]), { nodePortIPs: "all" });
    expect(all.text).toContain("delete set ip kube-proxy nodeport-ips\n");
    expect(all.text).toContain(
      "add rule ip kube-proxy services fib daddr type local ip daddr != 127.0.0.0/8 meta l4proto . th dport vmap @service-nodeports\n",
    );
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Partial syncs: proxier_test.go TestSyncProxyRulesRepeated and TestSyncProxyRulesStartup.

/**
 * Drives nftInput the way syncProxyRules is driven: the first sync is full, the next ones partial; chains flushed as
 * stale are deleted in a separate transaction of a sync once they are older than 1 s (ageStaleChains() makes them so).
 */
class SyncHarness {
  readonly fake = new FakeTable();
  private previous: ProxyRuleset | undefined;
  private stale = new Map<string, number>(); // chain -> flush time, in seconds
  lastOperations = -1;

  constructor(private readonly family: NftFamily = "ip") {}

  sync(state: ProxyRuleset, changed: string[]): void {
    const deletable = [...this.stale].filter(([, t]) => t < -1).map(([c]) => c);
    if (deletable.length > 0) {
      this.fake.apply(nftStaleChainDeletionInput(deletable, this.family));
      for (const c of deletable) this.stale.delete(c);
    }
    const r = nftInput(state, {
      ...FAKE_PROXIER_OPTS,
      family: this.family,
      changedServices: this.previous === undefined ? undefined : new Set(changed),
      previous: this.previous,
      existingStaleChains: this.stale.keys(),
    });
    this.fake.apply(r.text);
    // Upstream re-stamps every chain it flushes as stale and forgets the ones in use again.
    this.stale = new Map(r.staleChains.map((c) => [c, 0]));
    this.previous = state;
    this.lastOperations = r.operations;
  }

  ageStaleChains(): void {
    for (const [c, t] of this.stale) this.stale.set(c, t - 2);
  }

  staleChains(): string[] {
    return [...this.stale.keys()].sort();
  }
}

const SVC1 = `
add element ip kube-proxy cluster-ips { 172.30.0.41 }
add element ip kube-proxy service-ips { 172.30.0.41 . tcp . 80 : goto service-ULMVA6XW-ns1/svc1/tcp/p80 }
add chain ip kube-proxy service-ULMVA6XW-ns1/svc1/tcp/p80
add rule ip kube-proxy service-ULMVA6XW-ns1/svc1/tcp/p80 ip daddr 172.30.0.41 ip saddr != 10.0.0.0/8 jump mark-for-masquerade
add rule ip kube-proxy service-ULMVA6XW-ns1/svc1/tcp/p80 numgen random mod 1 vmap { 0 : goto endpoint-5TPGNJF2-ns1/svc1/tcp/p80__10.0.1.1/80 }
add chain ip kube-proxy endpoint-5TPGNJF2-ns1/svc1/tcp/p80__10.0.1.1/80
add rule ip kube-proxy endpoint-5TPGNJF2-ns1/svc1/tcp/p80__10.0.1.1/80 ip saddr 10.0.1.1 jump mark-for-masquerade
add rule ip kube-proxy endpoint-5TPGNJF2-ns1/svc1/tcp/p80__10.0.1.1/80 meta l4proto tcp dnat to 10.0.1.1:80
`;
const SVC2 = `
add element ip kube-proxy cluster-ips { 172.30.0.42 }
add element ip kube-proxy service-ips { 172.30.0.42 . tcp . 8080 : goto service-MHHHYRWA-ns2/svc2/tcp/p8080 }
add chain ip kube-proxy service-MHHHYRWA-ns2/svc2/tcp/p8080
add rule ip kube-proxy service-MHHHYRWA-ns2/svc2/tcp/p8080 ip daddr 172.30.0.42 ip saddr != 10.0.0.0/8 jump mark-for-masquerade
add rule ip kube-proxy service-MHHHYRWA-ns2/svc2/tcp/p8080 numgen random mod 1 vmap { 0 : goto endpoint-7RVP4LUQ-ns2/svc2/tcp/p8080__10.0.2.1/8080 }
add chain ip kube-proxy endpoint-7RVP4LUQ-ns2/svc2/tcp/p8080__10.0.2.1/8080
add rule ip kube-proxy endpoint-7RVP4LUQ-ns2/svc2/tcp/p8080__10.0.2.1/8080 ip saddr 10.0.2.1 jump mark-for-masquerade
add rule ip kube-proxy endpoint-7RVP4LUQ-ns2/svc2/tcp/p8080__10.0.2.1/8080 meta l4proto tcp dnat to 10.0.2.1:8080
`;
const SVC2_FLUSHED = `
add chain ip kube-proxy service-MHHHYRWA-ns2/svc2/tcp/p8080
add chain ip kube-proxy endpoint-7RVP4LUQ-ns2/svc2/tcp/p8080__10.0.2.1/8080
`;
const SVC3_FIRST = `
add element ip kube-proxy cluster-ips { 172.30.0.43 }
add element ip kube-proxy service-ips { 172.30.0.43 . tcp . 80 : goto service-4AT6LBPK-ns3/svc3/tcp/p80 }
add chain ip kube-proxy service-4AT6LBPK-ns3/svc3/tcp/p80
add rule ip kube-proxy service-4AT6LBPK-ns3/svc3/tcp/p80 ip daddr 172.30.0.43 ip saddr != 10.0.0.0/8 jump mark-for-masquerade
add rule ip kube-proxy service-4AT6LBPK-ns3/svc3/tcp/p80 numgen random mod 1 vmap { 0 : goto endpoint-2OCDJSZQ-ns3/svc3/tcp/p80__10.0.3.1/80 }
add chain ip kube-proxy endpoint-2OCDJSZQ-ns3/svc3/tcp/p80__10.0.3.1/80
add rule ip kube-proxy endpoint-2OCDJSZQ-ns3/svc3/tcp/p80__10.0.3.1/80 ip saddr 10.0.3.1 jump mark-for-masquerade
add rule ip kube-proxy endpoint-2OCDJSZQ-ns3/svc3/tcp/p80__10.0.3.1/80 meta l4proto tcp dnat to 10.0.3.1:80
`;
const SVC3_TWO_ENDPOINTS = `
add element ip kube-proxy cluster-ips { 172.30.0.43 }
add element ip kube-proxy service-ips { 172.30.0.43 . tcp . 80 : goto service-4AT6LBPK-ns3/svc3/tcp/p80 }
add chain ip kube-proxy service-4AT6LBPK-ns3/svc3/tcp/p80
add rule ip kube-proxy service-4AT6LBPK-ns3/svc3/tcp/p80 ip daddr 172.30.0.43 ip saddr != 10.0.0.0/8 jump mark-for-masquerade
add rule ip kube-proxy service-4AT6LBPK-ns3/svc3/tcp/p80 numgen random mod 2 vmap { 0 : goto endpoint-SWWHDC7X-ns3/svc3/tcp/p80__10.0.3.2/80 , 1 : goto endpoint-TQ2QKHCZ-ns3/svc3/tcp/p80__10.0.3.3/80 }
add chain ip kube-proxy endpoint-SWWHDC7X-ns3/svc3/tcp/p80__10.0.3.2/80
add rule ip kube-proxy endpoint-SWWHDC7X-ns3/svc3/tcp/p80__10.0.3.2/80 ip saddr 10.0.3.2 jump mark-for-masquerade
add rule ip kube-proxy endpoint-SWWHDC7X-ns3/svc3/tcp/p80__10.0.3.2/80 meta l4proto tcp dnat to 10.0.3.2:80
add chain ip kube-proxy endpoint-TQ2QKHCZ-ns3/svc3/tcp/p80__10.0.3.3/80
add rule ip kube-proxy endpoint-TQ2QKHCZ-ns3/svc3/tcp/p80__10.0.3.3/80 ip saddr 10.0.3.3 jump mark-for-masquerade
add rule ip kube-proxy endpoint-TQ2QKHCZ-ns3/svc3/tcp/p80__10.0.3.3/80 meta l4proto tcp dnat to 10.0.3.3:80
`;
const SVC4 = `
add element ip kube-proxy cluster-ips { 172.30.0.44 }
add element ip kube-proxy service-ips { 172.30.0.44 . tcp . 80 : goto service-LAUZTJTB-ns4/svc4/tcp/p80 }
add chain ip kube-proxy service-LAUZTJTB-ns4/svc4/tcp/p80
add rule ip kube-proxy service-LAUZTJTB-ns4/svc4/tcp/p80 ip daddr 172.30.0.44 ip saddr != 10.0.0.0/8 jump mark-for-masquerade
add rule ip kube-proxy service-LAUZTJTB-ns4/svc4/tcp/p80 numgen random mod 1 vmap { 0 : goto endpoint-WAHRBT2B-ns4/svc4/tcp/p80__10.0.4.1/80 }
add chain ip kube-proxy endpoint-WAHRBT2B-ns4/svc4/tcp/p80__10.0.4.1/80
add rule ip kube-proxy endpoint-WAHRBT2B-ns4/svc4/tcp/p80__10.0.4.1/80 ip saddr 10.0.4.1 jump mark-for-masquerade
add rule ip kube-proxy endpoint-WAHRBT2B-ns4/svc4/tcp/p80__10.0.4.1/80 meta l4proto tcp dnat to 10.0.4.1:80
`;

describe("partial sync (proxier_test.go TestSyncProxyRulesRepeated)", () => {
  const svc1 = clusterIPService("ns1", "svc1", "172.30.0.41", "p80", 80, [ep("10.0.1.1", 80)]);
  const svc2 = clusterIPService("ns2", "svc2", "172.30.0.42", "p8080", 8080, [ep("10.0.2.1", 8080)]);
  const svc3 = (...ips: string[]): ProxyServicePort =>
    clusterIPService(
      "ns3",
      "svc3",
      "172.30.0.43",
      "p80",
      80,
      ips.map((ip) => ep(ip, 80)),
    );
  const svc4 = (...ips: string[]): ProxyServicePort =>
    clusterIPService(
      "ns4",
      "svc4",
      "172.30.0.44",
      "p80",
      80,
      ips.map((ip) => ep(ip, 80)),
    );

  it("writes only what changed, with upstream's operation counts", () => {
    const h = new SyncHarness();
    h.sync(fakeProxierState([svc1, svc2]), []);
    expectSameTable(h.fake.dump(), BASE_RULES + SVC1 + SVC2);

    // Add a new service and its endpoints: 1 element each to cluster-ips and service-ips, add+flush 2 chains and
    // 2 rules in each.
    h.sync(fakeProxierState([svc1, svc2, svc3("10.0.3.1")]), ["ns3/svc3:p80"]);
    expectSameTable(h.fake.dump(), BASE_RULES + SVC1 + SVC2 + SVC3_FIRST);
    expect(h.lastOperations).toBe(10);

    // Delete a service: its elements go, its chains are flushed but not deleted yet.
    h.sync(fakeProxierState([svc1, svc3("10.0.3.1")]), ["ns2/svc2:p8080"]);
    expectSameTable(h.fake.dump(), BASE_RULES + SVC1 + SVC2_FLUSHED + SVC3_FIRST);
    expect(h.lastOperations).toBe(4);

    // After a while the stale chains are deleted, in a transaction of their own.
    h.ageStaleChains();
    h.sync(fakeProxierState([svc1, svc3("10.0.3.1")]), []);
    expectSameTable(h.fake.dump(), BASE_RULES + SVC1 + SVC3_FIRST);
    expect(h.lastOperations).toBe(0);

    // Add a service without endpoints, then its endpoints.
    h.sync(fakeProxierState([svc1, svc3("10.0.3.1"), svc4()]), ["ns4/svc4:p80"]);
    expectSameTable(
      h.fake.dump(),
      BASE_RULES +
        SVC1 +
        SVC3_FIRST +
        `add element ip kube-proxy cluster-ips { 172.30.0.44 }
add element ip kube-proxy no-endpoint-services { 172.30.0.44 . tcp . 80 comment "ns4/svc4:p80" : goto reject-chain }`,
    );
    expect(h.lastOperations).toBe(2);
    h.sync(fakeProxierState([svc1, svc3("10.0.3.1"), svc4("10.0.4.1")]), ["ns4/svc4:p80"]);
    expectSameTable(h.fake.dump(), BASE_RULES + SVC1 + SVC3_FIRST + SVC4);
    expect(h.lastOperations).toBe(10);

    // Change an endpoint: the old endpoint chain is flushed, not deleted yet.
    h.sync(fakeProxierState([svc1, svc3("10.0.3.2"), svc4("10.0.4.1")]), ["ns3/svc3:p80"]);
    expect(h.fake.chainNames()).toContain("endpoint-2OCDJSZQ-ns3/svc3/tcp/p80__10.0.3.1/80");
    expect(h.lastOperations).toBe(9);

    // Add an endpoint (and the old endpoint chain gets deleted).
    h.ageStaleChains();
    h.sync(fakeProxierState([svc1, svc3("10.0.3.2", "10.0.3.3"), svc4("10.0.4.1")]), ["ns3/svc3:p80"]);
    const full = BASE_RULES + SVC1 + SVC3_TWO_ENDPOINTS + SVC4;
    expectSameTable(h.fake.dump(), full);
    expect(h.lastOperations).toBe(12);

    // Empty a service's endpoints: one element moves from service-ips to no-endpoint-services, 3 chains flushed.
    h.sync(fakeProxierState([svc1, svc3(), svc4("10.0.4.1")]), ["ns3/svc3:p80"]);
    expect(h.lastOperations).toBe(5);
    expect(h.staleChains()).toEqual(
      ["service-4AT6LBPK-ns3/svc3/tcp/p80", "endpoint-SWWHDC7X-ns3/svc3/tcp/p80__10.0.3.2/80", "endpoint-TQ2QKHCZ-ns3/svc3/tcp/p80__10.0.3.3/80"].sort(),
    );
    expect(h.fake.dump()).toContain('add element ip kube-proxy no-endpoint-services { 172.30.0.43 . tcp . 80 comment "ns3/svc3:p80" : goto reject-chain }');

    // Restore them at once: the chains are rewritten and no longer stale.
    h.sync(fakeProxierState([svc1, svc3("10.0.3.2", "10.0.3.3"), svc4("10.0.4.1")]), ["ns3/svc3:p80"]);
    expectSameTable(h.fake.dump(), full);
    expect(h.lastOperations).toBe(14);
    expect(h.staleChains()).toEqual([]);

    // Empty and restore after the stale chains aged: deleted first, then re-created.
    h.sync(fakeProxierState([svc1, svc3(), svc4("10.0.4.1")]), ["ns3/svc3:p80"]);
    h.ageStaleChains();
    h.sync(fakeProxierState([svc1, svc3("10.0.3.2", "10.0.3.3"), svc4("10.0.4.1")]), ["ns3/svc3:p80"]);
    expectSameTable(h.fake.dump(), full);

    // Nothing changed: an empty transaction.
    h.sync(fakeProxierState([svc1, svc3("10.0.3.2", "10.0.3.3"), svc4("10.0.4.1")]), []);
    expect(h.lastOperations).toBe(0);
  });

  it("treats a change to one port as a change to the whole Service, as upstream's UpdatedServices does", () => {
    const a = clusterIPService("ns1", "multi", "172.30.0.50", "a", 80, [ep("10.0.9.1", 80)]);
    const b = clusterIPService("ns1", "multi", "172.30.0.50", "b", 81, [ep("10.0.9.1", 81)]);
    const state = fakeProxierState([a, b]);
    const r = nftInput(state, { changedServices: new Set(["ns1/multi:a"]), previous: state });
    // Both ports' service and endpoint chains are rewritten (4 chains x (add + flush + 2 rules)), no elements.
    expect(r.operations).toBe(16);
    expect(r.elements).toBe(0);
  });

  it("without `previous`, treats the changed Services as new", () => {
    const r = nftInput(fakeProxierState([svc1, svc3("10.0.3.1")]), { changedServices: new Set(["ns3/svc3:p80"]) });
    expect(r.text).toBe(
      [
        "add chain ip kube-proxy endpoint-2OCDJSZQ-ns3/svc3/tcp/p80__10.0.3.1/80",
        "flush chain ip kube-proxy endpoint-2OCDJSZQ-ns3/svc3/tcp/p80__10.0.3.1/80",
        "add chain ip kube-proxy service-4AT6LBPK-ns3/svc3/tcp/p80",
        "flush chain ip kube-proxy service-4AT6LBPK-ns3/svc3/tcp/p80",
        "add element ip kube-proxy cluster-ips { 172.30.0.43 }",
        "add element ip kube-proxy service-ips { 172.30.0.43 . tcp . 80 : goto service-4AT6LBPK-ns3/svc3/tcp/p80 }",
        "add rule ip kube-proxy service-4AT6LBPK-ns3/svc3/tcp/p80 ip daddr 172.30.0.43 ip saddr != 10.0.0.0/8 jump mark-for-masquerade",
        "add rule ip kube-proxy service-4AT6LBPK-ns3/svc3/tcp/p80 numgen random mod 1 vmap { 0 : goto endpoint-2OCDJSZQ-ns3/svc3/tcp/p80__10.0.3.1/80 }",
        "add rule ip kube-proxy endpoint-2OCDJSZQ-ns3/svc3/tcp/p80__10.0.3.1/80 ip saddr 10.0.3.1 jump mark-for-masquerade",
        "add rule ip kube-proxy endpoint-2OCDJSZQ-ns3/svc3/tcp/p80__10.0.3.1/80 meta l4proto tcp dnat to 10.0.3.1:80",
        "",
      ].join("\n"),
    );
  });
});

describe("first sync after a restart (proxier_test.go TestSyncProxyRulesStartup)", () => {
  it("skips existing map elements and endpoint chains", () => {
    const setupOps = nftInput(fakeProxierState([]), FAKE_PROXIER_OPTS).operations;

    // The kernel still holds part of the desired state (what an earlier kube-proxy programmed)...
    const before = fakeProxierState([
      clusterIPService("ns1", "svc1", "172.30.0.41", "p80", 80, [ep("10.0.1.1", 80)]),
      clusterIPService("ns2", "svc2", "172.30.0.42", "p8080", 8080, [ep("10.0.2.1", 8080)]),
    ]);
    const fake = new FakeTable();
    // (knftables' ParseDump: objects before their contents.)
    fake.apply(sortNFTablesTransaction(BASE_RULES + SVC1 + SVC2));

    // ...and the state now differs: svc1 has a second endpoint, svc3 (no endpoints) is new.
    const now = fakeProxierState([
      clusterIPService("ns1", "svc1", "172.30.0.41", "p80", 80, [ep("10.0.1.1", 80), ep("10.0.1.2", 80)]),
      clusterIPService("ns2", "svc2", "172.30.0.42", "p8080", 8080, [ep("10.0.2.1", 8080)]),
      clusterIPService("ns3", "svc3", "172.30.0.43", "p80", 80, []),
    ]);
    const r = nftInput(now, { ...FAKE_PROXIER_OPTS, previous: before });
    fake.apply(r.text);
    expectSameTable(
      fake.dump(),
      BASE_RULES +
        `
add element ip kube-proxy cluster-ips { 172.30.0.41 }
add element ip kube-proxy cluster-ips { 172.30.0.42 }
add element ip kube-proxy cluster-ips { 172.30.0.43 }
add element ip kube-proxy service-ips { 172.30.0.41 . tcp . 80 : goto service-ULMVA6XW-ns1/svc1/tcp/p80 }
add element ip kube-proxy service-ips { 172.30.0.42 . tcp . 8080 : goto service-MHHHYRWA-ns2/svc2/tcp/p8080 }
add element ip kube-proxy no-endpoint-services { 172.30.0.43 . tcp . 80 comment "ns3/svc3:p80" : goto reject-chain }

add chain ip kube-proxy service-ULMVA6XW-ns1/svc1/tcp/p80
add rule ip kube-proxy service-ULMVA6XW-ns1/svc1/tcp/p80 ip daddr 172.30.0.41 ip saddr != 10.0.0.0/8 jump mark-for-masquerade
add rule ip kube-proxy service-ULMVA6XW-ns1/svc1/tcp/p80 numgen random mod 2 vmap { 0 : goto endpoint-5TPGNJF2-ns1/svc1/tcp/p80__10.0.1.1/80 , 1 : goto endpoint-ZCZBVNAZ-ns1/svc1/tcp/p80__10.0.1.2/80 }
add chain ip kube-proxy endpoint-5TPGNJF2-ns1/svc1/tcp/p80__10.0.1.1/80
add rule ip kube-proxy endpoint-5TPGNJF2-ns1/svc1/tcp/p80__10.0.1.1/80 ip saddr 10.0.1.1 jump mark-for-masquerade
add rule ip kube-proxy endpoint-5TPGNJF2-ns1/svc1/tcp/p80__10.0.1.1/80 meta l4proto tcp dnat to 10.0.1.1:80
add chain ip kube-proxy endpoint-ZCZBVNAZ-ns1/svc1/tcp/p80__10.0.1.2/80
add rule ip kube-proxy endpoint-ZCZBVNAZ-ns1/svc1/tcp/p80__10.0.1.2/80 ip saddr 10.0.1.2 jump mark-for-masquerade
add rule ip kube-proxy endpoint-ZCZBVNAZ-ns1/svc1/tcp/p80__10.0.1.2/80 meta l4proto tcp dnat to 10.0.1.2:80
` +
        SVC2.split("\n")
          .filter((l) => !l.includes("cluster-ips") && !l.includes("service-ips"))
          .join("\n"),
    );
    // 2 elements for svc3; add+flush of the 2 service chains with 2 rules each; the new endpoint chain likewise.
    expect(r.operations).toBe(setupOps + 14);
  });

  it("does not skip an existing endpoint chain whose session affinity changed (epChainSkipUpdate)", () => {
    const withAffinity = { ...clusterIPService("ns1", "svc1", "172.30.0.41", "p80", 80, [ep("10.0.1.1", 80)]), sessionAffinityTimeoutSeconds: 60 };
    const without = clusterIPService("ns1", "svc1", "172.30.0.41", "p80", 80, [ep("10.0.1.1", 80)]);
    const epChain = "endpoint-5TPGNJF2-ns1/svc1/tcp/p80__10.0.1.1/80";
    const skipped = nftInput(fakeProxierState([without]), { previous: fakeProxierState([without]) });
    expect(skipped.text).not.toContain(`add chain ip kube-proxy ${epChain}\n`);
    for (const [from, to] of [
      [withAffinity, without],
      [without, withAffinity],
    ]) {
      const r = nftInput(fakeProxierState([to]), { previous: fakeProxierState([from]) });
      expect(r.text).toContain(`add chain ip kube-proxy ${epChain}\nflush chain ip kube-proxy ${epChain}\n`);
    }
  });
});

// ---------------------------------------------------------------------------------------------------------------
// The real nft

function nftSandboxReason(): string | undefined {
  if (process.env.NETSCALE_UNIT_ONLY === "1") return "npm run test:unit leaves the kernel checks to npm test";
  const version = spawnSync("nft", ["--version"], { encoding: "utf8" });
  if (version.error !== undefined || version.status !== 0) return "nft is not installed";
  const ns = spawnSync("unshare", ["-rn", "nft", "list", "ruleset"], { encoding: "utf8" });
  if (ns.error !== undefined || ns.status !== 0) return `cannot run nft in a new network namespace (${(ns.stderr || String(ns.error)).trim()})`;
  return undefined;
}
const noNft = nftSandboxReason();
if (noNft !== undefined) console.warn(`nftables.test.ts: skipping the nft tests: ${noNft}`);

/**
 * `nft -c -f -` (check only) in a new network namespace: a user namespace too (`unshare -rn`) by default. In a user
 * namespace nft cannot raise its netlink send buffer (SO_SNDBUFFORCE needs CAP_NET_ADMIN in the initial namespace),
 * so transactions of more than ~200 KB of netlink messages fail there with "Message too long" whatever their
 * content; the large cases use `unshare -n`, which needs real root.
 */
function nftCheck(text: string, userns = true): { status: number | null; stderr: string } {
  const r = spawnSync("unshare", [userns ? "-rn" : "-n", "nft", "-c", "-f", "-"], { input: text, encoding: "utf8", maxBuffer: 1 << 28 });
  return { status: r.status, stderr: r.stderr };
}
const notRoot = process.getuid?.() !== 0 ? "not running as root (unshare -n)" : undefined;

function syntheticState(services: number, endpoints: number, family: NftFamily = "ip"): ProxyRuleset {
  const v6 = family === "ip6";
  const list: ProxyServicePort[] = [];
  for (let i = 0; i < services; i++) {
    const eps: ProxyEndpoint[] = [];
    for (let j = 0; j < endpoints; j++) {
      const ip = v6 ? `fd00:10::${(i * endpoints + j + 1).toString(16)}` : `10.${1 + (i >> 12)}.${(i >> 4) & 255}.${((i & 15) << 4) + j + 1}`;
      eps.push(ep(ip, 8080, j === 0));
    }
    const clusterIP = v6 ? `fd00:10:96::${(i + 1).toString(16)}` : `172.30.${i >> 8}.${i & 255}`;
    const svc = clusterIPService(`ns${i % 20}`, `svc${i}`, clusterIP, i % 3 === 0 ? "" : "http", 80, eps);
    if (i % 5 === 0) svc.nodePort = 30000 + i;
    if (i % 10 === 0) {
      svc.loadBalancerIPs = [v6 ? `2001:db8:1::${(i + 1).toString(16)}` : `1.2.${i >> 8}.${i & 255}`];
      svc.loadBalancerSourceRanges = [v6 ? "2001:db8::/32" : "203.0.113.0/25"];
      svc.externalTrafficLocal = true;
    }
    if (i % 7 === 0) svc.sessionAffinityTimeoutSeconds = 10800;
    if (i % 11 === 0) svc.endpoints = [];
    if (i % 13 === 0) svc.protocol = "UDP";
    list.push(svc);
  }
  return {
    nodeIP: v6 ? "2001:db8::2" : "192.168.0.2",
    clusterCIDR: v6 ? "fd00:10::/64" : "10.0.0.0/8",
    serviceCIDRs: [v6 ? "fd00:10:96::/112" : "172.30.0.0/16"],
    services: list,
  };
}

describe.skipIf(noNft !== undefined)("the real nft (nftables 1.0.6) accepts the input", () => {
  it("upstream's overall state, checked", () => {
    const r = nftCheck(nftInput(fakeProxierState(overallServices()), FAKE_PROXIER_OPTS).text);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
  });

  it("a mixed synthetic state, IPv4 and IPv6, checked", () => {
    for (const family of ["ip", "ip6"] as const) {
      const r = nftCheck(nftInput(syntheticState(40, 3, family), { family }).text);
      expect(r.stderr).toBe("");
      expect(r.status).toBe(0);
    }
  });

  it.skipIf(notRoot !== undefined)("1,000 mixed Services per family, checked outside a user namespace", () => {
    for (const family of ["ip", "ip6"] as const) {
      const r = nftCheck(nftInput(syntheticState(1000, 5, family), { family }).text, false);
      expect(r.stderr).toBe("");
      expect(r.status).toBe(0);
    }
  });

  it("loads for real: a full sync then a partial one, listed back from the kernel", () => {
    const before = fakeProxierState(overallServices());
    // svc1 goes, svc7 (unnamed port) comes, svc3 switches to internalTrafficPolicy Local with a local endpoint (its
    // service-ips element changes value: delete + add) and svc5 loses its session affinity (affinity set deleted).
    const afterServices = overallServices()
      .filter((s) => s.name !== "svc1")
      .map((s) => (s.name === "svc3" ? { ...s, internalTrafficLocal: true, endpoints: [ep("10.180.0.3", 80, true)] } : s))
      .map((s) => (s.name === "svc5" ? { ...s, sessionAffinityTimeoutSeconds: undefined } : s));
    afterServices.push(clusterIPService("ns7", "svc7", "172.30.0.47", "", 53, [ep("10.180.0.7", 5353)]));
    const after = fakeProxierState(afterServices);
    const full = nftInput(before, FAKE_PROXIER_OPTS);
    const changed = new Set(["ns1/svc1:p80", "ns3/svc3:p80", "ns5/svc5:p80", "ns7/svc7:"]);
    const partial = nftInput(after, { ...FAKE_PROXIER_OPTS, changedServices: changed, previous: before });
    expect(partial.staleChains.sort()).toEqual(["endpoint-5OJB2KTY-ns1/svc1/tcp/p80__10.180.0.1/80", "service-ULMVA6XW-ns1/svc1/tcp/p80"]);
    expect(partial.text).toContain(
      "delete element ip kube-proxy service-ips { 172.30.0.43 . tcp . 80 }\n" +
        "add element ip kube-proxy service-ips { 172.30.0.43 . tcp . 80 : goto local-4AT6LBPK-ns3/svc3/tcp/p80 }\n",
    );
    expect(partial.text).toContain("delete set ip kube-proxy affinity-GTK6MW7G-ns5/svc5/tcp/p80__10.180.0.3/80\n");
    const fake = new FakeTable();
    fake.apply(full.text);
    fake.apply(partial.text);
    fake.apply(nftStaleChainDeletionInput(partial.staleChains));

    const dir = mkdtempSync(join(tmpdir(), "nft-"));
    try {
      writeFileSync(join(dir, "full.nft"), full.text);
      writeFileSync(join(dir, "partial.nft"), partial.text);
      writeFileSync(join(dir, "delete.nft"), nftStaleChainDeletionInput(partial.staleChains));
      const script = `set -e; cd '${dir}'; nft -f full.nft; nft -f partial.nft; nft -f delete.nft; nft list table ip kube-proxy`;
      const r = spawnSync("unshare", ["-rn", "sh", "-c", script], { encoding: "utf8" });
      expect(r.stderr).toBe("");
      expect(r.status).toBe(0);
      const listing = r.stdout;
      expect(listing).toContain("chain service-HVFWP5L3-ns5/svc5/tcp/p80 {");
      expect(listing).toMatch(/numgen random mod 1 vmap \{ 0 : goto endpoint-GTK6MW7G-ns5\/svc5\/tcp\/p80__10\.180\.0\.3\/80 \}/);
      expect(listing).toContain(`chain ${serviceChainNames({ namespace: "ns7", name: "svc7", protocol: "TCP", portName: "" }).cluster} {`);
      expect(listing).toContain("dnat to 10.180.0.7:5353");
      expect(listing).toContain("172.30.0.47 . tcp . 53 : goto service-");
      expect(listing).not.toContain("ns1/svc1");
      expect(listing).not.toContain("172.30.0.41");
      expect(listing).toContain("172.30.0.43 . tcp . 80 : goto local-4AT6LBPK-ns3/svc3/tcp/p80");
      expect(listing).not.toContain("affinity-");
      // The kernel holds the chains the fake table holds.
      const kernelChains = [...listing.matchAll(/^\tchain (\S+) \{/gm)].map((m) => m[1]).sort();
      expect(kernelChains).toEqual(fake.chainNames().sort());
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("size", () => {
  it("10,000 Services x 10 endpoints: a partial sync of one Service writes only its chains and leaves one stale", () => {
    const state = syntheticState(10_000, 10);
    const r = nftInput(state);
    expect(r.operations).toBeGreaterThan(400_000);
    const changed = state.services.slice();
    changed[42] = { ...changed[42], endpoints: changed[42].endpoints.slice(1) };
    const p = nftInput({ ...state, services: changed }, { changedServices: new Set([servicePortKey(changed[42])]), previous: state });
    expect(p.operations).toBeLessThan(100);
    expect(p.staleChains).toHaveLength(1);
  });
});
