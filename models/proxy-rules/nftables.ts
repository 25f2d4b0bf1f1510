/**
 * The `nft -f` transaction that kube-proxy's nftables proxier writes for a node's state.
 *
 * Mirrors kubernetes/kubernetes pkg/proxy/nftables/proxier.go, read at blob 9f4edccb (the v1.34 line: it has the
 * pre-DNAT / priority-0 filter chains of #132456, first in v1.34.0-beta.0, the port-less ClusterIP masquerade rule of
 * #131492, the restart optimisation of #130119 and pkg/proxy/runner of #131615, and still the mark-for-masquerade
 * chain that #135800 removed for v1.36), and the text format of sigs.k8s.io/knftables v0.0.18 (objects.go
 * writeOperation, transaction.go String): one operation per line, in the order the proxier queues them.
 *
 * - Full sync (no `changedServices`): setupNFTables (table, base chains, helper chains, sets, maps; on the first sync
 *   after a start also the add+delete of every base chain), then every Service's chains, rules and map elements.
 *   Map/set elements go through nftElementStorage: since #130119 a full sync reads the kernel's elements instead of
 *   flushing the maps, so only missing/changed elements are written and leftovers deleted. Without `previous` the
 *   kernel table is taken to be empty (a fresh node), so every element is added.
 * - Partial sync (`changedServices`): no setup; chains of Services that did not change are neither flushed nor
 *   rewritten (syncProxyRules' skipServiceUpdate), and their elements, which upstream runs through the element
 *   storage too, are the ones already in the kernel, so they write nothing and are not visited here. The changed
 *   Services' elements are diffed against `previous` (delete + add for a changed value, delete for a leftover).
 * - Either way, service/endpoint chains that exist but are no longer used are flushed, not deleted (upstream deletes
 *   them in a separate, earlier transaction of a sync at least 1 s later: see {@link nftStaleChainDeletionInput}).
 *
 * Upstream iterates Go maps (services, stale chains, leftover elements) in random order; here Services come in input
 * order and the rest in a fixed order, so the text is deterministic. Upstream's own tests compare after sorting
 * (helpers_test.go sortNFTablesTransaction), so the order between Services carries no meaning.
 */

import { hash as cryptoHash } from "node:crypto";
import { categorizeEndpoints, endpointString, servicePortNameString } from "./endpoints.js";
import type { ProxyEndpoint, ProxyRuleset, ProxyServicePort } from "./types.js";

export { servicePortNameString };

export type NftFamily = "ip" | "ip6";

export interface NftInputOptions {
  /**
   * Partial sync: the Services changed since the previous sync, as "namespace/name:portName" keys. As upstream
   * (serviceUpdateResult / endpointUpdateResult.UpdatedServices are sets of NamespacedName), a change to one port
   * counts for every port of that Service.
   */
  changedServices?: ReadonlySet<string>;
  family?: NftFamily;
  /**
   * The state the previous successful sync programmed (= what the kernel holds). Used to diff map elements, to find
   * chains and affinity sets that are no longer used, and (first sync after a restart) to skip existing endpoint
   * chains. Without it: a full sync assumes an empty kernel table; a partial sync assumes the unchanged Services
   * were programmed as they are now and the changed ones were not programmed at all (so nothing is deleted).
   */
  previous?: ProxyRuleset;
  /**
   * Stale service/endpoint chains flushed by earlier syncs and still in the kernel (not yet removed by a
   * {@link nftStaleChainDeletionInput} transaction). They are flushed again unless used again.
   */
  existingStaleChains?: Iterable<string>;
  /**
   * First sync since kube-proxy started (proxier.flushed / syncedOnce are false): adds the base-chain add+delete and,
   * with `previous`, skips endpoint chains that already exist (epChainSkipUpdate). Only for full syncs (the first
   * sync always is one). Default: true for a full sync, so pass false for the periodic (hourly) full resync.
   */
  firstSync?: boolean;
  /** --masquerade-all. */
  masqueradeAll?: boolean;
  /**
   * The masquerade mark as the proxier formats it: fmt.Sprintf("%#08x", 1<<masqueradeBit). Default: bit 14, which
   * Go renders "0x00004000" (src/fmt/format.go: the zero padding to the width counts digits only, "0x" comes on
   * top). Upstream's tests set a literal "0x4000"; the kernel holds the same mark either way.
   */
  masqueradeMark?: string;
  /**
   * IPs that accept NodePort traffic (the nodeport-ips set), or "all" (--nodeport-addresses unset with another mode
   * default: the set is deleted and `fib daddr type local` is used). Default: [ruleset.nodeIP], i.e. the nftables
   * mode default `--nodeport-addresses primary`.
   */
  nodePortIPs?: readonly string[] | "all";
}

export interface NftInput {
  /** `nft -f` input: one operation per line, each ending in "\n"; "" when there is nothing to do. */
  text: string;
  /** "add rule" operations. */
  rules: number;
  /** "add chain" operations (each add of a chain is followed by a flush; base chains count once per add). */
  chains: number;
  /** "add element" operations. */
  elements: number;
  /** All operations (= lines; knftables Transaction.NumOperations). */
  operations: number;
  /** Service/endpoint chains flushed by this transaction as unused: the caller deletes them ≥ 1 s later. */
  staleChains: string[];
}

// ---------------------------------------------------------------------------------------------------------------
// Names (proxier.go: constants, hashAndTruncate, servicePortChainNameBase, servicePortEndpointChainNameBase)

const TABLE = "kube-proxy";

const FILTER_PREROUTING_PRE_DNAT = "filter-prerouting-pre-dnat";
const FILTER_OUTPUT_PRE_DNAT = "filter-output-pre-dnat";
const FILTER_INPUT = "filter-input";
const FILTER_FORWARD = "filter-forward";
const FILTER_OUTPUT = "filter-output";
const NAT_PREROUTING = "nat-prerouting";
const NAT_OUTPUT = "nat-output";
const NAT_POSTROUTING = "nat-postrouting";

