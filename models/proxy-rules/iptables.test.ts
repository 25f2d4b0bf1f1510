/**
 * The iptables rule generator against kube-proxy's own expectations: the expected iptables-restore inputs below are
 * copied from kubernetes/kubernetes pkg/proxy/iptables/proxier_test.go (TestOverallIPTablesRules,
 * TestSyncProxyRulesRepeated, TestSyncProxyRulesLargeClusterMode, and the chain names of TestSortIPTablesRules), and
 * are compared as upstream compares them: the generated text is normalised by a port of upstream's
 * `sortIPTablesRules` (tables and chains sorted, KUBE-SERVICES / KUBE-NODEPORTS rules stably sorted by the service
 * name in their comment), the expected text is taken verbatim, and full syncs are checked with a port of
 * `checkIPTablesRuleJumps`. Then the output is loaded by the real `iptables-restore` in a private network namespace:
 * parsed (`unshare -rn iptables-restore --test`), and committed to that namespace's kernel tables (`unshare -n` as root,
 * else `-rn`); those tests are skipped, saying why, where that cannot run.
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  endpointChainName,
  iptablesRestoreInput,
  masqueradeMarkForBit,
  servicePortChainName,
  type IptablesProxierConfig,
  type IptablesRestoreOptions,
} from "./iptables.js";
import type { ProxyEndpoint, ProxyRuleset, ProxyServicePort } from "./types.js";

// ---- helpers ported from proxier_test.go / pkg/util/iptables/testing/parse.go ----

/** lithammer/dedent: strip the common leading whitespace (and the leading newline). */
function dedent(s: string): string {
  const lines = s.replace(/^\n/, "").split("\n");
  const indent = Math.min(...lines.filter((l) => l.trim() !== "").map((l) => /^[ \t]*/.exec(l)![0].length));
  return lines.map((l) => l.slice(Math.min(indent, /^[ \t]*/.exec(l)![0].length))).join("\n");
}

interface DumpRule {
  raw: string;
  comment: string | null;
}
interface DumpChain {
  name: string;
  rules: DumpRule[];
  deleted: boolean;
}
interface DumpTable {
  name: string;
  chains: DumpChain[];
}

/** iptablestest.ParseIPTablesDump (the parts the sort uses). */
function parseIPTablesDump(data: string): DumpTable[] {
  const tables: DumpTable[] = [];
  let table: DumpTable | null = null;
  for (const line of data.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    if (table === null) {
      if (!line.startsWith("*")) throw new Error(`expected table declaration, got ${JSON.stringify(line)}`);
      table = { name: line.slice(1), chains: [] };
      tables.push(table);
      continue;
    }
    const getChain = (name: string): DumpChain => {
      const c = table!.chains.find((ch) => ch.name === name);
      if (c === undefined) throw new Error(`no such chain ${name} in ${table!.name}`);
      return c;
    };
    let m: RegExpExecArray | null;
    if ((m = /^:(\S+) /.exec(line)) !== null) {
      table.chains.push({ name: m[1], rules: [], deleted: false });
    } else if ((m = /^-A (\S+) /.exec(line)) !== null) {
      const c = getChain(m[1]);
      if (c.deleted) throw new Error(`cannot add rules to deleted chain ${m[1]}`);
      const cm = /-m comment --comment (?:"([^"]*)"|(\S+))/.exec(line);
      c.rules.push({ raw: line, comment: cm === null ? null : (cm[1] ?? cm[2]) });
    } else if ((m = /^-X (\S+)$/.exec(line)) !== null) {
      const c = getChain(m[1]);
      if (c.rules.length !== 0) throw new Error(`cannot delete chain ${m[1]} after adding rules`);
      c.deleted = true;
    } else if (line === "COMMIT") {
      table = null;
    } else {
      throw new Error(`error parsing rule ${JSON.stringify(line)}`);
    }
  }
  if (table !== null) throw new Error("could not parse iptables data (no COMMIT line?)");
  return tables;
}

/** IPTablesDump.String(). */
function dumpString(tables: DumpTable[]): string {
  let out = "";
  for (const t of tables) {
    out += `*${t.name}\n`;
    for (const c of t.chains) out += `:${c.name} - [0:0]\n`;
    for (const c of t.chains) for (const r of c.rules) out += `${r.raw}\n`;
    for (const c of t.chains) if (c.deleted) out += `-X ${c.name}\n`;
    out += "COMMIT\n";
  }
  return out;
}

/** orderByCommentServiceName's key: the comment up to the first space or colon. */
function commentServiceName(r: DumpRule): string {
  const c = r.comment ?? "";
  const i = c.search(/[ :]/);
  return i === -1 ? c : c.slice(0, i);
}

