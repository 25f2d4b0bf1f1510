/**
 * The `iptables-restore` input kube-proxy's iptables proxier writes for one node's state (Kubernetes v1.34,
 * kubernetes/kubernetes pkg/proxy/iptables/proxier.go, `(*Proxier).syncProxyRules` and
 * `(*Proxier).writeServiceToEndpointRules`), as text: the `*filter ... COMMIT` and `*nat ... COMMIT` tables, line for
 * line in upstream's order, with upstream's chain names, comments and quoting.
 *
 * Pure: no file I/O, no child processes. What upstream does outside the restore input is not modelled here: the jump
 * rules from the built-in chains (INPUT, PREROUTING, ...: `iptablesJumpChains`, written by `EnsureRule` on full syncs
 * only), the KUBE-PROXY-CANARY chains and the nfacct counters' creation.
 *
 * Upstream walks its service map in Go's random map order; here services come out in `ruleset.services` order.
 * Endpoints are sorted as upstream's EndpointsMap sorts them (pkg/proxy/endpointslicecache.go,
 * `endpointsMapFromEndpointInfo`: by "ip:port" string).
 */
import { hash } from "node:crypto";
import { categorizeEndpoints, endpointString, servicePortNameString } from "./endpoints.js";
import type { ProxyEndpoint, ProxyRuleset, ProxyServicePort } from "./types.js";

export { servicePortNameString };

// pkg/proxy/iptables/proxier.go: the top-level chains
const kubeServicesChain = "KUBE-SERVICES";
const kubeExternalServicesChain = "KUBE-EXTERNAL-SERVICES";
const kubeNodePortsChain = "KUBE-NODEPORTS";
const kubePostroutingChain = "KUBE-POSTROUTING";
const kubeMarkMasqChain = "KUBE-MARK-MASQ";
const kubeForwardChain = "KUBE-FORWARD";
const kubeProxyFirewallChain = "KUBE-PROXY-FIREWALL";
/** kubeletFirewallChain: the anti-martian-packet rule for localhost NodePorts. */
const kubeletFirewallChain = "KUBE-FIREWALL";

/** proxier.go `largeClusterEndpointsThreshold`: above this many endpoints, endpoint rules lose their comments. */
export const largeClusterEndpointsThreshold = 1000;

// proxier.go: per-service chain prefixes
export const servicePortPolicyClusterChainNamePrefix = "KUBE-SVC-";
export const servicePortPolicyLocalChainNamePrefix = "KUBE-SVL-";
export const serviceFirewallChainNamePrefix = "KUBE-FW-";
export const serviceExternalChainNamePrefix = "KUBE-EXT-";
export const servicePortEndpointChainNamePrefix = "KUBE-SEP-";

/** pkg/proxy/metrics/metrics.go: the nfacct counters kube-proxy matches on. */
const ctStateInvalidDroppedCounter = "ct_state_invalid_dropped_pkts";
const localhostNodePortAcceptedCounter = "localhost_nps_accepted_pkts";

/** The proxier's settings that change the rules (kube-proxy flags and probed host capabilities). */
export interface IptablesProxierConfig {
  /** `--iptables-masquerade-bit` (default 14) as upstream formats it, `fmt.Sprintf("%#08x", 1<<bit)`: "0x004000". */
  masqueradeMark: string;
  /** `--masquerade-all`. */
  masqueradeAll: boolean;
  /** `--iptables-localhost-nodeports` (default true; always false for IPv6, as `NewDualStackProxier` passes). */
  localhostNodePorts: boolean;
  /** iptables supports `--random-fully` (`HasRandomFully`, iptables >= 1.6.2). */
  randomFully: boolean;
  /** The nfacct counters could be created (`proxier.nfAcctCounters`), so the rules count into them. */
  nfacct: boolean;
  /** `net.netfilter.nf_conntrack_tcp_be_liberal` is set: no INVALID-drop rule. */
  conntrackTCPLiberal: boolean;
}

export const defaultIptablesProxierConfig: Readonly<IptablesProxierConfig> = {
  masqueradeMark: masqueradeMarkForBit(14),
  masqueradeAll: false,
  localhostNodePorts: true,
  randomFully: true,
  nfacct: true,
  conntrackTCPLiberal: false,
};