const SERVICES_CHAIN = "services";
const SERVICE_IPS_MAP = "service-ips";
const SERVICE_NODEPORTS_MAP = "service-nodeports";
const NODEPORT_IPS_SET = "nodeport-ips";
const CLUSTER_IPS_SET = "cluster-ips";
const SERVICE_ENDPOINTS_CHECK = "service-endpoints-check";
const NODEPORT_ENDPOINTS_CHECK = "nodeport-endpoints-check";
const NO_ENDPOINT_SERVICES_MAP = "no-endpoint-services";
const NO_ENDPOINT_NODEPORTS_MAP = "no-endpoint-nodeports";
const REJECT_CHAIN = "reject-chain";
const CLUSTER_IPS_CHECK = "cluster-ips-check";
const FIREWALL_IPS_MAP = "firewall-ips";
const FIREWALL_CHECK = "firewall-check";
const MARK_MASQ_CHAIN = "mark-for-masquerade";
const MASQUERADING_CHAIN = "masquerading";

/** knftables.NameLengthMax (256) - chainNamePrefixLengthMax (16). */
const CHAIN_NAME_BASE_LENGTH_MAX = 256 - 16;

const BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

const BASE64_VALUE = new Uint8Array(128);
const BASE64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
for (let i = 0; i < 64; i++) BASE64_VALUE[BASE64.charCodeAt(i)] = i;

/**
 * proxier.go hashAndTruncate: the first 8 characters of the standard base32 encoding of sha256(name), "-", name;
 * cut to chainNameBaseLengthMax (240) with a "..." ending if longer.
 */
export function hashAndTruncate(name: string): string {
  // 8 base32 characters are the first 40 bits of the digest. Taken from the one-shot hash's base64 form (the
  // cheapest output of crypto.hash): its first 7 characters hold the first 42 bits.
  const b64 = cryptoHash("sha256", name, "base64");
  const v = (i: number): number => BASE64_VALUE[b64.charCodeAt(i)];
  const hi24 = (v(0) << 18) | (v(1) << 12) | (v(2) << 6) | v(3);
  const lo18 = (v(4) << 12) | (v(5) << 6) | v(6);
  const a = hi24 >>> 4; // bits 0-19
  const b = ((hi24 & 15) << 16) | (lo18 >>> 2); // bits 20-39
  const prefix =
    BASE32[a >>> 15] +
    BASE32[(a >>> 10) & 31] +
    BASE32[(a >>> 5) & 31] +
    BASE32[a & 31] +
    BASE32[b >>> 15] +
    BASE32[(b >>> 10) & 31] +
    BASE32[(b >>> 5) & 31] +
    BASE32[b & 31];
  const out = `${prefix}-${name}`;
  return out.length > CHAIN_NAME_BASE_LENGTH_MAX ? `${out.slice(0, CHAIN_NAME_BASE_LENGTH_MAX - 3)}...` : out;
}

/** servicePortChainNameBase: "HASH-namespace/name/protocol/portName", e.g. "ULMVA6XW-ns1/svc1/tcp/p80". */
export function servicePortChainNameBase(namespace: string, name: string, protocol: string, portName: string): string {
  return hashAndTruncate(`${namespace}/${name}/${protocol.toLowerCase()}/${portName}`);
}

/**
 * servicePortEndpointChainNameBase: "HASH-namespace/name/protocol/portName__endpointIP/endpointPort", with an IPv6
 * endpoint IP's colons turned into dots, e.g. "5OJB2KTY-ns1/svc1/tcp/p80__10.180.0.1/80".
 */
export function servicePortEndpointChainNameBase(
  namespace: string,
  name: string,
  protocol: string,
  portName: string,
  endpointIP: string,
  endpointPort: number,
): string {
  const ip = endpointIP.includes(":") ? endpointIP.replaceAll(":", ".") : endpointIP;
  return hashAndTruncate(`${namespace}/${name}/${protocol.toLowerCase()}/${portName}__${ip}/${endpointPort}`);
}

export interface ServicePortChainNames {
  /** "service-" + base: endpoints for Cluster traffic policy. */
  cluster: string;
  /** "local-" + base: endpoints for Local traffic policy. */
  local: string;
  /** "external-" + base: NodePort / LoadBalancer / externalIP traffic. */
  external: string;
  /** "firewall-" + base: loadBalancerSourceRanges. */
  firewall: string;
}

/** The per-Service-port chain names (newServiceInfo). */
export function serviceChainNames(svc: Pick<ProxyServicePort, "namespace" | "name" | "protocol" | "portName">): ServicePortChainNames {
  const base = servicePortChainNameBase(svc.namespace, svc.name, svc.protocol, svc.portName);
  return {
    cluster: `service-${base}`,
    local: `local-${base}`,
    external: `external-${base}`,
    firewall: `firewall-${base}`,
  };
}

export interface EndpointNames {
  /** "endpoint-" + base. */
  chain: string;
  /** "affinity-" + base: the ClientIP session affinity set. */
  affinitySet: string;
}

/** The per-endpoint chain and affinity set names (newEndpointInfo). */
export function endpointChainNames(
  svc: Pick<ProxyServicePort, "namespace" | "name" | "protocol" | "portName">,
  ep: Pick<ProxyEndpoint, "ip" | "port">,
): EndpointNames {
  const base = servicePortEndpointChainNameBase(svc.namespace, svc.name, svc.protocol, svc.portName, ep.ip, ep.port);
  return { chain: `endpoint-${base}`, affinitySet: `affinity-${base}` };
}

/** The key of a Service port in {@link NftInputOptions.changedServices}: "namespace/name:portName". */
export function servicePortKey(svc: Pick<ProxyServicePort, "namespace" | "name" | "portName">): string {
  return `${svc.namespace}/${svc.name}:${svc.portName}`;
}