/** proxier_test.go `sortIPTablesRules`. */
function sortIPTablesRules(ruleData: string): string {
  const tables = parseIPTablesDump(ruleData);
  tables.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const rank = (n: string): number => (n === "KUBE-NODEPORTS" ? 0 : n === "KUBE-SERVICES" ? 1 : n.startsWith("KUBE-") ? 2 : 3);
  for (const t of tables) {
    t.chains.sort((a, b) => rank(a.name) - rank(b.name) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }
  const byName = (a: DumpRule, b: DumpRule): number => {
    const x = commentServiceName(a),
      y = commentServiceName(b);
    return x < y ? -1 : x > y ? 1 : 0;
  };
  const isLast = (r: DumpRule): number => (r.comment?.includes("must be the last rule") ? 1 : 0);
  for (const t of tables) {
    for (const c of t.chains) {
      if (c.name === "KUBE-NODEPORTS" || (c.name === "KUBE-SERVICES" && t.name === "filter")) c.rules.sort(byName);
      else if (c.name === "KUBE-SERVICES" && t.name === "nat") c.rules.sort((a, b) => isLast(a) - isLast(b) || byName(a, b));
    }
  }
  return dumpString(tables);
}

/** proxier_test.go `checkIPTablesRuleJumps`: every jump goes to a created, non-empty chain; no created chain is unused. */
function checkIPTablesRuleJumps(ruleData: string): void {
  const tables = ruleData.replace(/^\n/, "").split("COMMIT\n").slice(0, -1);
  for (const table of tables) {
    const lines = table.trim().split("\n");
    const tableName = lines[0].slice(1);
    const all = (re: RegExp): Set<string> => {
      const out = new Set<string>();
      for (const l of lines) {
        const m = re.exec(l);
        if (m !== null) out.add(m[1]);
      }
      return out;
    };
    const created = all(/^:([^ ]*)/);
    for (const c of all(/-X ([^ ]*)/)) created.delete(c);
    const filled = all(/-A ([^ ]*)/);
    const jumped = all(/-j ([^ ]*)/);
    for (const t of ["ACCEPT", "REJECT", "DROP", "MARK", "RETURN", "DNAT", "SNAT", "MASQUERADE"]) jumped.delete(t);
    const missing = [...jumped, ...filled].filter((c) => !created.has(c));
    if (missing.length > 0) throw new Error(`some chains in ${tableName} are used but were not created: ${missing}`);
    const empty = [...jumped].filter((c) => !filled.has(c) && c !== "KUBE-NODEPORTS");
    if (empty.length > 0) throw new Error(`some chains in ${tableName} are jumped to but have no rules: ${empty}`);
    const topLevel = [
      "KUBE-SERVICES",
      "KUBE-EXTERNAL-SERVICES",
      "KUBE-NODEPORTS",
      "KUBE-POSTROUTING",
      "KUBE-FORWARD",
      "KUBE-MARK-MASQ",
      "KUBE-PROXY-FIREWALL",
      "KUBE-FIREWALL",
    ];
    const extra = [...created].filter((c) => !jumped.has(c) && !topLevel.includes(c));
    if (extra.length > 0) throw new Error(`some chains in ${tableName} are created but not used: ${extra}`);
  }
}

/** proxier_test.go `assertIPTablesRulesEqual`. */
function assertIPTablesRulesEqual(checkConsistency: boolean, expected: string, result: string): void {
  const want = dedent(expected).trimStart();
  expect(sortIPTablesRules(result.trimStart())).toBe(want);
  if (checkConsistency) checkIPTablesRuleJumps(want);
}

/** proxier_test.go `countEndpointsAndComments`. */
function countEndpointsAndComments(data: string, matchEndpoint: string): [string, number, number] {
  let numEndpoints = 0,
    numComments = 0,
    matched = "";
  for (const line of data.split("\n")) {
    if (line.startsWith("-A KUBE-SEP-") && line.includes("-j DNAT")) {
      numEndpoints++;
      if (line.includes("--comment")) numComments++;
      if (line.includes(matchEndpoint)) matched = line;
    }
  }
  return [matched, numEndpoints, numComments];
}

/** The nat chains a kernel holds after successive `iptables-restore --noflush` runs (iptablestest.FakeIPTables). */
class NatChains {
  readonly chains = new Set<string>();
  apply(text: string): void {
    const nat = text.slice(text.indexOf("*nat\n"));
    for (const line of nat.split("\n")) {
      if (line.startsWith(":")) this.chains.add(line.slice(1, line.indexOf(" ")));
      else if (line.startsWith("-X ")) this.chains.delete(line.slice(3));
    }
  }
}

// ---- the fake proxier of proxier_test.go `NewFakeProxier` ----

/** NewFakeProxier: mark 0x4000, localhostNodePorts, nfacct counters present, a fake iptables without --random-fully. */
const fakeProxierConfig: Partial<IptablesProxierConfig> = {
  masqueradeMark: "0x4000",
  localhostNodePorts: true,
  nfacct: true,
  randomFully: false,
  masqueradeAll: false,
  conntrackTCPLiberal: false,
};

/** testNodeIP and the pod CIDR given to NewDetectLocalByCIDR. */
function ruleset(services: ProxyServicePort[]): ProxyRuleset {
  return { nodeIP: "192.168.0.2", clusterCIDR: "10.0.0.0/8", services };
}

/** An endpoint as makeTestEndpointSlice leaves it (conditions unset: ready and serving); local = NodeName is this node. */
function ep(ip: string, port: number, local = false): ProxyEndpoint {
  return { ip, port, ready: true, serving: true, terminating: false, local };
}

function svcPort(s: Partial<ProxyServicePort> & Pick<ProxyServicePort, "namespace" | "name" | "portName" | "clusterIP" | "port">): ProxyServicePort {
  return { protocol: "TCP", endpoints: [], ...s };
}

function sync(services: ProxyServicePort[], opts: IptablesRestoreOptions = {}): ReturnType<typeof iptablesRestoreInput> {
  return iptablesRestoreInput(ruleset(services), { ...opts, config: { ...fakeProxierConfig, ...opts.config } });
}

// ---- tests ----

describe("the sortIPTablesRules port", () => {
  // proxier_test.go TestSortIPTablesRules: two of its cases
  it("correctly match same service name in different styles of comments", () => {
    const input = dedent(`
	*filter
	COMMIT
	*nat
	:KUBE-SERVICES - [0:0]
	-A KUBE-SERVICES -m comment --comment "ns2/svc2:p80 cluster IP" svc2 line 1
	-A KUBE-SERVICES -m comment --comment ns2/svc2 svc2 line 2
	-A KUBE-SERVICES -m comment --comment "ns2/svc2 blah" svc2 line 3
	-A KUBE-SERVICES -m comment --comment "ns1/svc1:p80 cluster IP" svc1 line 1
	-A KUBE-SERVICES -m comment --comment ns1/svc1 svc1 line 2
	-A KUBE-SERVICES -m comment --comment "ns1/svc1 blah" svc1 line 3
	-A KUBE-SERVICES -m comment --comment ns4/svc4 svc4 line 1
	-A KUBE-SERVICES -m comment --comment "ns4/svc4:p80 cluster IP" svc4 line 2
	-A KUBE-SERVICES -m comment --comment "ns4/svc4 blah" svc4 line 3
	-A KUBE-SERVICES -m comment --comment "ns3/svc3:p80 cluster IP" svc3 line 1
	-A KUBE-SERVICES -m comment --comment "ns3/svc3 blah" svc3 line 2
	-A KUBE-SERVICES -m comment --comment ns3/svc3 svc3 line 3
	COMMIT
	`);
    expect(sortIPTablesRules(input)).toBe(
      dedent(`
	*filter
	COMMIT
	*nat
	:KUBE-SERVICES - [0:0]
	-A KUBE-SERVICES -m comment --comment "ns1/svc1:p80 cluster IP" svc1 line 1
	-A KUBE-SERVICES -m comment --comment ns1/svc1 svc1 line 2
	-A KUBE-SERVICES -m comment --comment "ns1/svc1 blah" svc1 line 3
	-A KUBE-SERVICES -m comment --comment "ns2/svc2:p80 cluster IP" svc2 line 1
	-A KUBE-SERVICES -m comment --comment ns2/svc2 svc2 line 2
	-A KUBE-SERVICES -m comment --comment "ns2/svc2 blah" svc2 line 3
	-A KUBE-SERVICES -m comment --comment "ns3/svc3:p80 cluster IP" svc3 line 1
	-A KUBE-SERVICES -m comment --comment "ns3/svc3 blah" svc3 line 2
	-A KUBE-SERVICES -m comment --comment ns3/svc3 svc3 line 3
	-A KUBE-SERVICES -m comment --comment ns4/svc4 svc4 line 1
	-A KUBE-SERVICES -m comment --comment "ns4/svc4:p80 cluster IP" svc4 line 2
	-A KUBE-SERVICES -m comment --comment "ns4/svc4 blah" svc4 line 3
	COMMIT
	`),
    );
  });

  it("unexpected junk lines are preserved", () => {
    const input = dedent(`
	*filter
	COMMIT
	*nat
	:KUBE-SERVICES - [0:0]
	:KUBE-SEP-RS4RBKLTHTF2IUXJ - [0:0]
	:KUBE-AAAAA - [0:0]
	:KUBE-ZZZZZ - [0:0]
	:WHY-IS-THIS-CHAIN-HERE - [0:0]
	-A KUBE-SERVICES -m comment --comment "ns2/svc2:p80 cluster IP" svc2 line 1
	-A KUBE-SEP-RS4RBKLTHTF2IUXJ -m comment --comment ns2/svc2:p80 -m tcp -p tcp -j DNAT --to-destination 10.180.0.2:80
	-A KUBE-ZZZZZ -m comment --comment "mystery chain number 1"
	-A KUBE-SERVICES -m comment --comment ns2/svc2 svc2 line 2
	-A WHY-IS-THIS-CHAIN-HERE -j ACCEPT
	-A KUBE-SERVICES -m comment --comment "ns2/svc2 blah" svc2 line 3
	-A KUBE-AAAAA -m comment --comment "mystery chain number 2"
	COMMIT
	`);
    expect(sortIPTablesRules(input)).toBe(
      dedent(`
	*filter
	COMMIT
	*nat
	:KUBE-SERVICES - [0:0]
	:KUBE-AAAAA - [0:0]
	:KUBE-SEP-RS4RBKLTHTF2IUXJ - [0:0]
	:KUBE-ZZZZZ - [0:0]
	:WHY-IS-THIS-CHAIN-HERE - [0:0]
	-A KUBE-SERVICES -m comment --comment "ns2/svc2:p80 cluster IP" svc2 line 1
	-A KUBE-SERVICES -m comment --comment ns2/svc2 svc2 line 2
	-A KUBE-SERVICES -m comment --comment "ns2/svc2 blah" svc2 line 3
	-A KUBE-AAAAA -m comment --comment "mystery chain number 2"
	-A KUBE-SEP-RS4RBKLTHTF2IUXJ -m comment --comment ns2/svc2:p80 -m tcp -p tcp -j DNAT --to-destination 10.180.0.2:80
	-A KUBE-ZZZZZ -m comment --comment "mystery chain number 1"
	-A WHY-IS-THIS-CHAIN-HERE -j ACCEPT
	COMMIT
	`),
    );
  });
});

describe("chain names", () => {
  it("match the names in upstream's expected outputs", () => {
    // proxier_test.go TestSortIPTablesRules / TestOverallIPTablesRules / TestSyncProxyRulesRepeated literals
    expect(servicePortChainName("KUBE-SVC-", "ns1/svc1:p80", "tcp")).toBe("KUBE-SVC-XPGD46QRK7WJZT7O");
    expect(servicePortChainName("KUBE-SVC-", "ns2/svc2:p80", "tcp")).toBe("KUBE-SVC-GNZBNJ2PO5MGZ6GT");
    expect(servicePortChainName("KUBE-EXT-", "ns2/svc2:p80", "tcp")).toBe("KUBE-EXT-GNZBNJ2PO5MGZ6GT");
    expect(servicePortChainName("KUBE-SVL-", "ns2/svc2:p80", "tcp")).toBe("KUBE-SVL-GNZBNJ2PO5MGZ6GT");
    expect(servicePortChainName("KUBE-FW-", "ns5/svc5:p80", "tcp")).toBe("KUBE-FW-NUKIZ6OKUXPJNT4C");
    expect(servicePortChainName("KUBE-SVC-", "ns2/svc2:p8080", "tcp")).toBe("KUBE-SVC-2VJB64SDSIJUP5T6");
    expect(servicePortChainName("KUBE-SVC-", "ns4/svc4:p8082", "TCP")).toBe("KUBE-SVC-EBDQOQU5SJFXRIL3");
    expect(endpointChainName("ns1/svc1:p80", "tcp", "10.180.0.1:80")).toBe("KUBE-SEP-SXIVWICOYRO3J4NJ");
    expect(endpointChainName("ns5/svc5:p80", "tcp", "10.180.0.3:80")).toBe("KUBE-SEP-I77PXRDZVX7PMWMN");
    expect(endpointChainName("ns4/svc4:p80", "tcp", "10.180.0.5:80")).toBe("KUBE-SEP-C6EBXVWJJZMIWKLZ");
    expect(endpointChainName("ns1/svc1:p80", "tcp", "10.0.0.0:80")).toBe("KUBE-SEP-DKGQUZGBKLTPAR56");
    expect(endpointChainName("ns3/svc3:p8081", "tcp", "203.0.113.4:8081")).toBe("KUBE-SEP-RUVVH7YV3PHQBDOS");
  });

  it("are base32(sha256(name + protocol [+ endpoint]))[:16], checked against an independent RFC 4648 encoder", () => {
    const base32 = (bytes: Buffer): string => {
      const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
      let bits = "";
      for (const b of bytes) bits += b.toString(2).padStart(8, "0");
      let out = "";
      for (let i = 0; i + 5 <= bits.length; i += 5) out += alphabet[parseInt(bits.slice(i, i + 5), 2)];
      return out;
    };
    const ref = (s: string): string => base32(createHash("sha256").update(s).digest()).slice(0, 16);
    for (let i = 0; i < 200; i++) {
      const name = `ns-${i}/svc-${i * 7}:port-${i % 5}`;
      for (const proto of ["tcp", "udp", "sctp"]) {
        expect(servicePortChainName("KUBE-SVC-", name, proto)).toBe(`KUBE-SVC-${ref(name + proto)}`);
        const endpoint = `10.${i % 256}.${(i * 3) % 256}.1:${8000 + i}`;
        expect(endpointChainName(name, proto, endpoint)).toBe(`KUBE-SEP-${ref(name + proto + endpoint)}`);
      }
    }
    expect(masqueradeMarkForBit(14)).toBe("0x004000"); // fmt.Sprintf("%#08x", 1<<14)
    expect(masqueradeMarkForBit(30)).toBe("0x40000000");
  });
});

/** proxier_test.go TestOverallIPTablesRules: its services and endpoint slices. */
const overallServices: ProxyServicePort[] = [
  // ClusterIP service
  svcPort({ namespace: "ns1", name: "svc1", portName: "p80", clusterIP: "172.30.0.41", port: 80, endpoints: [ep("10.180.0.1", 80)] }),
  // LoadBalancer service with Local traffic policy; its endpoint has no NodeName, so it is not local
  svcPort({
    namespace: "ns2",
    name: "svc2",
    portName: "p80",
    clusterIP: "172.30.0.42",
    port: 80,
    nodePort: 3001,
    externalTrafficLocal: true,
    loadBalancerIPs: ["1.2.3.4"],
    externalIPs: ["192.168.99.22"],
    healthCheckNodePort: 30000,
    endpoints: [ep("10.180.0.2", 80)],
  }),
  // NodePort service
  svcPort({ namespace: "ns3", name: "svc3", portName: "p80", clusterIP: "172.30.0.43", port: 80, nodePort: 3003, endpoints: [ep("10.180.0.3", 80)] }),
  // ExternalIP service
  svcPort({
    namespace: "ns4",
    name: "svc4",
    portName: "p80",
    clusterIP: "172.30.0.44",
    port: 80,
    externalIPs: ["192.168.99.33"],
    endpoints: [ep("10.180.0.4", 80), ep("10.180.0.5", 80, true)],
  }),
  // LoadBalancer service with Cluster traffic policy, source ranges, and session affinity (its
  // HealthCheckNodePort is ignored: eTP is Cluster)
  svcPort({
    namespace: "ns5",
    name: "svc5",
    portName: "p80",
    clusterIP: "172.30.0.45",
    port: 80,
    nodePort: 3002,
    loadBalancerIPs: ["5.6.7.8"],
    healthCheckNodePort: 30000,
    loadBalancerSourceRanges: [" 203.0.113.0/25"],
    sessionAffinityTimeoutSeconds: 10800,
    endpoints: [ep("10.180.0.3", 80)],
  }),
  // ClusterIP service with no endpoints
  svcPort({ namespace: "ns6", name: "svc6", portName: "p80", clusterIP: "172.30.0.46", port: 80 }),
];

const overallExpected = `
	*filter
	:KUBE-NODEPORTS - [0:0]
	:KUBE-SERVICES - [0:0]
	:KUBE-EXTERNAL-SERVICES - [0:0]
	:KUBE-FIREWALL - [0:0]
	:KUBE-FORWARD - [0:0]
	:KUBE-PROXY-FIREWALL - [0:0]
	-A KUBE-NODEPORTS -m comment --comment "ns2/svc2:p80 health check node port" -m tcp -p tcp --dport 30000 -j ACCEPT
	-A KUBE-SERVICES -m comment --comment "ns6/svc6:p80 has no endpoints" -m tcp -p tcp -d 172.30.0.46 --dport 80 -j REJECT
	-A KUBE-EXTERNAL-SERVICES -m comment --comment "ns2/svc2:p80 has no local endpoints" -m tcp -p tcp -d 192.168.99.22 --dport 80 -j DROP
	-A KUBE-EXTERNAL-SERVICES -m comment --comment "ns2/svc2:p80 has no local endpoints" -m tcp -p tcp -d 1.2.3.4 --dport 80 -j DROP
	-A KUBE-EXTERNAL-SERVICES -m comment --comment "ns2/svc2:p80 has no local endpoints" -m addrtype --dst-type LOCAL -m tcp -p tcp --dport 3001 -j DROP
	-A KUBE-FIREWALL -m comment --comment "block incoming localnet connections" -d 127.0.0.0/8 ! -s 127.0.0.0/8 -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -j DROP
	-A KUBE-FORWARD -m conntrack --ctstate INVALID -m nfacct --nfacct-name ct_state_invalid_dropped_pkts -j DROP
	-A KUBE-FORWARD -m comment --comment "kubernetes forwarding rules" -m mark --mark 0x4000/0x4000 -j ACCEPT
	-A KUBE-FORWARD -m comment --comment "kubernetes forwarding conntrack rule" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
	-A KUBE-PROXY-FIREWALL -m comment --comment "ns5/svc5:p80 traffic not accepted by KUBE-FW-NUKIZ6OKUXPJNT4C" -m tcp -p tcp -d 5.6.7.8 --dport 80 -j DROP
	COMMIT
	*nat
	:KUBE-NODEPORTS - [0:0]
	:KUBE-SERVICES - [0:0]
	:KUBE-EXT-4SW47YFZTEDKD3PK - [0:0]
	:KUBE-EXT-GNZBNJ2PO5MGZ6GT - [0:0]
	:KUBE-EXT-NUKIZ6OKUXPJNT4C - [0:0]
	:KUBE-EXT-X27LE4BHSL4DOUIK - [0:0]
	:KUBE-FW-NUKIZ6OKUXPJNT4C - [0:0]
	:KUBE-MARK-MASQ - [0:0]
	:KUBE-POSTROUTING - [0:0]
	:KUBE-SEP-C6EBXVWJJZMIWKLZ - [0:0]
	:KUBE-SEP-I77PXRDZVX7PMWMN - [0:0]
	:KUBE-SEP-OYPFS5VJICHGATKP - [0:0]
	:KUBE-SEP-RS4RBKLTHTF2IUXJ - [0:0]
	:KUBE-SEP-SXIVWICOYRO3J4NJ - [0:0]
	:KUBE-SEP-UKSFD7AGPMPPLUHC - [0:0]
	:KUBE-SVC-4SW47YFZTEDKD3PK - [0:0]
	:KUBE-SVC-GNZBNJ2PO5MGZ6GT - [0:0]
	:KUBE-SVC-NUKIZ6OKUXPJNT4C - [0:0]
	:KUBE-SVC-X27LE4BHSL4DOUIK - [0:0]
	:KUBE-SVC-XPGD46QRK7WJZT7O - [0:0]
	-A KUBE-NODEPORTS -m comment --comment ns2/svc2:p80 -m tcp -p tcp -d 127.0.0.0/8 --dport 3001 -m nfacct --nfacct-name localhost_nps_accepted_pkts -j KUBE-EXT-GNZBNJ2PO5MGZ6GT
	-A KUBE-NODEPORTS -m comment --comment ns2/svc2:p80 -m tcp -p tcp --dport 3001 -j KUBE-EXT-GNZBNJ2PO5MGZ6GT
	-A KUBE-NODEPORTS -m comment --comment ns3/svc3:p80 -m tcp -p tcp -d 127.0.0.0/8 --dport 3003 -m nfacct --nfacct-name localhost_nps_accepted_pkts -j KUBE-EXT-X27LE4BHSL4DOUIK
	-A KUBE-NODEPORTS -m comment --comment ns3/svc3:p80 -m tcp -p tcp --dport 3003 -j KUBE-EXT-X27LE4BHSL4DOUIK
	-A KUBE-NODEPORTS -m comment --comment ns5/svc5:p80 -m tcp -p tcp -d 127.0.0.0/8 --dport 3002 -m nfacct --nfacct-name localhost_nps_accepted_pkts -j KUBE-EXT-NUKIZ6OKUXPJNT4C
	-A KUBE-NODEPORTS -m comment --comment ns5/svc5:p80 -m tcp -p tcp --dport 3002 -j KUBE-EXT-NUKIZ6OKUXPJNT4C
	-A KUBE-SERVICES -m comment --comment "ns1/svc1:p80 cluster IP" -m tcp -p tcp -d 172.30.0.41 --dport 80 -j KUBE-SVC-XPGD46QRK7WJZT7O
	-A KUBE-SERVICES -m comment --comment "ns2/svc2:p80 cluster IP" -m tcp -p tcp -d 172.30.0.42 --dport 80 -j KUBE-SVC-GNZBNJ2PO5MGZ6GT
	-A KUBE-SERVICES -m comment --comment "ns2/svc2:p80 external IP" -m tcp -p tcp -d 192.168.99.22 --dport 80 -j KUBE-EXT-GNZBNJ2PO5MGZ6GT
	-A KUBE-SERVICES -m comment --comment "ns2/svc2:p80 loadbalancer IP" -m tcp -p tcp -d 1.2.3.4 --dport 80 -j KUBE-EXT-GNZBNJ2PO5MGZ6GT
	-A KUBE-SERVICES -m comment --comment "ns3/svc3:p80 cluster IP" -m tcp -p tcp -d 172.30.0.43 --dport 80 -j KUBE-SVC-X27LE4BHSL4DOUIK
	-A KUBE-SERVICES -m comment --comment "ns4/svc4:p80 cluster IP" -m tcp -p tcp -d 172.30.0.44 --dport 80 -j KUBE-SVC-4SW47YFZTEDKD3PK
	-A KUBE-SERVICES -m comment --comment "ns4/svc4:p80 external IP" -m tcp -p tcp -d 192.168.99.33 --dport 80 -j KUBE-EXT-4SW47YFZTEDKD3PK
	-A KUBE-SERVICES -m comment --comment "ns5/svc5:p80 cluster IP" -m tcp -p tcp -d 172.30.0.45 --dport 80 -j KUBE-SVC-NUKIZ6OKUXPJNT4C
	-A KUBE-SERVICES -m comment --comment "ns5/svc5:p80 loadbalancer IP" -m tcp -p tcp -d 5.6.7.8 --dport 80 -j KUBE-FW-NUKIZ6OKUXPJNT4C
	-A KUBE-SERVICES -m comment --comment "kubernetes service nodeports; NOTE: this must be the last rule in this chain" -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS
	-A KUBE-EXT-4SW47YFZTEDKD3PK -m comment --comment "masquerade traffic for ns4/svc4:p80 external destinations" -j KUBE-MARK-MASQ
	-A KUBE-EXT-4SW47YFZTEDKD3PK -j KUBE-SVC-4SW47YFZTEDKD3PK
	-A KUBE-EXT-GNZBNJ2PO5MGZ6GT -m comment --comment "pod traffic for ns2/svc2:p80 external destinations" -s 10.0.0.0/8 -j KUBE-SVC-GNZBNJ2PO5MGZ6GT
	-A KUBE-EXT-GNZBNJ2PO5MGZ6GT -m comment --comment "masquerade LOCAL traffic for ns2/svc2:p80 external destinations" -m addrtype --src-type LOCAL -j KUBE-MARK-MASQ
	-A KUBE-EXT-GNZBNJ2PO5MGZ6GT -m comment --comment "route LOCAL traffic for ns2/svc2:p80 external destinations" -m addrtype --src-type LOCAL -j KUBE-SVC-GNZBNJ2PO5MGZ6GT
	-A KUBE-EXT-NUKIZ6OKUXPJNT4C -m comment --comment "masquerade traffic for ns5/svc5:p80 external destinations" -j KUBE-MARK-MASQ
	-A KUBE-EXT-NUKIZ6OKUXPJNT4C -j KUBE-SVC-NUKIZ6OKUXPJNT4C
	-A KUBE-EXT-X27LE4BHSL4DOUIK -m comment --comment "masquerade traffic for ns3/svc3:p80 external destinations" -j KUBE-MARK-MASQ
	-A KUBE-EXT-X27LE4BHSL4DOUIK -j KUBE-SVC-X27LE4BHSL4DOUIK
	-A KUBE-FW-NUKIZ6OKUXPJNT4C -m comment --comment "ns5/svc5:p80 loadbalancer IP" -s 203.0.113.0/25 -j KUBE-EXT-NUKIZ6OKUXPJNT4C
	-A KUBE-FW-NUKIZ6OKUXPJNT4C -m comment --comment "other traffic to ns5/svc5:p80 will be dropped by KUBE-PROXY-FIREWALL"
	-A KUBE-MARK-MASQ -j MARK --or-mark 0x4000
	-A KUBE-POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN
	-A KUBE-POSTROUTING -j MARK --xor-mark 0x4000
	-A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE
	-A KUBE-SEP-C6EBXVWJJZMIWKLZ -m comment --comment ns4/svc4:p80 -s 10.180.0.5 -j KUBE-MARK-MASQ
	-A KUBE-SEP-C6EBXVWJJZMIWKLZ -m comment --comment ns4/svc4:p80 -m tcp -p tcp -j DNAT --to-destination 10.180.0.5:80
	-A KUBE-SEP-I77PXRDZVX7PMWMN -m comment --comment ns5/svc5:p80 -s 10.180.0.3 -j KUBE-MARK-MASQ
	-A KUBE-SEP-I77PXRDZVX7PMWMN -m comment --comment ns5/svc5:p80 -m recent --name KUBE-SEP-I77PXRDZVX7PMWMN --set -m tcp -p tcp -j DNAT --to-destination 10.180.0.3:80
	-A KUBE-SEP-OYPFS5VJICHGATKP -m comment --comment ns3/svc3:p80 -s 10.180.0.3 -j KUBE-MARK-MASQ
	-A KUBE-SEP-OYPFS5VJICHGATKP -m comment --comment ns3/svc3:p80 -m tcp -p tcp -j DNAT --to-destination 10.180.0.3:80
	-A KUBE-SEP-RS4RBKLTHTF2IUXJ -m comment --comment ns2/svc2:p80 -s 10.180.0.2 -j KUBE-MARK-MASQ
	-A KUBE-SEP-RS4RBKLTHTF2IUXJ -m comment --comment ns2/svc2:p80 -m tcp -p tcp -j DNAT --to-destination 10.180.0.2:80
	-A KUBE-SEP-SXIVWICOYRO3J4NJ -m comment --comment ns1/svc1:p80 -s 10.180.0.1 -j KUBE-MARK-MASQ
	-A KUBE-SEP-SXIVWICOYRO3J4NJ -m comment --comment ns1/svc1:p80 -m tcp -p tcp -j DNAT --to-destination 10.180.0.1:80
	-A KUBE-SEP-UKSFD7AGPMPPLUHC -m comment --comment ns4/svc4:p80 -s 10.180.0.4 -j KUBE-MARK-MASQ
	-A KUBE-SEP-UKSFD7AGPMPPLUHC -m comment --comment ns4/svc4:p80 -m tcp -p tcp -j DNAT --to-destination 10.180.0.4:80
	-A KUBE-SVC-4SW47YFZTEDKD3PK -m comment --comment "ns4/svc4:p80 cluster IP" -m tcp -p tcp -d 172.30.0.44 --dport 80 ! -s 10.0.0.0/8 -j KUBE-MARK-MASQ
	-A KUBE-SVC-4SW47YFZTEDKD3PK -m comment --comment "ns4/svc4:p80 -> 10.180.0.4:80" -m statistic --mode random --probability 0.5000000000 -j KUBE-SEP-UKSFD7AGPMPPLUHC
	-A KUBE-SVC-4SW47YFZTEDKD3PK -m comment --comment "ns4/svc4:p80 -> 10.180.0.5:80" -j KUBE-SEP-C6EBXVWJJZMIWKLZ
	-A KUBE-SVC-GNZBNJ2PO5MGZ6GT -m comment --comment "ns2/svc2:p80 cluster IP" -m tcp -p tcp -d 172.30.0.42 --dport 80 ! -s 10.0.0.0/8 -j KUBE-MARK-MASQ
	-A KUBE-SVC-GNZBNJ2PO5MGZ6GT -m comment --comment "ns2/svc2:p80 -> 10.180.0.2:80" -j KUBE-SEP-RS4RBKLTHTF2IUXJ
	-A KUBE-SVC-NUKIZ6OKUXPJNT4C -m comment --comment "ns5/svc5:p80 cluster IP" -m tcp -p tcp -d 172.30.0.45 --dport 80 ! -s 10.0.0.0/8 -j KUBE-MARK-MASQ
	-A KUBE-SVC-NUKIZ6OKUXPJNT4C -m comment --comment "ns5/svc5:p80 -> 10.180.0.3:80" -m recent --name KUBE-SEP-I77PXRDZVX7PMWMN --rcheck --seconds 10800 --reap -j KUBE-SEP-I77PXRDZVX7PMWMN
	-A KUBE-SVC-NUKIZ6OKUXPJNT4C -m comment --comment "ns5/svc5:p80 -> 10.180.0.3:80" -j KUBE-SEP-I77PXRDZVX7PMWMN
	-A KUBE-SVC-X27LE4BHSL4DOUIK -m comment --comment "ns3/svc3:p80 cluster IP" -m tcp -p tcp -d 172.30.0.43 --dport 80 ! -s 10.0.0.0/8 -j KUBE-MARK-MASQ
	-A KUBE-SVC-X27LE4BHSL4DOUIK -m comment --comment "ns3/svc3:p80 -> 10.180.0.3:80" -j KUBE-SEP-OYPFS5VJICHGATKP
	-A KUBE-SVC-XPGD46QRK7WJZT7O -m comment --comment "ns1/svc1:p80 cluster IP" -m tcp -p tcp -d 172.30.0.41 --dport 80 ! -s 10.0.0.0/8 -j KUBE-MARK-MASQ
	-A KUBE-SVC-XPGD46QRK7WJZT7O -m comment --comment "ns1/svc1:p80 -> 10.180.0.1:80" -j KUBE-SEP-SXIVWICOYRO3J4NJ
	COMMIT
	`;

describe("full sync: upstream's expected iptables-restore input", () => {
  it("TestOverallIPTablesRules", () => {
    const out = sync(overallServices);
    assertIPTablesRulesEqual(true, overallExpected, out.text);
    // the counts are those of the text
    const lines = out.text.split("\n");
    expect(out.rules).toBe(lines.filter((l) => l.startsWith("-A ")).length);
    expect(out.chains).toBe(lines.filter((l) => l.startsWith(":")).length);
    expect(out.natRulesTotal).toBe(lines.slice(lines.indexOf("*nat")).filter((l) => l.startsWith("-A ")).length);
    expect(out.largeClusterMode).toBe(false);
  });

  it("TestOverallIPTablesRules, whatever the order of services and endpoints", () => {
    const shuffled = [...overallServices].reverse().map((s) => ({ ...s, endpoints: [...s.endpoints].reverse() }));
    assertIPTablesRulesEqual(true, overallExpected, sync(shuffled).text);
  });

  it("writes the tables in upstream's order before sorting", () => {
    const text = sync(overallServices).text;
    const lines = text.split("\n");
    expect(lines.slice(0, 7)).toEqual([
      "*filter",
      ":KUBE-SERVICES - [0:0]",
      ":KUBE-EXTERNAL-SERVICES - [0:0]",
      ":KUBE-FORWARD - [0:0]",
      ":KUBE-NODEPORTS - [0:0]",
      ":KUBE-PROXY-FIREWALL - [0:0]",
      ":KUBE-FIREWALL - [0:0]",
    ]);
    const nat = lines.slice(lines.indexOf("*nat"));
    expect(nat.slice(0, 5)).toEqual(["*nat", ":KUBE-SERVICES - [0:0]", ":KUBE-NODEPORTS - [0:0]", ":KUBE-POSTROUTING - [0:0]", ":KUBE-MARK-MASQ - [0:0]"]);
    // the nodeports jump is the last nat rule; COMMIT ends each table; the text ends with a newline
    expect(nat.slice(-3)).toEqual([
      '-A KUBE-SERVICES -m comment --comment "kubernetes service nodeports; NOTE: this must be the last rule in this chain" -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS',
      "COMMIT",
      "",
    ]);
  });

  it("with kube-proxy's defaults: mark 0x004000 (%#08x of 1<<14) and MASQUERADE --random-fully", () => {
    const text = iptablesRestoreInput(ruleset(overallServices)).text;
    expect(text).toContain("-A KUBE-MARK-MASQ -j MARK --or-mark 0x004000\n");
    expect(text).toContain("-A KUBE-POSTROUTING -m mark ! --mark 0x004000/0x004000 -j RETURN\n");
    expect(text).toContain('-A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE --random-fully\n');
  });

  it("probabilities are fmt %0.10f of 1/n, as computeProbability", () => {
    const eps = Array.from({ length: 7 }, (_, i) => ep(`10.1.0.${i + 1}`, 80));
    const text = sync([svcPort({ namespace: "ns", name: "s", portName: "", clusterIP: "172.30.0.9", port: 80, endpoints: eps })]).text;
    const probs = [...text.matchAll(/--probability (\S+)/g)].map((m) => m[1]);
    expect(probs).toEqual(["0.1428571429", "0.1666666667", "0.2000000000", "0.2500000000", "0.3333333333", "0.5000000000"]);
    // an unnamed port's ServicePortName is "ns/name"
    expect(text).toContain(`-A ${servicePortChainName("KUBE-SVC-", "ns/s", "tcp")} -m comment --comment "ns/s -> 10.1.0.1:80"`);
  });
});

describe("partial sync (TestSyncProxyRulesRepeated)", () => {
  it("rewrites only the changed Services' chains and deletes stale ones, as upstream", () => {
    const kernel = new NatChains();
    const step = (services: ProxyServicePort[], changed: string[] | null, expected: string, checkConsistency = false): void => {
      const out = sync(services, {
        changedServices: changed === null ? undefined : new Set(changed),
        existingNatChains: [...kernel.chains],
      });
      assertIPTablesRulesEqual(checkConsistency, expected, out.text);
      kernel.apply(out.text);
    };

    const svc1 = svcPort({ namespace: "ns1", name: "svc1", portName: "p80", clusterIP: "172.30.0.41", port: 80, endpoints: [ep("10.0.1.1", 80)] });
    const svc2 = svcPort({ namespace: "ns2", name: "svc2", portName: "p8080", clusterIP: "172.30.0.42", port: 8080, endpoints: [ep("10.0.2.1", 8080)] });
    const filter = `
	*filter
	:KUBE-NODEPORTS - [0:0]
	:KUBE-SERVICES - [0:0]
	:KUBE-EXTERNAL-SERVICES - [0:0]
	:KUBE-FIREWALL - [0:0]
	:KUBE-FORWARD - [0:0]
	:KUBE-PROXY-FIREWALL - [0:0]
	-A KUBE-FIREWALL -m comment --comment "block incoming localnet connections" -d 127.0.0.0/8 ! -s 127.0.0.0/8 -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -j DROP
	-A KUBE-FORWARD -m conntrack --ctstate INVALID -m nfacct --nfacct-name ct_state_invalid_dropped_pkts -j DROP
	-A KUBE-FORWARD -m comment --comment "kubernetes forwarding rules" -m mark --mark 0x4000/0x4000 -j ACCEPT
	-A KUBE-FORWARD -m comment --comment "kubernetes forwarding conntrack rule" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
	COMMIT`;
    const natHead = `
	*nat
	:KUBE-NODEPORTS - [0:0]
	:KUBE-SERVICES - [0:0]
	:KUBE-MARK-MASQ - [0:0]
	:KUBE-POSTROUTING - [0:0]`;
    const natTail = `
	-A KUBE-SERVICES -m comment --comment "kubernetes service nodeports; NOTE: this must be the last rule in this chain" -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS
	-A KUBE-MARK-MASQ -j MARK --or-mark 0x4000
	-A KUBE-POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN
	-A KUBE-POSTROUTING -j MARK --xor-mark 0x4000
	-A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE`;
    // The upstream fixtures, each written out whole there, are assembled here from their shared parts.
    const expected = (natChains: string, natServices: string, natRest: string, filterServices = ""): string => {
      const f = filterServices === "" ? filter : filter.replace("\n\t-A KUBE-FIREWALL", `\n${filterServices}\n\t-A KUBE-FIREWALL`);
      return `${f}${natHead}${natChains}${natServices}${natTail}${natRest}\n\tCOMMIT\n\t`;
    };

    // Create initial state (full sync)
    step(
      [svc1, svc2],
      null,
      expected(
        `
	:KUBE-SEP-SNQ3ZNILQDEJNDQO - [0:0]
	:KUBE-SEP-UHEGFW77JX3KXTOV - [0:0]
	:KUBE-SVC-2VJB64SDSIJUP5T6 - [0:0]
	:KUBE-SVC-XPGD46QRK7WJZT7O - [0:0]`,
        `
	-A KUBE-SERVICES -m comment --comment "ns1/svc1:p80 cluster IP" -m tcp -p tcp -d 172.30.0.41 --dport 80 -j KUBE-SVC-XPGD46QRK7WJZT7O
	-A KUBE-SERVICES -m comment --comment "ns2/svc2:p8080 cluster IP" -m tcp -p tcp -d 172.30.0.42 --dport 8080 -j KUBE-SVC-2VJB64SDSIJUP5T6`,
        `
	-A KUBE-SEP-SNQ3ZNILQDEJNDQO -m comment --comment ns1/svc1:p80 -s 10.0.1.1 -j KUBE-MARK-MASQ
	-A KUBE-SEP-SNQ3ZNILQDEJNDQO -m comment --comment ns1/svc1:p80 -m tcp -p tcp -j DNAT --to-destination 10.0.1.1:80
	-A KUBE-SEP-UHEGFW77JX3KXTOV -m comment --comment ns2/svc2:p8080 -s 10.0.2.1 -j KUBE-MARK-MASQ
	-A KUBE-SEP-UHEGFW77JX3KXTOV -m comment --comment ns2/svc2:p8080 -m tcp -p tcp -j DNAT --to-destination 10.0.2.1:8080
	-A KUBE-SVC-2VJB64SDSIJUP5T6 -m comment --comment "ns2/svc2:p8080 cluster IP" -m tcp -p tcp -d 172.30.0.42 --dport 8080 ! -s 10.0.0.0/8 -j KUBE-MARK-MASQ
	-A KUBE-SVC-2VJB64SDSIJUP5T6 -m comment --comment "ns2/svc2:p8080 -> 10.0.2.1:8080" -j KUBE-SEP-UHEGFW77JX3KXTOV
	-A KUBE-SVC-XPGD46QRK7WJZT7O -m comment --comment "ns1/svc1:p80 cluster IP" -m tcp -p tcp -d 172.30.0.41 --dport 80 ! -s 10.0.0.0/8 -j KUBE-MARK-MASQ
	-A KUBE-SVC-XPGD46QRK7WJZT7O -m comment --comment "ns1/svc1:p80 -> 10.0.1.1:80" -j KUBE-SEP-SNQ3ZNILQDEJNDQO`,
      ),
      true,
    );

    // Add a new service and its endpoints. (This will only sync the SVC and SEP rules for the new service.)
    let svc3 = svcPort({ namespace: "ns3", name: "svc3", portName: "p80", clusterIP: "172.30.0.43", port: 80, endpoints: [ep("10.0.3.1", 80)] });
    step(
      [svc1, svc2, svc3],
      ["ns3/svc3:p80"],
      expected(
        `
	:KUBE-SEP-BSWRHOQ77KEXZLNL - [0:0]
	:KUBE-SVC-X27LE4BHSL4DOUIK - [0:0]`,
        `
	-A KUBE-SERVICES -m comment --comment "ns1/svc1:p80 cluster IP" -m tcp -p tcp -d 172.30.0.41 --dport 80 -j KUBE-SVC-XPGD46QRK7WJZT7O
	-A KUBE-SERVICES -m comment --comment "ns2/svc2:p8080 cluster IP" -m tcp -p tcp -d 172.30.0.42 --dport 8080 -j KUBE-SVC-2VJB64SDSIJUP5T6
	-A KUBE-SERVICES -m comment --comment "ns3/svc3:p80 cluster IP" -m tcp -p tcp -d 172.30.0.43 --dport 80 -j KUBE-SVC-X27LE4BHSL4DOUIK`,
        `
	-A KUBE-SEP-BSWRHOQ77KEXZLNL -m comment --comment ns3/svc3:p80 -s 10.0.3.1 -j KUBE-MARK-MASQ
	-A KUBE-SEP-BSWRHOQ77KEXZLNL -m comment --comment ns3/svc3:p80 -m tcp -p tcp -j DNAT --to-destination 10.0.3.1:80
	-A KUBE-SVC-X27LE4BHSL4DOUIK -m comment --comment "ns3/svc3:p80 cluster IP" -m tcp -p tcp -d 172.30.0.43 --dport 80 ! -s 10.0.0.0/8 -j KUBE-MARK-MASQ
	-A KUBE-SVC-X27LE4BHSL4DOUIK -m comment --comment "ns3/svc3:p80 -> 10.0.3.1:80" -j KUBE-SEP-BSWRHOQ77KEXZLNL`,
      ),
    );

    // Delete a service. (Won't update the other services.)
    step(
      [svc1, svc3],
      ["ns2/svc2:p8080"],
      expected(
        `
	:KUBE-SEP-UHEGFW77JX3KXTOV - [0:0]
	:KUBE-SVC-2VJB64SDSIJUP5T6 - [0:0]`,
        `
	-A KUBE-SERVICES -m comment --comment "ns1/svc1:p80 cluster IP" -m tcp -p tcp -d 172.30.0.41 --dport 80 -j KUBE-SVC-XPGD46QRK7WJZT7O
	-A KUBE-SERVICES -m comment --comment "ns3/svc3:p80 cluster IP" -m tcp -p tcp -d 172.30.0.43 --dport 80 -j KUBE-SVC-X27LE4BHSL4DOUIK`,
        `
	-X KUBE-SEP-UHEGFW77JX3KXTOV
	-X KUBE-SVC-2VJB64SDSIJUP5T6`,
      ),
    );

    // Add a service, sync, then add its endpoints.
    let svc4 = svcPort({ namespace: "ns4", name: "svc4", portName: "p80", clusterIP: "172.30.0.44", port: 80 });
    step(
      [svc1, svc3, svc4],
      ["ns4/svc4:p80"],
      expected(
        "",
        `
	-A KUBE-SERVICES -m comment --comment "ns1/svc1:p80 cluster IP" -m tcp -p tcp -d 172.30.0.41 --dport 80 -j KUBE-SVC-XPGD46QRK7WJZT7O
	-A KUBE-SERVICES -m comment --comment "ns3/svc3:p80 cluster IP" -m tcp -p tcp -d 172.30.0.43 --dport 80 -j KUBE-SVC-X27LE4BHSL4DOUIK`,
        "",
        `	-A KUBE-SERVICES -m comment --comment "ns4/svc4:p80 has no endpoints" -m tcp -p tcp -d 172.30.0.44 --dport 80 -j REJECT`,
      ),
    );

    svc4 = { ...svc4, endpoints: [ep("10.0.4.1", 80)] };
    const natServices134 = `
	-A KUBE-SERVICES -m comment --comment "ns1/svc1:p80 cluster IP" -m tcp -p tcp -d 172.30.0.41 --dport 80 -j KUBE-SVC-XPGD46QRK7WJZT7O
	-A KUBE-SERVICES -m comment --comment "ns3/svc3:p80 cluster IP" -m tcp -p tcp -d 172.30.0.43 --dport 80 -j KUBE-SVC-X27LE4BHSL4DOUIK
	-A KUBE-SERVICES -m comment --comment "ns4/svc4:p80 cluster IP" -m tcp -p tcp -d 172.30.0.44 --dport 80 -j KUBE-SVC-4SW47YFZTEDKD3PK`;
    step(
      [svc1, svc3, svc4],
      ["ns4/svc4:p80"],
      expected(
        `
	:KUBE-SEP-AYCN5HPXMIRJNJXU - [0:0]
	:KUBE-SVC-4SW47YFZTEDKD3PK - [0:0]`,
        natServices134,
        `
	-A KUBE-SEP-AYCN5HPXMIRJNJXU -m comment --comment ns4/svc4:p80 -s 10.0.4.1 -j KUBE-MARK-MASQ
	-A KUBE-SEP-AYCN5HPXMIRJNJXU -m comment --comment ns4/svc4:p80 -m tcp -p tcp -j DNAT --to-destination 10.0.4.1:80
	-A KUBE-SVC-4SW47YFZTEDKD3PK -m comment --comment "ns4/svc4:p80 cluster IP" -m tcp -p tcp -d 172.30.0.44 --dport 80 ! -s 10.0.0.0/8 -j KUBE-MARK-MASQ
	-A KUBE-SVC-4SW47YFZTEDKD3PK -m comment --comment "ns4/svc4:p80 -> 10.0.4.1:80" -j KUBE-SEP-AYCN5HPXMIRJNJXU`,
      ),
    );

    // Change an endpoint of an existing service. This will cause its SVC and SEP chains to be rewritten.
    svc3 = { ...svc3, endpoints: [ep("10.0.3.2", 80)] };
    step(
      [svc1, svc3, svc4],
      ["ns3/svc3:p80"],
      expected(
        `
	:KUBE-SEP-BSWRHOQ77KEXZLNL - [0:0]
	:KUBE-SEP-DKCFIS26GWF2WLWC - [0:0]
	:KUBE-SVC-X27LE4BHSL4DOUIK - [0:0]`,
        natServices134,
        `
	-A KUBE-SEP-DKCFIS26GWF2WLWC -m comment --comment ns3/svc3:p80 -s 10.0.3.2 -j KUBE-MARK-MASQ
	-A KUBE-SEP-DKCFIS26GWF2WLWC -m comment --comment ns3/svc3:p80 -m tcp -p tcp -j DNAT --to-destination 10.0.3.2:80
	-A KUBE-SVC-X27LE4BHSL4DOUIK -m comment --comment "ns3/svc3:p80 cluster IP" -m tcp -p tcp -d 172.30.0.43 --dport 80 ! -s 10.0.0.0/8 -j KUBE-MARK-MASQ
	-A KUBE-SVC-X27LE4BHSL4DOUIK -m comment --comment "ns3/svc3:p80 -> 10.0.3.2:80" -j KUBE-SEP-DKCFIS26GWF2WLWC
	-X KUBE-SEP-BSWRHOQ77KEXZLNL`,
      ),
    );

    // Add an endpoint to a service. This will cause its SVC and SEP chains to be rewritten.
    svc3 = { ...svc3, endpoints: [...svc3.endpoints, ep("10.0.3.3", 80)] };
    const svc3Rules = `
	-A KUBE-SEP-DKCFIS26GWF2WLWC -m comment --comment ns3/svc3:p80 -s 10.0.3.2 -j KUBE-MARK-MASQ
	-A KUBE-SEP-DKCFIS26GWF2WLWC -m comment --comment ns3/svc3:p80 -m tcp -p tcp -j DNAT --to-destination 10.0.3.2:80
	-A KUBE-SEP-JVVZVJ7BSEPPRNBS -m comment --comment ns3/svc3:p80 -s 10.0.3.3 -j KUBE-MARK-MASQ
	-A KUBE-SEP-JVVZVJ7BSEPPRNBS -m comment --comment ns3/svc3:p80 -m tcp -p tcp -j DNAT --to-destination 10.0.3.3:80`;
    const svc3SvcRules = `
	-A KUBE-SVC-X27LE4BHSL4DOUIK -m comment --comment "ns3/svc3:p80 cluster IP" -m tcp -p tcp -d 172.30.0.43 --dport 80 ! -s 10.0.0.0/8 -j KUBE-MARK-MASQ
	-A KUBE-SVC-X27LE4BHSL4DOUIK -m comment --comment "ns3/svc3:p80 -> 10.0.3.2:80" -m statistic --mode random --probability 0.5000000000 -j KUBE-SEP-DKCFIS26GWF2WLWC
	-A KUBE-SVC-X27LE4BHSL4DOUIK -m comment --comment "ns3/svc3:p80 -> 10.0.3.3:80" -j KUBE-SEP-JVVZVJ7BSEPPRNBS`;
    step(
      [svc1, svc3, svc4],
      ["ns3/svc3:p80"],
      expected(
        `
	:KUBE-SEP-DKCFIS26GWF2WLWC - [0:0]
	:KUBE-SEP-JVVZVJ7BSEPPRNBS - [0:0]
	:KUBE-SVC-X27LE4BHSL4DOUIK - [0:0]`,
        natServices134,
        svc3Rules + svc3SvcRules,
      ),
    );

    // Sync with no new changes... This will not rewrite any SVC or SEP chains
    step([svc1, svc3, svc4], [], expected("", natServices134, ""));

    // (upstream then breaks a partial restore on purpose; the retry is a full resync that deletes svc4)
    step(
      [svc1, svc3],
      null,
      expected(
        `
	:KUBE-SEP-AYCN5HPXMIRJNJXU - [0:0]
	:KUBE-SEP-DKCFIS26GWF2WLWC - [0:0]
	:KUBE-SEP-JVVZVJ7BSEPPRNBS - [0:0]
	:KUBE-SEP-SNQ3ZNILQDEJNDQO - [0:0]
	:KUBE-SVC-4SW47YFZTEDKD3PK - [0:0]
	:KUBE-SVC-X27LE4BHSL4DOUIK - [0:0]
	:KUBE-SVC-XPGD46QRK7WJZT7O - [0:0]`,
        `
	-A KUBE-SERVICES -m comment --comment "ns1/svc1:p80 cluster IP" -m tcp -p tcp -d 172.30.0.41 --dport 80 -j KUBE-SVC-XPGD46QRK7WJZT7O
	-A KUBE-SERVICES -m comment --comment "ns3/svc3:p80 cluster IP" -m tcp -p tcp -d 172.30.0.43 --dport 80 -j KUBE-SVC-X27LE4BHSL4DOUIK`,
        svc3Rules +
          `
	-A KUBE-SEP-SNQ3ZNILQDEJNDQO -m comment --comment ns1/svc1:p80 -s 10.0.1.1 -j KUBE-MARK-MASQ
	-A KUBE-SEP-SNQ3ZNILQDEJNDQO -m comment --comment ns1/svc1:p80 -m tcp -p tcp -j DNAT --to-destination 10.0.1.1:80` +
          svc3SvcRules +
          `
	-A KUBE-SVC-XPGD46QRK7WJZT7O -m comment --comment "ns1/svc1:p80 cluster IP" -m tcp -p tcp -d 172.30.0.41 --dport 80 ! -s 10.0.0.0/8 -j KUBE-MARK-MASQ
	-A KUBE-SVC-XPGD46QRK7WJZT7O -m comment --comment "ns1/svc1:p80 -> 10.0.1.1:80" -j KUBE-SEP-SNQ3ZNILQDEJNDQO
	-X KUBE-SEP-AYCN5HPXMIRJNJXU
	-X KUBE-SVC-4SW47YFZTEDKD3PK`,
      ),
    );
  });

  it("counts the rules of unchanged Services in natRulesTotal", () => {
    const svcs = overallServices.slice(0, 3);
    const full = sync(svcs);
    const partial = sync(svcs, { changedServices: new Set(["ns1/svc1:p80"]), existingNatChains: full.activeNatChains });
    expect(partial.natRulesTotal).toBe(full.natRulesTotal);
    expect(partial.rules).toBeLessThan(full.rules);
    expect(partial.deletedChains).toBe(0);
    expect(new Set(partial.activeNatChains)).toEqual(new Set(full.activeNatChains));
  });
});

describe("large-cluster mode (TestSyncProxyRulesLargeClusterMode)", () => {
  it("drops endpoint comments above 1000 endpoints, also on partial syncs, and defers stale-chain deletion", () => {
    const many = (prefix: string, port: number): ProxyEndpoint[] =>
      Array.from({ length: 1000 / 2 - 1 }, (_, i) => ep(`${prefix}.${i % 256}.${Math.floor(i / 256)}`, port));
    const svc1 = svcPort({ namespace: "ns1", name: "svc1", portName: "p80", clusterIP: "172.30.0.41", port: 80, endpoints: many("10.0", 80) });
    const svc2 = svcPort({ namespace: "ns2", name: "svc2", portName: "p8080", clusterIP: "172.30.0.42", port: 8080, endpoints: many("10.1", 8080) });
    let svc3 = svcPort({ namespace: "ns3", name: "svc3", portName: "p8081", clusterIP: "172.30.0.43", port: 8081 });
    const masqueradeAll = { masqueradeAll: true };
    const kernel = new NatChains();
    const run = (services: ProxyServicePort[], opts: IptablesRestoreOptions = {}): string => {
      const out = sync(services, { ...opts, existingNatChains: [...kernel.chains], config: masqueradeAll });
      kernel.apply(out.text);
      return out.text;
    };

    let text = run([svc1, svc2, svc3]);
    let expectedEndpoints = 2 * (1000 / 2 - 1);
    let [first, numEndpoints, numComments] = countEndpointsAndComments(text, "10.0.0.0");
    expect(first).toBe("-A KUBE-SEP-DKGQUZGBKLTPAR56 -m comment --comment ns1/svc1:p80 -m tcp -p tcp -j DNAT --to-destination 10.0.0.0:80");
    expect(numEndpoints).toBe(expectedEndpoints);
    expect(numComments).toBe(numEndpoints);

    svc3 = { ...svc3, endpoints: [ep("203.0.113.4", 8081), ep("203.0.113.8", 8081), ep("203.0.113.12", 8081)] };
    text = run([svc1, svc2, svc3], { changedServices: new Set(["ns3/svc3:p8081"]) });
    [first, numEndpoints, numComments] = countEndpointsAndComments(text, "203.0.113.4");
    expect(first).toBe("-A KUBE-SEP-RUVVH7YV3PHQBDOS -m tcp -p tcp -j DNAT --to-destination 203.0.113.4:8081");
    // only svc3's endpoints: a partial sync does not rewrite the others on crossing the threshold
    expect(numEndpoints).toBe(3);
    expect(numComments).toBe(0);

    // a full resync rewrites the older services without comments as well
    text = run([svc1, svc2, svc3]);
    expectedEndpoints += 3;
    [first, numEndpoints, numComments] = countEndpointsAndComments(text, "10.0.0.0");
    expect(first).toBe("-A KUBE-SEP-DKGQUZGBKLTPAR56 -m tcp -p tcp -j DNAT --to-destination 10.0.0.0:80");
    expect(numEndpoints).toBe(expectedEndpoints);
    expect(numComments).toBe(0);

    const svc4 = svcPort({ namespace: "ns4", name: "svc4", portName: "p8082", clusterIP: "172.30.0.44", port: 8082, endpoints: [ep("10.4.0.1", 8082)] });
    text = run([svc1, svc2, svc3, svc4], { changedServices: new Set(["ns4/svc4:p8082"]) });
    let svc4Endpoint: string;
    [svc4Endpoint, numEndpoints] = countEndpointsAndComments(text, "10.4.0.1");
    expect(svc4Endpoint).toBe("-A KUBE-SEP-SU5STNODRYEWJAUF -m tcp -p tcp -j DNAT --to-destination 10.4.0.1:8082");
    expect(numEndpoints).toBe(1);

    // In large-cluster mode a deleted service's chains are not deleted until syncPeriod has passed...
    text = run([svc1, svc2, svc3], { changedServices: new Set(["ns4/svc4:p8082"]), staleChainCleanupDue: false });
    [svc4Endpoint, numEndpoints] = countEndpointsAndComments(text, "10.4.0.1");
    expect(svc4Endpoint).toBe("");
    expect(numEndpoints).toBe(0);
    expect(text).not.toContain("-X ");

    // ...but a resync after it has deletes them
    text = run([svc1, svc2, svc3], { changedServices: new Set() });
    [svc4Endpoint, numEndpoints] = countEndpointsAndComments(text, "10.4.0.1");
    expect(svc4Endpoint).toBe("");
    expect(numEndpoints).toBe(0);
    expect(text).toContain("-X KUBE-SVC-EBDQOQU5SJFXRIL3");
    expect(text).toContain("-X KUBE-SEP-SU5STNODRYEWJAUF");

    text = run([svc1, svc2, svc3]);
    [, numEndpoints] = countEndpointsAndComments(text, "10.0.0.0");
    expect(numEndpoints).toBe(expectedEndpoints);
  });

  it("can be forced on or off", () => {
    const few = sync(overallServices, { largeClusterMode: true });
    expect(few.largeClusterMode).toBe(true);
    expect(few.text).toContain("-A KUBE-SEP-SXIVWICOYRO3J4NJ -s 10.180.0.1 -j KUBE-MARK-MASQ\n");
    expect(few.text).toContain("-A KUBE-SVC-4SW47YFZTEDKD3PK -m statistic --mode random --probability 0.5000000000 -j KUBE-SEP-UKSFD7AGPMPPLUHC\n");
    // the cluster-IP masquerade rule keeps its comment (it is not an endpoint rule)
    expect(few.text).toContain('-A KUBE-SVC-XPGD46QRK7WJZT7O -m comment --comment "ns1/svc1:p80 cluster IP"');
  });
});

/**
 * Every combination of traffic policies, ways in, endpoint states and affinity, as one ruleset: the chains it writes
 * must be consistent (upstream's checkIPTablesRuleJumps), and the real iptables-restore loads it (below).
 */
function comboServices(): ProxyServicePort[] {
  const endpointSets: Record<string, ProxyEndpoint[]> = {
    none: [],
    remote: [ep("10.2.0.1", 8080), ep("10.2.0.2", 8080)],
    local: [ep("10.2.0.1", 8080), ep("10.2.0.3", 8080, true)],
    localTerminating: [ep("10.2.0.1", 8080), { ...ep("10.2.0.4", 8080, true), ready: false, terminating: true }],
    allTerminating: [
      { ...ep("10.2.0.5", 8080), ready: false, terminating: true },
      { ...ep("10.2.0.6", 8080, true), ready: false, terminating: true },
    ],
    notServing: [{ ...ep("10.2.0.7", 8080, true), ready: false, serving: false, terminating: true }],
  };
  const services: ProxyServicePort[] = [];
  let k = 0;
  for (const internalTrafficLocal of [false, true]) {
    for (const externalTrafficLocal of [false, true]) {
      for (const access of ["clusterIP", "nodePort", "loadBalancer", "externalIP"] as const) {
        for (const [setName, endpoints] of Object.entries(endpointSets)) {
          for (const affinity of [false, true]) {
            k++;
            services.push(
              svcPort({
                namespace: "combo",
                name: `s${k}-${setName}`,
                portName: k % 2 === 0 ? "" : "http",
                protocol: (["TCP", "UDP", "SCTP"] as const)[k % 3],
                clusterIP: `172.30.${k >> 8}.${k & 255}`,
                port: 80,
                internalTrafficLocal,
                externalTrafficLocal,
                endpoints,
                nodePort: access === "nodePort" || access === "loadBalancer" ? 30000 + k : undefined,
                loadBalancerIPs: access === "loadBalancer" ? [`5.5.${k >> 8}.${k & 255}`] : undefined,
                loadBalancerSourceRanges:
                  access === "loadBalancer" && k % 4 < 2 ? ["203.0.113.0/25", k % 4 === 0 ? "192.168.0.0/24" : "198.51.100.7/24"] : undefined,
                healthCheckNodePort: access === "loadBalancer" ? 32000 + k : undefined,
                externalIPs: access === "externalIP" ? [`192.168.99.${k & 255}`] : undefined,
                sessionAffinityTimeoutSeconds: affinity ? 600 : undefined,
              }),
            );
          }
        }
      }
    }
  }
  return services;
}

describe("consistency over every combination", () => {
  it("jumps only to created, non-empty chains and creates no unused chain (checkIPTablesRuleJumps)", () => {
    const out = sync(comboServices());
    checkIPTablesRuleJumps(out.text);
    expect(sortIPTablesRules(out.text).length).toBe(out.text.length);
    // source ranges are normalised as IPNet.String() prints them; the node-IP range lets the LB IP in
    expect(out.text).toContain(" -s 198.51.100.0/24 -j KUBE-EXT-");
    expect(out.text).toMatch(/-A KUBE-FW-\S+ -m comment --comment "combo\/\S+ loadbalancer IP" -s 5\.5\.\d+\.\d+ -j KUBE-EXT-/);
    expect(out.text).toContain(":KUBE-SVL-");
  });
});

describe("size", () => {
  it("writes 10,000 services x 10 endpoints in large-cluster mode: 11 chains per service plus the fixed ones", () => {
    const services: ProxyServicePort[] = [];
    for (let s = 0; s < 10_000; s++) {
      services.push(
        svcPort({
          namespace: `ns-${s % 100}`,
          name: `svc-${s}`,
          portName: "http",
          clusterIP: `172.${16 + (s >> 16)}.${(s >> 8) & 255}.${s & 255}`,
          port: 80,
          nodePort: s % 10 === 0 ? 30000 + (s % 2000) : undefined,
          endpoints: Array.from({ length: 10 }, (_, e) => ep(`10.${(s >> 8) & 255}.${s & 255}.${e + 1}`, 8080, e === 0)),
        }),
      );
    }
    const out = iptablesRestoreInput(ruleset(services));
    expect(out.largeClusterMode).toBe(true);
    // KUBE-SVC + 10 KUBE-SEP per service; KUBE-EXT for the 1,000 NodePort services; 5 nat + 1 + 4 fixed chains
    expect(out.chains).toBe(5 + 1 + 4 + 10_000 * 11 + 1_000);
  });
});

// ---- the real iptables-restore, in a private network namespace ----

function probe(unshare: string, args: string[], input: string): string | null {
  const r = spawnSync("unshare", [unshare, ...args], { input, encoding: "utf8" });
  if (r.error !== undefined) return `cannot run unshare: ${r.error.message}`;
  if (r.status !== 0) return `\`unshare ${unshare} ${args.join(" ")}\` failed (${r.status}): ${r.stderr.trim()}`;
  return null;
}

const parseUnavailable =
  process.env.NETSCALE_UNIT_ONLY === "1"
    ? "npm run test:unit leaves the kernel checks to npm test"
    : probe("-rn", ["iptables-restore", "--test"], "*filter\nCOMMIT\n");

// Commits go to a fresh network namespace: as root without a user namespace (`unshare -n`), since in one (`-rn`)
// iptables-nft cannot raise its netlink socket buffer (SO_SNDBUFFORCE) and batches beyond some hundred rules fail
// with "Message too long"; other users get `-rn` and the small loads.
const kernelUnshare = process.getuid?.() === 0 ? "-n" : "-rn";
if (parseUnavailable !== null) console.warn(`skipping the iptables-restore --test checks: ${parseUnavailable}`);

// the matches and targets kube-proxy uses, committed to a kernel (the nfacct match needs kube-proxy's counters, which a
// fresh namespace lacks: the kernel loads are made with nfacct off)
const kernelUnavailable =
  parseUnavailable ?? probe(kernelUnshare, ["iptables-restore", "--noflush"], sync(overallServices, { config: { nfacct: false, randomFully: true } }).text);
if (kernelUnavailable !== null && parseUnavailable === null) console.warn(`skipping the kernel iptables-restore loads: ${kernelUnavailable}`);

describe("the real iptables-restore", () => {
  it.skipIf(parseUnavailable !== null)("parses the full and partial syncs (--test)", () => {
    const full = iptablesRestoreInput(ruleset(overallServices));
    const partial = iptablesRestoreInput(ruleset(overallServices), {
      changedServices: new Set(["ns5/svc5:p80"]),
      existingNatChains: [...full.activeNatChains, "KUBE-SVC-AAAAAAAAAAAAAAAA", "KUBE-SEP-BBBBBBBBBBBBBBBB"],
    });
    expect(partial.deletedChains).toBe(2);
    for (const text of [full.text, partial.text, sync(overallServices, { largeClusterMode: true }).text, iptablesRestoreInput(ruleset(comboServices())).text]) {
      const r = spawnSync("unshare", ["-rn", "iptables-restore", "--test"], { input: text, encoding: "utf8" });
      expect(r.stderr).toBe("");
      expect(r.status).toBe(0);
    }
  });

  it.skipIf(kernelUnavailable !== null)("commits every combination of policies and endpoint states to a kernel", () => {
    // in slices, each a full sync to its own namespace, so that `-rn` batches stay small enough
    const services = comboServices();
    const slice = kernelUnshare === "-n" ? services.length : 4;
    for (let i = 0; i < services.length; i += slice) {
      const text = iptablesRestoreInput(ruleset(services.slice(i, i + slice)), { config: { nfacct: false } }).text;
      const r = spawnSync("unshare", [kernelUnshare, "iptables-restore", "--noflush"], { input: text, encoding: "utf8" });
      expect(r.stderr).toBe("");
      expect(r.status).toBe(0);
    }
  });

  it.skipIf(kernelUnavailable !== null)("commits a full sync then partial syncs to a kernel, ending with the chains the model expects", () => {
    const config = { nfacct: false, randomFully: true };
    const kernel = new NatChains();
    const texts: string[] = [];
    const syncTo = (services: ProxyServicePort[], changed?: string[]): void => {
      const out = iptablesRestoreInput(ruleset(services), {
        changedServices: changed === undefined ? undefined : new Set(changed),
        existingNatChains: [...kernel.chains],
        config,
      });
      kernel.apply(out.text);
      texts.push(out.text);
    };
    const [svc1, svc2, svc3, svc4, svc5, svc6] = overallServices;
    syncTo(overallServices);
    // svc2 loses its only endpoint; svc4 gains one; svc5 is deleted; svc6 gets an endpoint
    const svc2b = { ...svc2, endpoints: [] };
    const svc4b = { ...svc4, endpoints: [...svc4.endpoints, ep("10.180.0.6", 80)] };
    const svc6b = { ...svc6, endpoints: [ep("10.180.0.7", 80, true)] };
    syncTo([svc1, svc2b, svc3, svc4b, svc6b], ["ns2/svc2:p80", "ns4/svc4:p80", "ns5/svc5:p80", "ns6/svc6:p80"]);
    syncTo([svc1, svc2b, svc3, svc4b, svc6b], []);
    syncTo([svc1, svc3, svc4b, svc5], ["ns2/svc2:p80", "ns5/svc5:p80", "ns6/svc6:p80"]);

    const dir = mkdtempSync(join(tmpdir(), "iptables-restore-"));
    try {
      const files = texts.map((t, i) => {
        const f = join(dir, `sync-${i}.rules`);
        writeFileSync(f, t);
        return f;
      });
      const script = 'for f in "$@"; do iptables-restore --noflush < "$f" || exit 1; done; iptables-save -t nat';
      const r = spawnSync("unshare", [kernelUnshare, "sh", "-c", script, "sh", ...files], { encoding: "utf8" });
      expect(r.stderr).toBe("");
      expect(r.status).toBe(0);
      const saved = new Set(
        r.stdout
          .split("\n")
          .filter((l) => l.startsWith(":KUBE-"))
          .map((l) => l.slice(1, l.indexOf(" "))),
      );
      expect(saved).toEqual(kernel.chains);
      // and the kernel holds exactly what a full sync of the final state gives a fresh kernel
      const final = iptablesRestoreInput(ruleset([svc1, svc3, svc4b, svc5]), { config });
      const fresh = spawnSync("unshare", [kernelUnshare, "sh", "-c", "iptables-restore --noflush && iptables-save -t nat"], {
        input: final.text,
        encoding: "utf8",
      });
      expect(fresh.status).toBe(0);
      const rulesByChain = (save: string): Map<string, string[]> => {
        const out = new Map<string, string[]>();
        for (const l of save.split("\n")) {
          const m = /^-A (\S+) /.exec(l);
          if (m !== null) out.set(m[1], [...(out.get(m[1]) ?? []), l]);
        }
        return out;
      };
      expect(rulesByChain(r.stdout)).toEqual(rulesByChain(fresh.stdout));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