export interface IptablesRestoreOptions {
  /**
   * Partial sync (upstream's `!doFullSync`, the MinimizeIPTablesRestore behaviour): the Services changed since the last
   * successful sync, as "namespace/name:portName" (or "namespace/name"). As upstream, a Service counts as changed
   * when any of its ports or endpoints did (`UpdatedServices` holds NamespacedNames), and only changed Services get
   * their KUBE-SVC/SVL/EXT/FW/SEP chains declared and written; KUBE-SERVICES, KUBE-NODEPORTS and the filter table are
   * rewritten whole on every sync. Absent: a full sync (upstream's first sync, any sync after a failed restore or a
   * topology-label change, and one at least every `FullSyncPeriod`, an hour: the caller decides).
   */
  changedServices?: ReadonlySet<string>;
  /** Force large-cluster mode on or off; default as upstream: more than 1000 endpoints in all. */
  largeClusterMode?: boolean;
  /**
   * The chains `iptables-save -t nat` shows before this restore. Given, stale service chains (KUBE-SVC/SVL/EXT/FW/SEP
   * chains no live Service uses) get deleted (`:CHAIN` then `-X CHAIN`), as upstream does on every sync; absent, no
   * deletion (upstream when iptables-save fails).
   */
  existingNatChains?: Iterable<string>;
  /**
   * In large-cluster mode upstream deletes stale chains only when `syncPeriod` has passed since it last did
   * (`proxier.lastIPTablesCleanup`): false says it has not. Default true. Ignored outside large-cluster mode.
   */
  staleChainCleanupDue?: boolean;
  config?: Partial<IptablesProxierConfig>;
}

export interface IptablesRestoreResult {
  /** The iptables-restore input (`*filter`...`COMMIT`, `*nat`...`COMMIT`, newline-terminated). */
  text: string;
  /** Rules written (filter and nat `-A` lines; `-X` lines are not rules). */
  rules: number;
  /** Chain lines (`:CHAIN - [0:0]`) in both tables, including those declared only to be deleted. */
  chains: number;
  /** nat rules in the kernel after this restore: written plus those of unchanged Services (upstream's sync_proxy_rules_iptables_total{table="nat"}). */
  natRulesTotal: number;
  /** Stale chains deleted. */
  deletedChains: number;
  /** The per-service nat chains in use after this sync (upstream's `activeNATChains`): the next sync's existing chains. */
  activeNatChains: string[];
  largeClusterMode: boolean;
}

/** Go's `fmt.Sprintf("%#08x", 1<<bit)` (proxier.go `NewProxier`): "0x" plus at least 6 hex digits. */
export function masqueradeMarkForBit(bit: number): string {
  return `0x${(2 ** bit).toString(16).padStart(6, "0")}`;
}

const base32Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
const base32Codes = Uint8Array.from(base32Alphabet, (c) => c.charCodeAt(0));
const base64Values = new Uint8Array(128);
for (const [i, c] of [..."ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"].entries()) base64Values[c.charCodeAt(0)] = i;
const digest = new Uint8Array(12);

/**
 * proxier.go `portProtoHash` / `servicePortEndpointChainName`: base32.StdEncoding(sha256(input))[:16], i.e. the first
 * 10 digest bytes in 5-bit groups. (node hashes one-shot to a string several times faster than through a Hash object
 * and a Buffer, hence the base64 digest decoded back to bytes.)
 */
function hash16(input: string): string {
  const b64 = hash("sha256", input, "base64");
  for (let q = 0; q < 4; q++) {
    const v =
      (base64Values[b64.charCodeAt(4 * q)] << 18) |
      (base64Values[b64.charCodeAt(4 * q + 1)] << 12) |
      (base64Values[b64.charCodeAt(4 * q + 2)] << 6) |
      base64Values[b64.charCodeAt(4 * q + 3)];
    digest[3 * q] = v >> 16;
    digest[3 * q + 1] = (v >> 8) & 255;
    digest[3 * q + 2] = v & 255;
  }
  const d = digest;
  const a = base32Codes;
  return String.fromCharCode(
    a[d[0] >> 3],
    a[((d[0] & 7) << 2) | (d[1] >> 6)],
    a[(d[1] >> 1) & 31],
    a[((d[1] & 1) << 4) | (d[2] >> 4)],
    a[((d[2] & 15) << 1) | (d[3] >> 7)],
    a[(d[3] >> 2) & 31],
    a[((d[3] & 3) << 3) | (d[4] >> 5)],
    a[d[4] & 31],
    a[d[5] >> 3],
    a[((d[5] & 7) << 2) | (d[6] >> 6)],
    a[(d[6] >> 1) & 31],
    a[((d[6] & 1) << 4) | (d[7] >> 4)],
    a[((d[7] & 15) << 1) | (d[8] >> 7)],
    a[(d[8] >> 2) & 31],
    a[((d[8] & 3) << 3) | (d[9] >> 5)],
    a[d[9] & 31],
  );
}