/** The transaction that deletes stale chains, run first in a sync ≥ 1 s after they were flushed (syncProxyRules). */
export function nftStaleChainDeletionInput(chains: Iterable<string>, family: NftFamily = "ip"): string {
  const out: string[] = [];
  for (const c of chains) out.push(`delete chain ${family} ${TABLE} ${c}\n`);
  return out.join("");
}

// ---------------------------------------------------------------------------------------------------------------
// Endpoint selection (pkg/proxy/topology.go CategorizeEndpoints, without topology hints; pkg/proxy/serviceport.go)

function isFamily(ip: string, family: NftFamily): boolean {
  return ip.includes(":") === (family === "ip6");
}

interface ProxierEndpoints {
  eps: readonly ProxyEndpoint[];
  /** endpointString of each (BaseEndpointInfo.String: "IP:port", "[IPv6]:port"). */
  strs: string[];
}

/**
 * The endpoints kube-proxy holds for a Service port: of the proxier's family, one per IP:port, sorted by their
 * "IP:port" string (endpointslicecache.go: byEndpoint), which fixes the numgen indices.
 */
function proxierEndpoints(svc: ProxyServicePort, family: NftFamily): ProxierEndpoints {
  // Fast path: the input is already in the proxier's order (one family, strictly increasing "IP:port").
  const strs: string[] = [];
  let ordered = true;
  for (const ep of svc.endpoints) {
    const k = endpointString(ep);
    if (!isFamily(ep.ip, family) || (strs.length > 0 && k <= strs[strs.length - 1])) {
      ordered = false;
      break;
    }
    strs.push(k);
  }
  if (ordered) return { eps: svc.endpoints, strs };

  const byKey = new Map<string, ProxyEndpoint>();
  for (const ep of svc.endpoints) {
    if (!isFamily(ep.ip, family)) continue;
    const k = endpointString(ep);
    if (!byKey.has(k)) byKey.set(k, ep);
  }
  const keys = [...byKey.keys()].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
  return { eps: keys.map((k) => byKey.get(k)!), strs: keys };
}

// ---------------------------------------------------------------------------------------------------------------
// Small IP helpers (Go net.ParseCIDR / IPNet.String / Contains for loadBalancerSourceRanges)

interface Cidr {
  v6: boolean;
  addr: bigint;
  bits: number;
}

function parseIPv4(s: string): bigint | null {
  const parts = s.split(".");
  if (parts.length !== 4) return null;
  let v = 0n;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p)) return null;
    const n = Number(p);
    if (n > 255) return null;
    v = (v << 8n) | BigInt(n);
  }
  return v;
}

function parseIPv6(s: string): bigint | null {
  let head = s;
  let tailV4: bigint | null = null;
  const lastColon = s.lastIndexOf(":");
  if (s.slice(lastColon + 1).includes(".")) {
    tailV4 = parseIPv4(s.slice(lastColon + 1));
    if (tailV4 === null) return null;
    head = `${s.slice(0, lastColon + 1)}0:0`;
  }
  const halves = head.split("::");
  if (halves.length > 2) return null;
  const left = halves[0] === "" ? [] : halves[0].split(":");
  const right = halves.length === 2 && halves[1] !== "" ? halves[1].split(":") : [];
  const missing = 8 - left.length - right.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return null;
  const groups = [...left, ...new Array<string>(halves.length === 2 ? missing : 0).fill("0"), ...right];
  let v = 0n;
  for (const g of groups) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return null;
    v = (v << 16n) | BigInt(parseInt(g, 16));
  }
  if (tailV4 !== null) v = (v & ~0xffffffffn) | tailV4;
  return v;
}

function formatIPv4(v: bigint): string {
  return [24n, 16n, 8n, 0n].map((s) => String((v >> s) & 255n)).join(".");
}

/** Go net.IP.String for IPv6: longest run (≥ 2) of zero groups as "::", lowercase, no leading zeros. */
function formatIPv6(v: bigint): string {
  const g: number[] = [];
  for (let i = 7; i >= 0; i--) g.push(Number((v >> BigInt(i * 16)) & 0xffffn));
  let e0 = -1;
  let e1 = -1;
  for (let i = 0; i < 8; i++) {
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j > i && j - i > e1 - e0) {
      e0 = i;
      e1 = j;
      i = j;
    }
  }
  if (e1 - e0 <= 1) e0 = e1 = -1;
  let out = "";
  for (let i = 0; i < 8; i++) {
    if (i === e0) {
      out += "::";
      i = e1 - 1;
      continue;
    }
    if (out !== "" && !out.endsWith(":")) out += ":";
    out += g[i].toString(16);
  }
  return out;
}

function parseCidr(raw: string): Cidr | null {
  const s = raw.trim();
  const slash = s.indexOf("/");
  if (slash < 0) return null;
  const v6 = s.includes(":");
  const addr = v6 ? parseIPv6(s.slice(0, slash)) : parseIPv4(s.slice(0, slash));
  const lenStr = s.slice(slash + 1);
  if (addr === null || !/^\d{1,3}$/.test(lenStr)) return null;
  const bits = Number(lenStr);
  const width = v6 ? 128 : 32;
  if (bits > width) return null;
  const mask = ((1n << BigInt(width)) - 1n) ^ ((1n << BigInt(width - bits)) - 1n);
  return { v6, addr: addr & mask, bits };
}

function cidrString(c: Cidr): string {
  return `${c.v6 ? formatIPv6(c.addr) : formatIPv4(c.addr)}/${c.bits}`;
}

function cidrContains(c: Cidr, ip: string): boolean {
  const v6 = ip.includes(":");
  if (v6 !== c.v6) return false;
  const a = v6 ? parseIPv6(ip) : parseIPv4(ip);
  if (a === null) return false;
  const width = c.v6 ? 128 : 32;
  return a >> BigInt(width - c.bits) === c.addr >> BigInt(width - c.bits);
}

// ---------------------------------------------------------------------------------------------------------------
// Per-Service-port programme (proxier.go syncProxyRules' loop body, writeServiceToEndpointRules, epChainSkipUpdate)