/**
 * proxier.go `servicePortPolicyClusterChain` & co.: prefix + `portProtoHash(servicePortName, protocol)`.
 * `servicePortName` is the ServicePortName string ("ns/name:port", or "ns/name" for an unnamed port); the protocol
 * is hashed lower-case, as upstream passes it ("TCP" is accepted and lowered).
 */
export function servicePortChainName(prefix: string, servicePortName: string, protocol: string): string {
  return prefix + hash16(servicePortName + protocol.toLowerCase());
}

/** proxier.go `servicePortEndpointChainName`: "KUBE-SEP-" + hash of servicePortName + protocol + endpoint ("ip:port"). */
export function endpointChainName(servicePortName: string, protocol: string, endpoint: string): string {
  return servicePortEndpointChainNamePrefix + hash16(servicePortName + protocol.toLowerCase() + endpoint);
}

/** proxier.go `isServiceChainName`. */
export function isServiceChainName(chain: string): boolean {
  return (
    chain.startsWith(servicePortPolicyClusterChainNamePrefix) ||
    chain.startsWith(servicePortPolicyLocalChainNamePrefix) ||
    chain.startsWith(servicePortEndpointChainNamePrefix) ||
    chain.startsWith(serviceFirewallChainNamePrefix) ||
    chain.startsWith(serviceExternalChainNamePrefix)
  );
}

/** pkg/util/iptables `MakeChainLine`. */
function chainLine(chain: string): string {
  return `:${chain} - [0:0]`;
}

/** proxier.go `computeProbability`: fmt.Sprintf("%0.10f", 1.0/float64(n)) (toFixed rounds the exact double as Go does). */
const probabilities: string[] = ["<bad value>"];
function probability(n: number): string {
  for (let i = probabilities.length; i <= n; i++) probabilities.push((1 / i).toFixed(10));
  return probabilities[n];
}

/**
 * A proxyutil.LineBuffer (newline-terminated lines; `discard`: its `NewDiscardLineBuffer` twin, which only counts).
 * Lines are gathered into ~64 KB chunks, each flattened as it is closed: holding hundreds of thousands of
 * concatenated strings (V8 ropes, a node per concatenation) until one final join costs more in garbage collection
 * than building them.
 */
class LineBuffer {
  lines = 0;
  private pending = "";
  private readonly chunks: string[] = [];
  constructor(private readonly discard = false) {}
  write(line: string): void {
    this.lines++;
    if (this.discard) return;
    this.pending += `${line}\n`;
    if (this.pending.length >= 1 << 16) this.flush();
  }
  private flush(): void {
    if (this.pending === "") return;
    this.pending.charCodeAt(0); // flattens the rope (V8 flattens a cons string on character access)
    this.chunks.push(this.pending);
    this.pending = "";
  }
  text(): string {
    this.flush();
    return this.chunks.join("");
  }
}

// ---- addresses (LoadBalancerSourceRanges parsing, as netutils.ParseCIDRSloppy + IPNet.String/Contains) ----

function parseIPv4(s: string): number[] | null {
  const parts = s.split(".");
  if (parts.length !== 4) return null;
  const out: number[] = [];
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p)) return null;
    const v = Number(p);
    if (v > 255) return null;
    out.push(v);
  }
  return out;
}

function parseIPv6(s: string): number[] | null {
  let tail: number[] = [];
  const lastColon = s.lastIndexOf(":");
  if (s.includes(".")) {
    const v4 = parseIPv4(s.slice(lastColon + 1));
    if (v4 === null) return null;
    tail = v4;
    s = `${s.slice(0, lastColon + 1)}0:0`;
  }
  const halves = s.split("::");
  if (halves.length > 2) return null;
  const group = (h: string): number[] | null => {
    if (h === "") return [];
    const out: number[] = [];
    for (const g of h.split(":")) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return null;
      out.push(parseInt(g, 16));
    }
    return out;
  };
  const head = group(halves[0]);
  const rest = halves.length === 2 ? group(halves[1]) : [];
  if (head === null || rest === null) return null;
  const missing = 8 - head.length - rest.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return null;
  const words = [...head, ...new Array<number>(missing).fill(0), ...rest];
  const bytes: number[] = [];
  for (const w of words) bytes.push(w >> 8, w & 255);
  if (tail.length === 4) bytes.splice(12, 4, ...tail);
  return bytes;
}

function parseIP(s: string): number[] | null {
  return s.includes(":") ? parseIPv6(s) : parseIPv4(s);
}

/** Go's net.IP.String for 16-byte addresses (RFC 5952: the longest run of 2+ zero groups becomes "::"). */
function formatIPv6(bytes: number[]): string {
  const words: number[] = [];
  for (let i = 0; i < 16; i += 2) words.push((bytes[i] << 8) | bytes[i + 1]);
  let bestStart = -1,
    bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (ws: number[]): string => ws.map((w) => w.toString(16)).join(":");
  if (bestStart < 0) return hex(words);
  return `${hex(words.slice(0, bestStart))}::${hex(words.slice(bestStart + bestLen))}`;
}

interface Cidr {
  text: string;
  network: number[];
  bits: number;
}

/** netutils.ParseCIDRSloppy after strings.TrimSpace: the masked network, printed as IPNet.String() does. */
function parseCidr(raw: string): Cidr | null {
  const s = raw.trim();
  const slash = s.indexOf("/");
  if (slash < 0) return null;
  const addr = parseIP(s.slice(0, slash));
  const bitsText = s.slice(slash + 1);
  if (addr === null || !/^\d{1,3}$/.test(bitsText)) return null;
  const bits = Number(bitsText);
  if (bits > addr.length * 8) return null;
  const network = addr.map((b, i) => {
    const keep = Math.max(0, Math.min(8, bits - i * 8));
    return b & ((0xff << (8 - keep)) & 0xff);
  });
  const ip = network.length === 4 ? network.join(".") : formatIPv6(network);
  return { text: `${ip}/${bits}`, network, bits };
}

function cidrContains(cidr: Cidr, ip: number[] | null): boolean {
  if (ip === null || ip.length !== cidr.network.length) return false;
  for (let i = 0; i < ip.length; i++) {
    const keep = Math.max(0, Math.min(8, cidr.bits - i * 8));
    const mask = (0xff << (8 - keep)) & 0xff;
    if ((ip[i] & mask) !== cidr.network[i]) return false;
  }
  return true;
}

/** pkg/proxy/endpointslicecache.go: endpoints sorted by String() ("ip:port"), deduplicated by it. */
function sortedEndpoints(endpoints: readonly ProxyEndpoint[]): { eps: ProxyEndpoint[]; strs: string[] } {
  const strs = endpoints.map(endpointString);
  let sorted = true;
  for (let i = 1; i < strs.length; i++) {
    if (!(strs[i - 1] < strs[i])) {
      sorted = false;
      break;
    }
  }
  if (sorted) return { eps: endpoints as ProxyEndpoint[], strs };
  const order = strs.map((_, i) => i).sort((a, b) => (strs[a] < strs[b] ? -1 : strs[a] > strs[b] ? 1 : 0));
  const eps: ProxyEndpoint[] = [];
  const outStrs: string[] = [];
  for (const i of order) {
    if (outStrs.length > 0 && outStrs[outStrs.length - 1] === strs[i]) continue;
    eps.push(endpoints[i]);
    outStrs.push(strs[i]);
  }
  return { eps, strs: outStrs };
}

/** servicechangetracker.go: headless Services (no ClusterIP) are not proxied. */
function isProxied(svc: ProxyServicePort): boolean {
  return svc.clusterIP !== "" && svc.clusterIP !== "None";
}

/** The namespaced names ("ns/name") of changedServices' keys: upstream tracks changes per Service, not per port. */
function changedNamespacedNames(keys: ReadonlySet<string>): Set<string> {
  const out = new Set<string>();
  for (const k of keys) {
    const colon = k.indexOf(":");
    out.add(colon < 0 ? k : k.slice(0, colon));
  }
  return out;
}

/**
 * The iptables-restore input of proxier.go `syncProxyRules` for `ruleset` (a full sync unless `opts.changedServices`
 * is given).
 */