/** The six element containers (nftElementStorage), in the order syncProxyRules cleans them up. */
const C = {
  ClusterIPs: 0,
  ServiceIPs: 1,
  FirewallIPs: 2,
  NoEndpointServices: 3,
  NoEndpointNodePorts: 4,
  ServiceNodePorts: 5,
} as const;
type C = (typeof C)[keyof typeof C];
const CONTAINER_NAMES = [CLUSTER_IPS_SET, SERVICE_IPS_MAP, FIREWALL_IPS_MAP, NO_ENDPOINT_SERVICES_MAP, NO_ENDPOINT_NODEPORTS_MAP, SERVICE_NODEPORTS_MAP];
const N_CONTAINERS = 6;

/** What the loop body does, as callbacks: the transaction writer implements them, state collection records them. */
interface Sink {
  /** ensureChain; `skip` = skipCreation. */
  chain(name: string, skip: boolean): void;
  elem(c: C, key: string, value: string, comment: string | undefined): void;
  affinitySet(name: string): void;
  /** Whether rules are wanted (everything after upstream's `skipServiceUpdate` point). */
  readonly wantRules: boolean;
  rule(chain: string, rule: string, comment?: string): void;
  /** Declares the per-endpoint affinity set (tx.Add(&knftables.Set{...})). */
  addAffinitySet(name: string, timeoutSeconds: number): void;
  /** epChainSkipUpdate. */
  skipEndpointChain(chain: string, affinitySet: string, wantAffinity: boolean): boolean;
}

interface ProgramContext {
  family: NftFamily;
  /** localDetector.IfLocalNFT / IfNotLocalNFT, or "" when no detector (no --cluster-cidr). */
  ifLocal: string;
  ifNotLocal: string;
  masqueradeAll: boolean;
  nodeIP: string;
}