export function iptablesRestoreInput(ruleset: ProxyRuleset, opts: IptablesRestoreOptions = {}): IptablesRestoreResult {
  const cfg: IptablesProxierConfig = { ...defaultIptablesProxierConfig, ...opts.config };
  const isIPv6 = ruleset.nodeIP.includes(":");
  const localhostNodePorts = cfg.localhostNodePorts && !isIPv6;
  const mark = cfg.masqueradeMark;
  // pkg/proxy/util/localdetector.go `NewDetectLocalByCIDR` (IfLocal "-s cidr", IfNotLocal "! -s cidr"); no CIDR:
  // the no-op detector (IsImplemented false).
  const localCIDR = ruleset.clusterCIDR.trim();
  const detectLocal = localCIDR !== "";
  const nodeIPBytes = parseIP(ruleset.nodeIP);
  const partial = opts.changedServices !== undefined;
  const changed = partial ? changedNamespacedNames(opts.changedServices!) : null;

  const filterChains = new LineBuffer();
  const filterRules = new LineBuffer();
  const natChains = new LineBuffer();
  const natRules = new LineBuffer();
  const skippedNatChains = new LineBuffer(true);
  const skippedNatRules = new LineBuffer(true);

  // Write chain lines for all the "top-level" chains we'll be filling in
  for (const c of [kubeServicesChain, kubeExternalServicesChain, kubeForwardChain, kubeNodePortsChain, kubeProxyFirewallChain]) {
    filterChains.write(chainLine(c));
  }
  for (const c of [kubeServicesChain, kubeNodePortsChain, kubePostroutingChain, kubeMarkMasqChain]) natChains.write(chainLine(c));

  // The kubernetes-specific postrouting rules and the masquerade mark rule.
  natRules.write(`-A ${kubePostroutingChain} -m mark ! --mark ${mark}/${mark} -j RETURN`);
  natRules.write(`-A ${kubePostroutingChain} -j MARK --xor-mark ${mark}`);
  natRules.write(
    `-A ${kubePostroutingChain} -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE${cfg.randomFully ? " --random-fully" : ""}`,
  );
  natRules.write(`-A ${kubeMarkMasqChain} -j MARK --or-mark ${mark}`);

  if (!isIPv6 && localhostNodePorts) {
    // Mitigation of the route_localnet security hole (https://issue.k8s.io/90259).
    filterChains.write(chainLine(kubeletFirewallChain));
    filterRules.write(
      `-A ${kubeletFirewallChain} -m comment --comment "block incoming localnet connections" -d 127.0.0.0/8 ! -s 127.0.0.0/8 -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -j DROP`,
    );
  }

  const activeNATChains = new Set<string>();

  let totalEndpoints = 0;
  for (const svc of ruleset.services) if (isProxied(svc)) totalEndpoints += svc.endpoints.length;
  const largeClusterMode = opts.largeClusterMode ?? totalEndpoints > largeClusterEndpointsThreshold;
  // appendServiceCommentLocked: no comment on endpoint rules in large-cluster mode
  const epComment = (comment: string): string => (largeClusterMode ? "" : ` -m comment --comment ${comment}`);

  for (const svc of ruleset.services) {
    if (!isProxied(svc)) continue;
    const protocol = svc.protocol.toLowerCase();
    const svcPortNameString = servicePortNameString(svc);
    const portHash = hash16(svcPortNameString + protocol);
    const clusterPolicyChain = servicePortPolicyClusterChainNamePrefix + portHash;
    const localPolicyChain = servicePortPolicyLocalChainNamePrefix + portHash;
    const fwChain = serviceFirewallChainNamePrefix + portHash;
    const externalTrafficChain = serviceExternalChainNamePrefix + portHash;
    const port = String(svc.port);
    const nodePort = svc.nodePort ?? 0;
    const externalIPs = svc.externalIPs ?? [];
    const lbIPs = svc.loadBalancerIPs ?? [];
    const sourceRanges: Cidr[] = [];
    for (const r of svc.loadBalancerSourceRanges ?? []) {
      const c = parseCidr(r);
      if (c !== null && c.network.length === (isIPv6 ? 16 : 4)) sourceRanges.push(c);
    }
    const affinity = svc.sessionAffinityTimeoutSeconds !== undefined;

    // pkg/proxy/serviceport.go: ExternallyAccessible, UsesClusterEndpoints, UsesLocalEndpoints
    const externallyAccessible = nodePort !== 0 || lbIPs.length > 0 || externalIPs.length > 0;
    const internalPolicyLocal = svc.internalTrafficLocal === true;
    const externalPolicyLocal = svc.externalTrafficLocal === true && externallyAccessible;
    const usesCluster = !internalPolicyLocal || externallyAccessible;
    const usesLocal = internalPolicyLocal || externalPolicyLocal;
    const healthCheckNodePort = svc.externalTrafficLocal === true ? (svc.healthCheckNodePort ?? 0) : 0;

    const { eps, strs } = sortedEndpoints(svc.endpoints);
    const cat = categorizeEndpoints(eps, usesCluster, usesLocal);
    const hasEndpoints = cat.hasAnyEndpoints;
    const epChains = new Array<string>(eps.length);
    const epChain = (i: number): string => (epChains[i] ??= endpointChainName(svcPortNameString, protocol, strs[i]));

    const usesClusterPolicyChain = cat.cluster.length > 0 && usesCluster;
    const usesLocalPolicyChain = cat.local.length > 0 && usesLocal;

    let internalPolicyChain = clusterPolicyChain;
    let hasInternalEndpoints = hasEndpoints;
    if (internalPolicyLocal) {
      internalPolicyChain = localPolicyChain;
      if (cat.local.length === 0) hasInternalEndpoints = false;
    }
    const internalTrafficChain = internalPolicyChain;

    let externalPolicyChain = clusterPolicyChain;
    let hasExternalEndpoints = hasEndpoints;
    if (externalPolicyLocal) {
      externalPolicyChain = localPolicyChain;
      if (cat.local.length === 0) hasExternalEndpoints = false;
    }
    const usesExternalTrafficChain = hasEndpoints && externallyAccessible;

    let loadBalancerTrafficChain = externalTrafficChain;
    const usesFWChain = hasEndpoints && lbIPs.length > 0 && sourceRanges.length > 0;
    if (usesFWChain) loadBalancerTrafficChain = fwChain;

    let internalTrafficFilterTarget = "";
    let internalTrafficFilterComment = "";
    let externalTrafficFilterTarget = "";
    let externalTrafficFilterComment = "";
    if (!hasEndpoints) {
      internalTrafficFilterTarget = "REJECT";
      internalTrafficFilterComment = `"${svcPortNameString} has no endpoints"`;
      externalTrafficFilterTarget = "REJECT";
      externalTrafficFilterComment = internalTrafficFilterComment;
    } else {
      if (!hasInternalEndpoints) {
        internalTrafficFilterTarget = "DROP";
        internalTrafficFilterComment = `"${svcPortNameString} has no local endpoints"`;
      }
      if (!hasExternalEndpoints) {
        externalTrafficFilterTarget = "DROP";
        externalTrafficFilterComment = `"${svcPortNameString} has no local endpoints"`;
      }
    }

    const protoMatch = `-m ${protocol} -p ${protocol}`;

    // Capture the clusterIP.
    if (hasInternalEndpoints) {
      natRules.write(
        `-A ${kubeServicesChain} -m comment --comment "${svcPortNameString} cluster IP" ${protoMatch} -d ${svc.clusterIP} --dport ${port} -j ${internalTrafficChain}`,
      );
    } else {
      filterRules.write(
        `-A ${kubeServicesChain} -m comment --comment ${internalTrafficFilterComment} ${protoMatch} -d ${svc.clusterIP} --dport ${port} -j ${internalTrafficFilterTarget}`,
      );
    }

    // Capture externalIPs.
    for (const externalIP of externalIPs) {
      if (hasEndpoints) {
        natRules.write(
          `-A ${kubeServicesChain} -m comment --comment "${svcPortNameString} external IP" ${protoMatch} -d ${externalIP} --dport ${port} -j ${externalTrafficChain}`,
        );
      }
      if (!hasExternalEndpoints) {
        filterRules.write(
          `-A ${kubeExternalServicesChain} -m comment --comment ${externalTrafficFilterComment} ${protoMatch} -d ${externalIP} --dport ${port} -j ${externalTrafficFilterTarget}`,
        );
      }
    }

    // Capture load-balancer ingress.
    for (const lbip of lbIPs) {
      if (hasEndpoints) {
        natRules.write(
          `-A ${kubeServicesChain} -m comment --comment "${svcPortNameString} loadbalancer IP" ${protoMatch} -d ${lbip} --dport ${port} -j ${loadBalancerTrafficChain}`,
        );
      }
      if (usesFWChain) {
        filterRules.write(
          `-A ${kubeProxyFirewallChain} -m comment --comment "${svcPortNameString} traffic not accepted by ${fwChain}" ${protoMatch} -d ${lbip} --dport ${port} -j DROP`,
        );
      }
    }
    if (!hasExternalEndpoints) {
      for (const lbip of lbIPs) {
        filterRules.write(
          `-A ${kubeExternalServicesChain} -m comment --comment ${externalTrafficFilterComment} ${protoMatch} -d ${lbip} --dport ${port} -j ${externalTrafficFilterTarget}`,
        );
      }
    }

    // Capture nodeports.
    if (nodePort !== 0) {
      if (hasEndpoints) {
        if (localhostNodePorts && !isIPv6 && cfg.nfacct) {
          natRules.write(
            `-A ${kubeNodePortsChain} -m comment --comment ${svcPortNameString} ${protoMatch} -d 127.0.0.0/8 --dport ${nodePort} -m nfacct --nfacct-name ${localhostNodePortAcceptedCounter} -j ${externalTrafficChain}`,
          );
        }
        natRules.write(`-A ${kubeNodePortsChain} -m comment --comment ${svcPortNameString} ${protoMatch} --dport ${nodePort} -j ${externalTrafficChain}`);
      }
      if (!hasExternalEndpoints) {
        filterRules.write(
          `-A ${kubeExternalServicesChain} -m comment --comment ${externalTrafficFilterComment} -m addrtype --dst-type LOCAL ${protoMatch} --dport ${nodePort} -j ${externalTrafficFilterTarget}`,
        );
      }
    }

    // Capture healthCheckNodePorts.
    if (healthCheckNodePort !== 0) {
      filterRules.write(
        `-A ${kubeNodePortsChain} -m comment --comment "${svcPortNameString} health check node port" -m tcp -p tcp --dport ${healthCheckNodePort} -j ACCEPT`,
      );
    }

    // If the SVC/SVL/EXT/FW/SEP chains have not changed since the last sync then we can omit them from the restore
    // input (but still count them).
    let svcNatChains = natChains;
    let svcNatRules = natRules;
    if (partial && !changed!.has(`${svc.namespace}/${svc.name}`)) {
      svcNatChains = skippedNatChains;
      svcNatRules = skippedNatRules;
    }

    // Set up internal traffic handling.
    if (hasInternalEndpoints) {
      const args = `-m comment --comment "${svcPortNameString} cluster IP" ${protoMatch} -d ${svc.clusterIP} --dport ${port}`;
      if (cfg.masqueradeAll) {
        svcNatRules.write(`-A ${internalTrafficChain} ${args} -j ${kubeMarkMasqChain}`);
      } else if (detectLocal) {
        // Masquerade off-cluster traffic to a service VIP.
        svcNatRules.write(`-A ${internalTrafficChain} ${args} ! -s ${localCIDR} -j ${kubeMarkMasqChain}`);
      }
    }

    // Set up external traffic handling.
    if (usesExternalTrafficChain) {
      svcNatChains.write(chainLine(externalTrafficChain));
      activeNATChains.add(externalTrafficChain);
      if (!externalPolicyLocal) {
        svcNatRules.write(
          `-A ${externalTrafficChain} -m comment --comment "masquerade traffic for ${svcPortNameString} external destinations" -j ${kubeMarkMasqChain}`,
        );
      } else {
        if (detectLocal) {
          svcNatRules.write(
            `-A ${externalTrafficChain} -m comment --comment "pod traffic for ${svcPortNameString} external destinations" -s ${localCIDR} -j ${clusterPolicyChain}`,
          );
        }
        svcNatRules.write(
          `-A ${externalTrafficChain} -m comment --comment "masquerade LOCAL traffic for ${svcPortNameString} external destinations" -m addrtype --src-type LOCAL -j ${kubeMarkMasqChain}`,
        );
        svcNatRules.write(
          `-A ${externalTrafficChain} -m comment --comment "route LOCAL traffic for ${svcPortNameString} external destinations" -m addrtype --src-type LOCAL -j ${clusterPolicyChain}`,
        );
      }
      if (hasExternalEndpoints) svcNatRules.write(`-A ${externalTrafficChain} -j ${externalPolicyChain}`);
    }

    // Set up firewall chain, if needed.
    if (usesFWChain) {
      svcNatChains.write(chainLine(fwChain));
      activeNATChains.add(fwChain);
      const args = `-A ${fwChain} -m comment --comment "${svcPortNameString} loadbalancer IP"`;
      let allowFromNode = false;
      for (const cidr of sourceRanges) {
        svcNatRules.write(`${args} -s ${cidr.text} -j ${externalTrafficChain}`);
        if (cidrContains(cidr, nodeIPBytes)) allowFromNode = true;
      }
      if (allowFromNode) {
        for (const lbip of lbIPs) svcNatRules.write(`${args} -s ${lbip} -j ${externalTrafficChain}`);
      }
      svcNatRules.write(`-A ${fwChain} -m comment --comment "other traffic to ${svcPortNameString} will be dropped by KUBE-PROXY-FIREWALL"`);
    }

    // writeServiceToEndpointRules
    const writeServiceToEndpointRules = (svcChain: string, endpoints: readonly number[]): void => {
      if (affinity) {
        for (const i of endpoints) {
          svcNatRules.write(
            `-A ${svcChain}${epComment(`"${svcPortNameString} -> ${strs[i]}"`)} -m recent --name ${epChain(i)} --rcheck --seconds ${svc.sessionAffinityTimeoutSeconds} --reap -j ${epChain(i)}`,
          );
        }
      }
      const n = endpoints.length;
      for (let k = 0; k < n; k++) {
        const i = endpoints[k];
        const stat = k < n - 1 ? ` -m statistic --mode random --probability ${probability(n - k)}` : "";
        svcNatRules.write(`-A ${svcChain}${epComment(`"${svcPortNameString} -> ${strs[i]}"`)}${stat} -j ${epChain(i)}`);
      }
    };

    if (usesClusterPolicyChain) {
      svcNatChains.write(chainLine(clusterPolicyChain));
      activeNATChains.add(clusterPolicyChain);
      writeServiceToEndpointRules(clusterPolicyChain, cat.cluster);
    }
    if (usesLocalPolicyChain) {
      svcNatChains.write(chainLine(localPolicyChain));
      activeNATChains.add(localPolicyChain);
      writeServiceToEndpointRules(localPolicyChain, cat.local);
    }

    // Generate the per-endpoint chains.
    const sepComment = epComment(svcPortNameString);
    for (const i of cat.allReachable) {
      const endpointChain = epChain(i);
      svcNatChains.write(chainLine(endpointChain));
      activeNATChains.add(endpointChain);
      const args = `-A ${endpointChain}${sepComment}`;
      // Handle traffic that loops back to the originator with SNAT.
      svcNatRules.write(`${args} -s ${eps[i].ip} -j ${kubeMarkMasqChain}`);
      const recent = affinity ? ` -m recent --name ${endpointChain} --set` : "";
      // DNAT to final destination.
      svcNatRules.write(`${args}${recent} ${protoMatch} -j DNAT --to-destination ${strs[i]}`);
    }
  }

  // Delete chains no longer in use (in large clusters only every syncPeriod).
  let deletedChains = 0;
  if (opts.existingNatChains !== undefined && (!largeClusterMode || opts.staleChainCleanupDue !== false)) {
    const seen = new Set<string>();
    for (const chain of opts.existingNatChains) {
      if (seen.has(chain) || activeNATChains.has(chain) || !isServiceChainName(chain)) continue;
      seen.add(chain);
      natChains.write(chainLine(chain));
      natRules.write(`-X ${chain}`);
      deletedChains++;
    }
  }

  // Finally, tail-call to the nodePorts chain (nodePortAddresses unset: match all local addresses).
  let destinations = "-m addrtype --dst-type LOCAL";
  if (isIPv6) destinations += " ! -d ::1/128";
  else if (!localhostNodePorts) destinations += " ! -d 127.0.0.0/8";
  natRules.write(
    `-A ${kubeServicesChain} -m comment --comment "kubernetes service nodeports; NOTE: this must be the last rule in this chain" ${destinations} -j ${kubeNodePortsChain}`,
  );

  // Drop the packets in INVALID state (kubernetes#74839, #117924).
  if (!cfg.conntrackTCPLiberal) {
    filterRules.write(
      `-A ${kubeForwardChain} -m conntrack --ctstate INVALID${cfg.nfacct ? ` -m nfacct --nfacct-name ${ctStateInvalidDroppedCounter}` : ""} -j DROP`,
    );
  }
  // Forward masquerade-marked traffic even if the default FORWARD policy is not accept, and what follows it.
  filterRules.write(`-A ${kubeForwardChain} -m comment --comment "kubernetes forwarding rules" -m mark --mark ${mark}/${mark} -j ACCEPT`);
  filterRules.write(`-A ${kubeForwardChain} -m comment --comment "kubernetes forwarding conntrack rule" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT`);

  const text = `*filter\n${filterChains.text()}${filterRules.text()}COMMIT\n*nat\n${natChains.text()}${natRules.text()}COMMIT\n`;

  return {
    text,
    rules: filterRules.lines + natRules.lines - deletedChains,
    chains: filterChains.lines + natChains.lines,
    natRulesTotal: natRules.lines + skippedNatRules.lines - deletedChains,
    deletedChains,
    activeNatChains: [...activeNATChains],
    largeClusterMode,
  };
}