function programServicePort(svc: ProxyServicePort, ctx: ProgramContext, sink: Sink): void {
  const fam = ctx.family;
  const protocol = svc.protocol.toLowerCase();
  const port = svc.port;
  const names = serviceChainNames(svc);
  const { eps, strs } = proxierEndpoints(svc, fam);
  const externalIPs = (svc.externalIPs ?? []).filter((ip) => isFamily(ip, fam));
  const lbIPs = (svc.loadBalancerIPs ?? []).filter((ip) => isFamily(ip, fam));
  const nodePort = svc.nodePort ?? 0;
  const affinityTimeout = svc.sessionAffinityTimeoutSeconds;
  const affinity = affinityTimeout !== undefined;

  // serviceport.go: ExternallyAccessible, UsesClusterEndpoints, UsesLocalEndpoints.
  const internalPolicyLocal = !!svc.internalTrafficLocal;
  const externalPolicyLocal = !!svc.externalTrafficLocal;
  const externallyAccessible = nodePort !== 0 || lbIPs.length > 0 || externalIPs.length > 0;
  const usesCluster = !internalPolicyLocal || externallyAccessible;
  const usesLocal = internalPolicyLocal || (externalPolicyLocal && externallyAccessible);
  const { cluster, local, allReachable, hasAnyEndpoints: hasEndpoints } = categorizeEndpoints(eps, usesCluster, usesLocal);

  // Endpoint chain / affinity set names (newEndpointInfo), by endpoint index; inlined endpointChainNames.
  const epNames: EndpointNames[] = new Array(eps.length);
  const epNamePrefix = `${svc.namespace}/${svc.name}/${protocol}/${svc.portName}__`;
  for (const i of allReachable) {
    const { ip, port: epPort } = eps[i];
    const base = hashAndTruncate(`${epNamePrefix}${ip.includes(":") ? ip.replaceAll(":", ".") : ip}/${epPort}`);
    epNames[i] = { chain: `endpoint-${base}`, affinitySet: `affinity-${base}` };
  }

  for (const i of allReachable) {
    const n = epNames[i];
    sink.chain(n.chain, sink.skipEndpointChain(n.chain, n.affinitySet, affinity));
    if (affinity) sink.affinitySet(n.affinitySet);
  }

  const clusterPolicyChain = names.cluster;
  const usesClusterPolicyChain = cluster.length > 0 && usesCluster;
  if (usesClusterPolicyChain) sink.chain(clusterPolicyChain, false);
  const localPolicyChain = names.local;
  const usesLocalPolicyChain = local.length > 0 && usesLocal;
  if (usesLocalPolicyChain) sink.chain(localPolicyChain, false);

  let internalTrafficChain = clusterPolicyChain;
  let hasInternalEndpoints = hasEndpoints;
  if (internalPolicyLocal) {
    internalTrafficChain = localPolicyChain;
    if (local.length === 0) hasInternalEndpoints = false;
  }
  let externalPolicyChain = clusterPolicyChain;
  let hasExternalEndpoints = hasEndpoints;
  if (externalPolicyLocal) {
    externalPolicyChain = localPolicyChain;
    if (local.length === 0) hasExternalEndpoints = false;
  }
  const externalTrafficChain = names.external;
  const usesExternalTrafficChain = hasEndpoints && externallyAccessible;
  if (usesExternalTrafficChain) sink.chain(externalTrafficChain, false);

  let internalVerdict = "";
  let externalVerdict = "";
  if (!hasEndpoints) {
    internalVerdict = `goto ${REJECT_CHAIN}`;
    externalVerdict = `goto ${REJECT_CHAIN}`;
  } else {
    if (!hasInternalEndpoints) internalVerdict = "drop";
    if (!hasExternalEndpoints) externalVerdict = "drop";
  }
  const comment = servicePortNameString(svc);

  const clusterIPKey = `${svc.clusterIP} . ${protocol} . ${port}`;
  sink.elem(C.ClusterIPs, svc.clusterIP, "", undefined);
  if (hasInternalEndpoints) sink.elem(C.ServiceIPs, clusterIPKey, `goto ${internalTrafficChain}`, undefined);
  else sink.elem(C.NoEndpointServices, clusterIPKey, internalVerdict, comment);

  for (const ip of externalIPs) {
    const key = `${ip} . ${protocol} . ${port}`;
    if (hasEndpoints) sink.elem(C.ServiceIPs, key, `goto ${externalTrafficChain}`, undefined);
    if (!hasExternalEndpoints) sink.elem(C.NoEndpointServices, key, externalVerdict, comment);
  }

  const sourceRanges: Cidr[] = [];
  for (const raw of svc.loadBalancerSourceRanges ?? []) {
    const c = parseCidr(raw);
    if (c !== null && c.v6 === (fam === "ip6")) sourceRanges.push(c);
  }
  const usesFWChain = lbIPs.length > 0 && sourceRanges.length > 0;
  const fwChain = names.firewall;
  if (usesFWChain) sink.chain(fwChain, false);

  for (const ip of lbIPs) {
    const key = `${ip} . ${protocol} . ${port}`;
    if (hasEndpoints) sink.elem(C.ServiceIPs, key, `goto ${externalTrafficChain}`, undefined);
    if (usesFWChain) sink.elem(C.FirewallIPs, key, `goto ${fwChain}`, undefined);
  }
  if (!hasExternalEndpoints) {
    for (const ip of lbIPs) sink.elem(C.NoEndpointServices, `${ip} . ${protocol} . ${port}`, externalVerdict, comment);
  }

  if (nodePort !== 0) {
    const key = `${protocol} . ${nodePort}`;
    if (hasEndpoints) sink.elem(C.ServiceNodePorts, key, `goto ${externalTrafficChain}`, undefined);
    if (!hasExternalEndpoints) sink.elem(C.NoEndpointNodePorts, key, externalVerdict, comment);
  }

  // (Upstream returns here for an unchanged Service in a partial sync: skipServiceUpdate.)
  if (!sink.wantRules) return;

  // Internal traffic: masquerade off-cluster traffic to the ClusterIP.
  if (hasInternalEndpoints) {
    const toClusterIP = `${fam} daddr ${svc.clusterIP}`;
    if (ctx.masqueradeAll) {
      sink.rule(internalTrafficChain, `${toClusterIP} jump ${MARK_MASQ_CHAIN}`);
    } else if (ctx.ifNotLocal !== "") {
      sink.rule(internalTrafficChain, `${toClusterIP} ${ctx.ifNotLocal} jump ${MARK_MASQ_CHAIN}`);
    }
  }

  if (usesExternalTrafficChain) {
    if (!externalPolicyLocal) {
      sink.rule(externalTrafficChain, `jump ${MARK_MASQ_CHAIN}`);
    } else {
      if (ctx.ifLocal !== "") {
        sink.rule(externalTrafficChain, `${ctx.ifLocal} goto ${clusterPolicyChain}`, "short-circuit pod traffic");
      }
      sink.rule(externalTrafficChain, `fib saddr type local jump ${MARK_MASQ_CHAIN}`, "masquerade local traffic");
      sink.rule(externalTrafficChain, `fib saddr type local goto ${clusterPolicyChain}`, "short-circuit local traffic");
    }
    if (hasExternalEndpoints) sink.rule(externalTrafficChain, `goto ${externalPolicyChain}`);
  }

  if (usesFWChain) {
    const sources: string[] = [];
    let allowFromNode = false;
    for (const c of sourceRanges) {
      if (sources.length > 0) sources.push(",");
      sources.push(cidrString(c));
      if (cidrContains(c, ctx.nodeIP)) allowFromNode = true;
    }
    if (allowFromNode) for (const ip of lbIPs) sources.push(",", ip);
    sink.rule(fwChain, `${fam} saddr != { ${sources.join(" ")} } drop`);
  }

  if (affinity) for (const i of allReachable) sink.addAffinitySet(epNames[i].affinitySet, affinityTimeout);

  // writeServiceToEndpointRules
  const writeServiceToEndpointRules = (svcChain: string, endpoints: number[]): void => {
    if (affinity) {
      for (const i of endpoints) {
        sink.rule(svcChain, `${fam} saddr @${epNames[i].affinitySet} goto ${epNames[i].chain}`);
      }
    }
    let vmap = "";
    for (let k = 0; k < endpoints.length; k++) {
      vmap += `${k === 0 ? "" : " , "}${k} : goto ${epNames[endpoints[k]].chain}`;
    }
    sink.rule(svcChain, `numgen random mod ${endpoints.length} vmap { ${vmap} }`);
  };
  if (usesClusterPolicyChain) writeServiceToEndpointRules(clusterPolicyChain, cluster);
  if (usesLocalPolicyChain) writeServiceToEndpointRules(localPolicyChain, local);

  // The per-endpoint chains.
  for (const i of allReachable) {
    const n = epNames[i];
    if (sink.skipEndpointChain(n.chain, n.affinitySet, affinity)) continue;
    sink.rule(n.chain, `${fam} saddr ${eps[i].ip} jump ${MARK_MASQ_CHAIN}`);
    if (affinity) sink.rule(n.chain, `update @${n.affinitySet} { ${fam} saddr }`);
    sink.rule(n.chain, `meta l4proto ${protocol} dnat to ${strs[i]}`);
  }
}

function programContext(ruleset: ProxyRuleset, family: NftFamily, masqueradeAll: boolean): ProgramContext {
  // pkg/proxy/util/localdetector.go NewDetectLocalByCIDR; no --cluster-cidr = NoOpLocalDetector.
  const cidr = ruleset.clusterCIDR.trim();
  const detect = cidr !== "" && isFamily(cidr, family);
  return {
    family,
    ifLocal: detect ? `${family} saddr ${cidr}` : "",
    ifNotLocal: detect ? `${family} saddr != ${cidr}` : "",
    masqueradeAll,
    nodeIP: ruleset.nodeIP,
  };
}

function proxiedServices(ruleset: ProxyRuleset, family: NftFamily): ProxyServicePort[] {
  // Headless and other-family Services are not in the single-stack proxier's ServicePortMap.
  return ruleset.services.filter((s) => s.clusterIP !== "" && s.clusterIP !== "None" && isFamily(s.clusterIP, family));
}

/** What a sync leaves in the kernel, as far as the next sync's diffing needs it. */
interface KernelState {
  elements: Map<string, string>[];
  chains: Set<string>;
  affinitySets: Set<string>;
}

function emptyKernelState(): KernelState {
  return {
    elements: Array.from({ length: N_CONTAINERS }, () => new Map<string, string>()),
    chains: new Set(),
    affinitySets: new Set(),
  };
}

/** Records the service chains, affinity sets and elements a state programs (no rules). */
function collectState(services: Iterable<ProxyServicePort>, ctx: ProgramContext, into: KernelState): void {
  const sink: Sink = {
    wantRules: false,
    chain: (name) => void into.chains.add(name),
    elem: (c, key, value) => void into.elements[c].set(key, value),
    affinitySet: (name) => void into.affinitySets.add(name),
    rule: () => {},
    addAffinitySet: () => {},
    skipEndpointChain: () => false,
  };
  for (const svc of services) programServicePort(svc, ctx, sink);
}

function serviceNN(key: string): string {
  const i = key.indexOf(":");
  return i < 0 ? key : key.slice(0, i);
}

// ---------------------------------------------------------------------------------------------------------------
// The transaction

const BASE_CHAINS: ReadonlyArray<readonly [name: string, type: string, hook: string, priority: number]> = [
  // knftables.DNATPriority ("dstnat" = -100) + "-10", FilterPriority ("filter" = 0), SNATPriority ("srcnat" = 100),
  // written numerically as knftables does (ParsePriority).
  [FILTER_PREROUTING_PRE_DNAT, "filter", "prerouting", -110],
  [FILTER_OUTPUT_PRE_DNAT, "filter", "output", -110],
  [FILTER_INPUT, "filter", "input", 0],
  [FILTER_FORWARD, "filter", "forward", 0],
  [FILTER_OUTPUT, "filter", "output", 0],
  [NAT_PREROUTING, "nat", "prerouting", -100],
  [NAT_OUTPUT, "nat", "output", -100],
  [NAT_POSTROUTING, "nat", "postrouting", 100],
];

const JUMP_CHAINS: ReadonlyArray<readonly [dst: string, src: string, extra: string]> = [
  [NODEPORT_ENDPOINTS_CHECK, FILTER_INPUT, "ct state new"],
  [SERVICE_ENDPOINTS_CHECK, FILTER_INPUT, "ct state new"],
  [SERVICE_ENDPOINTS_CHECK, FILTER_FORWARD, "ct state new"],
  [SERVICE_ENDPOINTS_CHECK, FILTER_OUTPUT, "ct state new"],
  [FIREWALL_CHECK, FILTER_PREROUTING_PRE_DNAT, "ct state new"],
  [FIREWALL_CHECK, FILTER_OUTPUT_PRE_DNAT, "ct state new"],
  [SERVICES_CHAIN, NAT_OUTPUT, ""],
  [SERVICES_CHAIN, NAT_PREROUTING, ""],
  [MASQUERADING_CHAIN, NAT_POSTROUTING, ""],
  [CLUSTER_IPS_CHECK, FILTER_FORWARD, "ct state new"],
  [CLUSTER_IPS_CHECK, FILTER_OUTPUT, "ct state new"],
];

/** Go %q for the ASCII strings used here. */
function quote(s: string): string {
  return `"${s.replace(/[\\"]/g, (m) => `\\${m}`)}"`;
}

/**
 * Accumulates the transaction text. Lines are appended to a string that is flattened every ~64 KiB, so that each
 * line string dies young (cheaper for the GC than keeping ~500k of them alive until a join).
 */
class TxWriter {
  operations = 0;
  rules = 0;
  chains = 0;
  elements = 0;
  private readonly chunks: string[] = [];
  private cur = "";
  private readonly p: string;

  constructor(readonly family: NftFamily) {
    this.p = ` ${family} ${TABLE} `;
  }

  private push(line: string): void {
    this.operations++;
    this.cur += line;
    if (this.cur.length > 65536) {
      this.chunks.push(this.cur);
      // Flatten the rope now, so that its pieces can be collected.
      this.cur.charCodeAt(0);
      this.cur = "";
    }
  }

  text(): string {
    // Concatenated, not joined: the flat chunks become one rope, flattened by whoever reads it, once.
    let out = "";
    for (const c of this.chunks) out += c;
    out += this.cur;
    this.chunks.length = 0;
    this.cur = "";
    return out;
  }

  addTable(comment: string): void {
    this.push(`add table ${this.family} ${TABLE} { comment ${quote(comment)} ; }\n`);
  }
  addChain(name: string, props = ""): void {
    this.push(`add chain${this.p}${name}${props}\n`);
    this.chains++;
  }
  flushChain(name: string): void {
    this.push(`flush chain${this.p}${name}\n`);
  }
  deleteChain(name: string): void {
    this.push(`delete chain${this.p}${name}\n`);
  }
  addRule(chain: string, rule: string, comment?: string): void {
    const c = comment === undefined ? "" : ` comment ${quote(comment)}`;
    this.push(`add rule${this.p}${chain} ${rule}${c}\n`);
    this.rules++;
  }
  /** Set.writeOperation / Map.writeOperation: "{ type T ; [flags F ;] [timeout Ns ;] [comment "C" ;] }". */
  addSetOrMap(kind: "set" | "map", name: string, type: string, opts: { comment?: string; flags?: string; timeout?: number } = {}): void {
    let props = `type ${type} ;`;
    if (opts.flags !== undefined) props += ` flags ${opts.flags} ;`;
    if (opts.timeout !== undefined) props += ` timeout ${opts.timeout}s ;`;
    if (opts.comment !== undefined) props += ` comment ${quote(opts.comment)} ;`;
    this.push(`add ${kind}${this.p}${name} { ${props} }\n`);
  }
  flushSetOrMap(kind: "set" | "map", name: string): void {
    this.push(`flush ${kind}${this.p}${name}\n`);
  }
  deleteSetOrMap(kind: "set" | "map", name: string): void {
    this.push(`delete ${kind}${this.p}${name}\n`);
  }
  addElement(container: string, key: string, value: string, comment: string | undefined): void {
    const c = comment === undefined ? "" : ` comment ${quote(comment)}`;
    const v = value === "" ? "" : ` : ${value}`;
    this.push(`add element${this.p}${container} { ${key}${c}${v} }\n`);
    this.elements++;
  }
  deleteElement(container: string, key: string): void {
    this.push(`delete element${this.p}${container} { ${key} }\n`);
  }
}

interface SetupParams {
  family: NftFamily;
  firstSync: boolean;
  masqueradeMark: string;
  serviceCIDRs: readonly string[];
  nodePortIPs: readonly string[] | "all";
}

/** proxier.go setupNFTables (readOrReset of the element storage writes nothing when the kernel can be read). */
function writeSetup(tx: TxWriter, s: SetupParams): void {
  const ipX = s.family;
  const addrType = s.family === "ip" ? "ipv4_addr" : "ipv6_addr";
  const noLocalhost = s.family === "ip" ? "ip daddr != 127.0.0.0/8" : "ip6 daddr != ::1";
  const matchAll = s.nodePortIPs === "all";

  tx.addTable("rules for kube-proxy");

  // Once per start: add+delete every base chain so that changed properties (e.g. priority) can be applied.
  if (s.firstSync) {
    for (const [name] of BASE_CHAINS) {
      tx.addChain(name);
      tx.deleteChain(name);
    }
  }
  for (const [name, type, hook, priority] of BASE_CHAINS) {
    tx.addChain(name, ` { type ${type} hook ${hook} priority ${priority} ; }`);
    tx.flushChain(name);
  }

  const created = new Set<string>();
  const ensureChain = (name: string): void => {
    if (created.has(name)) return;
    created.add(name);
    tx.addChain(name);
    tx.flushChain(name);
  };
  for (const [dst, src, extra] of JUMP_CHAINS) {
    ensureChain(dst);
    tx.addRule(src, extra === "" ? `jump ${dst}` : `${extra} jump ${dst}`);
  }
  for (const name of [SERVICES_CHAIN, CLUSTER_IPS_CHECK, MASQUERADING_CHAIN, MARK_MASQ_CHAIN]) ensureChain(name);

  const mark = s.masqueradeMark;
  tx.addRule(MARK_MASQ_CHAIN, `mark set mark or ${mark}`);
  tx.addRule(MASQUERADING_CHAIN, `mark and ${mark} == 0 return`);
  tx.addRule(MASQUERADING_CHAIN, `mark set mark xor ${mark}`);
  tx.addRule(MASQUERADING_CHAIN, "masquerade fully-random");

  tx.addSetOrMap("set", CLUSTER_IPS_SET, addrType, { comment: "Active ClusterIPs" });
  const rejectInvalidPorts = "Reject traffic to invalid ports of ClusterIPs";
  tx.addRule(CLUSTER_IPS_CHECK, `${ipX} daddr @${CLUSTER_IPS_SET} reject`, rejectInvalidPorts);
  if (s.serviceCIDRs.length > 0) {
    const dropUnallocated = "Drop traffic to unallocated ClusterIPs";
    tx.addRule(CLUSTER_IPS_CHECK, `${ipX} daddr { ${s.serviceCIDRs.join(",")} } drop`, dropUnallocated);
  }

  tx.addSetOrMap("set", NODEPORT_IPS_SET, addrType, { comment: "IPs that accept NodePort traffic" });
  if (matchAll) {
    tx.deleteSetOrMap("set", NODEPORT_IPS_SET);
  } else {
    tx.flushSetOrMap("set", NODEPORT_IPS_SET);
    for (const ip of s.nodePortIPs as readonly string[]) {
      // Loopback NodePorts are not supported and are skipped with an error log.
      if (ip === "::1" || ip.startsWith("127.")) continue;
      tx.addElement(NODEPORT_IPS_SET, ip, "", undefined);
    }
  }

  const vmapType = `${addrType} . inet_proto . inet_service : verdict`;
  const portVmapType = "inet_proto . inet_service : verdict";
  tx.addSetOrMap("map", NO_ENDPOINT_SERVICES_MAP, vmapType, {
    comment: "vmap to drop or reject packets to services with no endpoints",
  });
  tx.addSetOrMap("map", NO_ENDPOINT_NODEPORTS_MAP, portVmapType, {
    comment: "vmap to drop or reject packets to service nodeports with no endpoints",
  });

  tx.addChain(REJECT_CHAIN, ` { comment ${quote("helper for @no-endpoint-services / @no-endpoint-nodeports")} ; }`);
  tx.flushChain(REJECT_CHAIN);
  tx.addRule(REJECT_CHAIN, "reject");

  tx.addRule(SERVICE_ENDPOINTS_CHECK, `${ipX} daddr . meta l4proto . th dport vmap @${NO_ENDPOINT_SERVICES_MAP}`);
  tx.addRule(
    NODEPORT_ENDPOINTS_CHECK,
    matchAll
      ? `${noLocalhost} meta l4proto . th dport vmap @${NO_ENDPOINT_NODEPORTS_MAP}`
      : `${ipX} daddr @${NODEPORT_IPS_SET} meta l4proto . th dport vmap @${NO_ENDPOINT_NODEPORTS_MAP}`,
  );

  tx.addSetOrMap("map", FIREWALL_IPS_MAP, vmapType, {
    comment: "destinations that are subject to LoadBalancerSourceRanges",
  });
  ensureChain(FIREWALL_CHECK);
  tx.addRule(FIREWALL_CHECK, `${ipX} daddr . meta l4proto . th dport vmap @${FIREWALL_IPS_MAP}`);

  tx.addSetOrMap("map", SERVICE_IPS_MAP, vmapType, { comment: "ClusterIP, ExternalIP and LoadBalancer IP traffic" });
  tx.addSetOrMap("map", SERVICE_NODEPORTS_MAP, portVmapType, { comment: "NodePort traffic" });
  tx.addRule(SERVICES_CHAIN, `${ipX} daddr . meta l4proto . th dport vmap @${SERVICE_IPS_MAP}`);
  tx.addRule(
    SERVICES_CHAIN,
    matchAll
      ? `fib daddr type local ${noLocalhost} meta l4proto . th dport vmap @${SERVICE_NODEPORTS_MAP}`
      : `${ipX} daddr @${NODEPORT_IPS_SET} meta l4proto . th dport vmap @${SERVICE_NODEPORTS_MAP}`,
  );
}

/**
 * The `nft -f` input kube-proxy's nftables proxier (v1.34) writes in one sync for `ruleset`: a full sync, or with
 * `changedServices` a partial one. See the module comment and {@link NftInputOptions}.
 */
export function nftInput(ruleset: ProxyRuleset, opts: NftInputOptions = {}): NftInput {
  const family = opts.family ?? "ip";
  const partial = opts.changedServices !== undefined;
  const firstSync = !partial && (opts.firstSync ?? true);
  const masqueradeAll = opts.masqueradeAll ?? false;
  const ctx = programContext(ruleset, family, masqueradeAll);

  let services = proxiedServices(ruleset, family);
  let previousServices = opts.previous === undefined ? [] : proxiedServices(opts.previous, family);
  if (opts.changedServices !== undefined) {
    // A partial sync rewrites the chains of the changed Services only. It also runs every other Service through
    // the element storage, but their elements are the ones already in the kernel (no operation) and all their
    // chain / affinity set names contain their namespace/name, so only the changed Services need visiting.
    const changed = new Set<string>();
    for (const k of opts.changedServices) changed.add(serviceNN(k));
    const isChanged = (s: ProxyServicePort): boolean => changed.has(`${s.namespace}/${s.name}`);
    services = services.filter(isChanged);
    previousServices = previousServices.filter(isChanged);
  }

  // What the kernel holds before this transaction: the element storage (read from the kernel on a full sync, kept
  // from the last sync otherwise), `nft list chains` and `nft list sets`.
  const kernel = emptyKernelState();
  if (opts.previous !== undefined) {
    collectState(previousServices, programContext(opts.previous, family, masqueradeAll), kernel);
  }
  for (const c of opts.existingStaleChains ?? []) kernel.chains.add(c);
  // epChainSkipUpdate: only on the first sync since the start, and only chains the kernel has.
  const canSkipEndpointChains = firstSync && kernel.chains.size > 0;
  // The set of chains in use is only needed to find stale ones among those in the kernel.
  const trackChains = kernel.chains.size > 0;

  const tx = new TxWriter(family);
  if (!partial) {
    const nodePortIPs = opts.nodePortIPs ?? [ruleset.nodeIP];
    writeSetup(tx, {
      family,
      firstSync,
      masqueradeMark: opts.masqueradeMark ?? "0x00004000",
      serviceCIDRs: (ruleset.serviceCIDRs ?? []).filter((c) => isFamily(c, family)),
      nodePortIPs: nodePortIPs === "all" ? "all" : nodePortIPs.filter((ip) => isFamily(ip, family)),
    });
  }

  const storage = kernel.elements;
  const leftover = storage.map((m) => new Set(m.keys()));
  const activeChains = new Set<string>();
  const activeAffinitySets = new Set<string>();
  const addrType = family === "ip" ? "ipv4_addr" : "ipv6_addr";

  const sink: Sink = {
    wantRules: true,
    chain(name, skip) {
      // ensureChain
      if (trackChains) {
        if (activeChains.has(name)) return;
        activeChains.add(name);
      }
      if (skip) return;
      tx.addChain(name);
      tx.flushChain(name);
    },
    elem(c, key, value, comment) {
      // nftElementStorage.ensureElem
      const existing = storage[c].get(key);
      const name = CONTAINER_NAMES[c];
      if (existing !== undefined) {
        if (existing !== value) {
          tx.deleteElement(name, key);
          tx.addElement(name, key, value, comment);
          storage[c].set(key, value);
        }
        leftover[c].delete(key);
      } else {
        tx.addElement(name, key, value, comment);
        storage[c].set(key, value);
      }
    },
    affinitySet: (name) => void activeAffinitySets.add(name),
    rule: (chain, rule, comment) => tx.addRule(chain, rule, comment),
    addAffinitySet(name, timeoutSeconds) {
      // knftables.DynamicFlag, TimeoutFlag; Timeout = StickyMaxAgeSeconds.
      tx.addSetOrMap("set", name, addrType, { flags: "dynamic,timeout", timeout: timeoutSeconds });
    },
    skipEndpointChain: (chain, affinitySet, wantAffinity) =>
      canSkipEndpointChains && kernel.chains.has(chain) && wantAffinity === kernel.affinitySets.has(affinitySet),
  };

  // In a partial sync every Service visited here changed, so none skips its chain updates.
  for (const svc of services) programServicePort(svc, ctx, sink);

  // Service/endpoint chains in the kernel but no longer used: flushed now, deleted by a later sync.
  const staleChains: string[] = [];
  for (const chain of kernel.chains) {
    if (chain.includes("/") && !activeChains.has(chain)) {
      tx.flushChain(chain);
      staleChains.push(chain);
    }
  }
  // Unused affinity sets are deleted at once.
  for (const set of kernel.affinitySets) if (!activeAffinitySets.has(set)) tx.deleteSetOrMap("set", set);
  // nftElementStorage.cleanupLeftoverKeys, in syncProxyRules' order.
  for (let c = 0; c < N_CONTAINERS; c++) for (const key of leftover[c]) tx.deleteElement(CONTAINER_NAMES[c], key);

  return {
    text: tx.text(),
    rules: tx.rules,
    chains: tx.chains,
    elements: tx.elements,
    operations: tx.operations,
    staleChains,
  };
}
