/**
 * resolv.conf: parsing, validation and what kubelet writes for dnsPolicy ClusterFirst.
 *
 * Pure functions, no I/O. The parsed {@link ResolvConf} keeps option values as written (after validation); each
 * resolver model (resolver.ts) applies its own caps (glibc: timeout ≤ 30, attempts ≤ 5; musl: timeout ≤ 60,
 * attempts ≤ 10; both ndots ≤ 15), because glibc and musl clamp differently.
 *
 * Sources: docs/sources.md §3.1 (kubelet), §3.2 (resolvers); glibc resolv/res_init.c (option parsing,
 * RES_MAXNDOTS 15, RES_MAXRETRANS 30, RES_MAXRETRY 5, MAXNS 3); musl src/network/resolvconf.c (256-byte line
 * buffer, caps 15/10/60); kubelet pkg/kubelet/network/dns/dns.go (omitDuplicates, formDNSSearchFitsLimits).
 */

/** Options the resolver models understand. Values are as written (validated, not yet capped per resolver). */
export interface ResolvOptions {
  /** `ndots:N`; default 1 in both glibc and musl. */
  ndots: number;
  /** `timeout:N` seconds; default 5 (RES_TIMEOUT). docs/sources.md §3.2 */
  timeout: number;
  /** `attempts:N`; default 2 (RES_DFLRETRY). docs/sources.md §3.2 */
  attempts: number;
  /** glibc: send A then AAAA, waiting for the first reply (same socket). musl ignores it (docs/sources.md §4.6). */
  singleRequest: boolean;
  /** glibc: like single-request but a new socket for the second query. musl ignores it (docs/sources.md §4.6). */
  singleRequestReopen: boolean;
  /** glibc: TCP for every query. musl ignores it. */
  useVc: boolean;
  /** glibc ≥ 2.36 `no-aaaa`: only A queries. musl ignores it. */
  noAaaa: boolean;
  /** Other recognised glibc options (rotate, edns0, trust-ad, …): kept, not modelled. */
  other: string[];
}

export interface ResolvConf {
  /** At most 3 are used (MAXNS in glibc and musl). */
  nameservers: string[];
  /** Search domains without trailing dots, in order; "." is the root domain. */
  search: string[];
  options: ResolvOptions;
}

export interface ResolvConfIssue {
  /** 1-based line number in the parsed text (0 for whole-file issues). */
  line: number;
  message: string;
}

export interface ParsedResolvConf {
  conf: ResolvConf;
  /** Lines that are invalid (bad address, bad option value, …). */
  errors: ResolvConfIssue[];
  /** Lines a resolver ignores or clamps, and portability limits (kubelet, musl, old glibc). */
  warnings: ResolvConfIssue[];
}

/** glibc and musl use at most this many nameservers (MAXNS). */
export const MAX_NAMESERVERS = 3;
/** ndots is capped at 15 by both glibc (RES_MAXNDOTS) and musl. */
export const MAX_NDOTS = 15;
/** glibc caps timeout at 30 s (RES_MAXRETRANS) and attempts at 5 (RES_MAXRETRY); docs/sources.md §3.2. */
export const GLIBC_MAX_TIMEOUT_S = 30;
export const GLIBC_MAX_ATTEMPTS = 5;
/** musl caps timeout at 60 s and attempts at 10 (src/network/resolvconf.c, v1.2.5). */
export const MUSL_MAX_TIMEOUT_S = 60;
export const MUSL_MAX_ATTEMPTS = 10;
/** musl reads resolv.conf with a 256-byte line buffer and skips any line it cannot read whole (≥ 255 chars). */
export const MUSL_MAX_LINE_CHARS = 254;

/** KEP-2595 ExpandedDNSConfig (GA 1.28): 32 search paths, 2048 chars. docs/sources.md §3.1 */
export const KUBELET_MAX_SEARCH_PATHS = 32;
export const KUBELET_MAX_SEARCH_CHARS = 2048;
/** Pre-KEP-2595 limits: 6 domains / 256 chars (also glibc ≤ 2.25). docs/sources.md §3.1 */
export const KUBELET_LEGACY_MAX_SEARCH_PATHS = 6;
export const KUBELET_LEGACY_MAX_SEARCH_CHARS = 256;
/** kubelet drops any single search path longer than a DNS-1123 subdomain (253 chars). */
export const DNS1123_SUBDOMAIN_MAX_LENGTH = 253;
/** kubelet writes `options ndots:5` under ClusterFirst. docs/sources.md §3.1 */
export const KUBELET_CLUSTER_FIRST_NDOTS = 5;

export function defaultResolvOptions(): ResolvOptions {
  return { ndots: 1, timeout: 5, attempts: 2, singleRequest: false, singleRequestReopen: false, useVc: false, noAaaa: false, other: [] };
}

/** glibc flag options we recognise but do not model (res_init.c res_setoptions). */
const OTHER_GLIBC_OPTIONS = new Set([
  "rotate",
  "edns0",
  "trust-ad",
  "no-tld-query",
  "no_tld_query",
  "no-reload",
  "strict-error",
  "debug",
  "inet6",
  "insecure1",
  "insecure2",
  "ip6-bytestring",
  "ip6-dotint",
  "no-ip6-dotint",
  "no-check-names",
]);

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

export function isIpv4(s: string): boolean {
  const m = IPV4.exec(s);
  if (m === null) return false;
  return m.slice(1).every((o) => Number(o) <= 255 && (o.length === 1 || o[0] !== "0"));
}

export function isIpv6(s: string): boolean {
  const addr = s.split("%")[0];
  if (!/^[0-9A-Fa-f:.]+$/.test(addr) || !addr.includes(":")) return false;
  const dbl = addr.split("::");
  if (dbl.length > 2) return false;
  let v4 = false;
  const groups = dbl.flatMap((part) => (part === "" ? [] : part.split(":")));
  const last = groups[groups.length - 1];
  if (last?.includes(".")) {
    if (!isIpv4(last)) return false;
    v4 = true;
    groups.pop();
  }
  if (!groups.every((g) => /^[0-9A-Fa-f]{1,4}$/.test(g))) return false;
  const count = groups.length + (v4 ? 2 : 0);
  return dbl.length === 2 ? count < 8 : count === 8;
}

/** Why a search domain is unusable, or undefined if it is fine ("." is the root domain and is allowed). */
export function searchDomainProblem(domain: string): string | undefined {
  if (domain === ".") return undefined;
  const d = domain.endsWith(".") ? domain.slice(0, -1) : domain;
  if (d.length === 0) return "empty domain";
  if (d.length > DNS1123_SUBDOMAIN_MAX_LENGTH) return `longer than ${DNS1123_SUBDOMAIN_MAX_LENGTH} chars`;
  for (const label of d.split(".")) {
    if (label.length === 0) return "empty label";
    if (label.length > 63) return `label "${label.slice(0, 20)}…" longer than 63 chars`;
    if (!/^[A-Za-z0-9_-]+$/.test(label)) return `label "${label}" has characters outside [A-Za-z0-9_-]`;
  }
  return undefined;
}

/**
 * Parses resolv.conf text as glibc and musl read it: comments start with `#` or `;`; `nameserver` lines
 * accumulate (first 3 used); `search` and `domain` replace the search list (last one wins); `options` lines
 * accumulate, later values override. Unknown keywords and options are ignored by the resolvers and reported as
 * warnings; malformed values are errors naming the line.
 */
export function parseResolvConf(text: string): ParsedResolvConf {
  const options = defaultResolvOptions();
  const nameservers: string[] = [];
  let search: string[] = [];
  let searchLine = 0;
  const errors: ResolvConfIssue[] = [];
  const warnings: ResolvConfIssue[] = [];
  const lines = text.split("\n");

  for (let i = 0; i < lines.length; i++) {
    const line = i + 1;
    const raw = lines[i].replace(/\r$/, "");
    const trimmed = raw.trim();
    if (trimmed === "" || trimmed.startsWith("#") || trimmed.startsWith(";")) continue;
    const fields = trimmed.split(/[ \t]+/);
    const keyword = fields[0];
    const args = fields.slice(1);
    if (args.some((a) => a.startsWith("#") || a.startsWith(";"))) {
      warnings.push({
        line,
        message: `"${args.find((a) => a.startsWith("#") || a.startsWith(";"))}": resolv.conf has no inline comments; resolvers read it as a value`,
      });
    }
    if (raw.length > MUSL_MAX_LINE_CHARS && (keyword === "search" || keyword === "domain" || keyword === "options" || keyword === "nameserver")) {
      warnings.push({ line, message: `line is ${raw.length} chars: musl skips lines longer than ${MUSL_MAX_LINE_CHARS} chars` });
    }
    switch (keyword) {
      case "nameserver": {
        if (args.length === 0) {
          errors.push({ line, message: "nameserver: missing address" });
          break;
        }
        const addr = args[0];
        if (!isIpv4(addr) && !isIpv6(addr)) {
          errors.push({ line, message: `nameserver: "${addr}" is not an IPv4 or IPv6 address` });
          break;
        }
        if (args.length > 1) warnings.push({ line, message: `nameserver: extra fields ignored: ${args.slice(1).join(" ")}` });
        if (nameservers.length >= MAX_NAMESERVERS) {
          warnings.push({ line, message: `nameserver ${addr}: more than ${MAX_NAMESERVERS} nameservers; glibc and musl ignore it` });
          break;
        }
        nameservers.push(addr);
        break;
      }
      case "search":
      case "domain": {
        if (args.length === 0) {
          errors.push({ line, message: `${keyword}: no domain given` });
          break;
        }
        if (keyword === "domain" && args.length > 1) warnings.push({ line, message: `domain: only the first domain is used (${args[0]})` });
        const domains = keyword === "domain" ? [args[0]] : args;
        const bad = domains.map((d) => [d, searchDomainProblem(d)] as const).filter(([, p]) => p !== undefined);
        if (bad.length > 0) {
          for (const [d, p] of bad) errors.push({ line, message: `${keyword}: "${d}": ${p}` });
          break;
        }
        if (searchLine > 0) warnings.push({ line, message: `${keyword} replaces the search list from line ${searchLine} (last one wins)` });
        search = domains.map((d) => (d !== "." && d.endsWith(".") ? d.slice(0, -1) : d));
        searchLine = line;
        break;
      }
      case "options":
        for (const opt of args) parseOption(opt, line, options, errors, warnings);
        break;
      case "sortlist":
        warnings.push({ line, message: "sortlist: not modelled" });
        break;
      default:
        warnings.push({ line, message: `unknown keyword "${keyword}": ignored by resolvers` });
    }
  }

  if (nameservers.length === 0) {
    warnings.push({ line: 0, message: "no nameserver: glibc and musl fall back to 127.0.0.1" });
    nameservers.push("127.0.0.1");
  }
  if (searchLine > 0) {
    for (const w of searchLimitIssues(search)) warnings.push({ line: searchLine, message: w });
  }
  return { conf: { nameservers, search, options }, errors, warnings };
}

function parseOption(opt: string, line: number, o: ResolvOptions, errors: ResolvConfIssue[], warnings: ResolvConfIssue[]): void {
  const colon = opt.indexOf(":");
  if (colon >= 0) {
    const name = opt.slice(0, colon);
    const value = opt.slice(colon + 1);
    if (name !== "ndots" && name !== "timeout" && name !== "attempts") {
      warnings.push({ line, message: `options: unknown option "${opt}": ignored` });
      return;
    }
    if (!/^\d+$/.test(value)) {
      errors.push({ line, message: `options ${name}: "${value}" is not a non-negative integer` });
      return;
    }
    const n = Number(value);
    if (name === "ndots") {
      if (n > MAX_NDOTS) warnings.push({ line, message: `options ndots:${n}: glibc and musl cap ndots at ${MAX_NDOTS}` });
      o.ndots = Math.min(n, MAX_NDOTS);
    } else if (name === "timeout") {
      if (n === 0) warnings.push({ line, message: "options timeout:0: glibc waits at least 1 s per try; musl retransmits in a busy loop" });
      if (n > GLIBC_MAX_TIMEOUT_S)
        warnings.push({ line, message: `options timeout:${n}: glibc caps it at ${GLIBC_MAX_TIMEOUT_S} s, musl at ${MUSL_MAX_TIMEOUT_S} s` });
      o.timeout = n;
    } else {
      if (n === 0) {
        errors.push({ line, message: "options attempts:0: glibc then sends no query at all and musl divides by zero" });
        return;
      }
      if (n > GLIBC_MAX_ATTEMPTS)
        warnings.push({ line, message: `options attempts:${n}: glibc caps it at ${GLIBC_MAX_ATTEMPTS}, musl at ${MUSL_MAX_ATTEMPTS}` });
      o.attempts = n;
    }
    return;
  }
  switch (opt) {
    case "single-request":
      o.singleRequest = true;
      return;
    case "single-request-reopen":
      o.singleRequestReopen = true;
      return;
    case "use-vc":
      o.useVc = true;
      return;
    case "no-aaaa":
      o.noAaaa = true;
      return;
    default:
      if (OTHER_GLIBC_OPTIONS.has(opt.replace(/^-/, ""))) {
        if (!o.other.includes(opt)) o.other.push(opt);
      } else warnings.push({ line, message: `options: unknown option "${opt}": ignored` });
  }
}

/** Parses and throws an Error listing every error ("line N: …") if there is any. */
export function parseResolvConfStrict(text: string): ResolvConf {
  const { conf, errors } = parseResolvConf(text);
  if (errors.length > 0) throw new Error(`invalid resolv.conf:\n${errors.map((e) => `  line ${e.line}: ${e.message}`).join("\n")}`);
  return conf;
}

/** Warnings for a search list against kubelet (KEP-2595) and older resolver limits. docs/sources.md §3.1 */
export function searchLimitIssues(search: readonly string[]): string[] {
  const out: string[] = [];
  const chars = search.join(" ").length;
  if (search.length > KUBELET_MAX_SEARCH_PATHS) out.push(`${search.length} search paths: kubelet keeps at most ${KUBELET_MAX_SEARCH_PATHS} (KEP-2595)`);
  if (chars > KUBELET_MAX_SEARCH_CHARS) out.push(`search list is ${chars} chars: kubelet allows at most ${KUBELET_MAX_SEARCH_CHARS} (KEP-2595)`);
  if (search.length > KUBELET_LEGACY_MAX_SEARCH_PATHS || chars > KUBELET_LEGACY_MAX_SEARCH_CHARS) {
    out.push(`search list exceeds ${KUBELET_LEGACY_MAX_SEARCH_PATHS} domains / ${KUBELET_LEGACY_MAX_SEARCH_CHARS} chars: glibc ≤ 2.25 truncates it`);
  }
  return out;
}

/** Renders a config the way the container runtime writes kubelet's DNS config: search, nameservers, options. */
export function formatResolvConf(conf: ResolvConf): string {
  const lines: string[] = [];
  if (conf.search.length > 0) lines.push(`search ${conf.search.join(" ")}`);
  for (const ns of conf.nameservers) lines.push(`nameserver ${ns}`);
  const o = conf.options;
  const d = defaultResolvOptions();
  const opts: string[] = [];
  if (o.ndots !== d.ndots) opts.push(`ndots:${o.ndots}`);
  if (o.timeout !== d.timeout) opts.push(`timeout:${o.timeout}`);
  if (o.attempts !== d.attempts) opts.push(`attempts:${o.attempts}`);
  if (o.singleRequest) opts.push("single-request");
  if (o.singleRequestReopen) opts.push("single-request-reopen");
  if (o.useVc) opts.push("use-vc");
  if (o.noAaaa) opts.push("no-aaaa");
  opts.push(...o.other);
  if (opts.length > 0) lines.push(`options ${opts.join(" ")}`);
  return `${lines.join("\n")}\n`;
}

export interface SearchLimitResult {
  /** What kubelet writes. */
  applied: string[];
  /** Paths kubelet left out. */
  omitted: string[];
  /** Non-empty when a limit was exceeded (kubelet then records a DNSConfigForming warning event). */
  warnings: string[];
}

/**
 * kubelet's formDNSSearchFitsLimits: keep the first 32 paths, drop any path longer than 253 chars, then drop paths
 * from the end until the space-joined list fits 2048 chars (legacy: 6 / 256). docs/sources.md §3.1
 */
export function fitSearchToKubeletLimits(search: readonly string[], legacyLimits = false): SearchLimitResult {
  const maxPaths = legacyLimits ? KUBELET_LEGACY_MAX_SEARCH_PATHS : KUBELET_MAX_SEARCH_PATHS;
  const maxChars = legacyLimits ? KUBELET_LEGACY_MAX_SEARCH_CHARS : KUBELET_MAX_SEARCH_CHARS;
  const warnings: string[] = [];
  let applied = search.slice(0, maxPaths);
  if (search.length > maxPaths) warnings.push(`more than ${maxPaths} search paths`);
  const tooLong = applied.filter((s) => s.length > DNS1123_SUBDOMAIN_MAX_LENGTH);
  if (tooLong.length > 0) {
    warnings.push(`search paths longer than ${DNS1123_SUBDOMAIN_MAX_LENGTH} chars dropped`);
    applied = applied.filter((s) => s.length <= DNS1123_SUBDOMAIN_MAX_LENGTH);
  }
  const len = applied.join(" ").length;
  if (len > maxChars) {
    let cut = 0;
    let cutLen = 0;
    for (let i = applied.length - 1; i >= 0; i--) {
      cutLen += applied[i].length + 1;
      cut++;
      if (len - cutLen <= maxChars) break;
    }
    applied = applied.slice(0, applied.length - cut);
    warnings.push(`search line longer than ${maxChars} chars`);
  }
  const omitted = search.filter((s) => !applied.includes(s));
  if (warnings.length > 0)
    warnings.unshift(`Search Line limits were exceeded, some search paths have been omitted, the applied search line is: ${applied.join(" ")}`);
  return { applied, omitted, warnings };
}

/** A DNS-1123 label: what a namespace name must be. */
export function isDns1123Label(s: string): boolean {
  return s.length >= 1 && s.length <= 63 && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(s);
}

export interface KubeletResolvConf extends ResolvConf {
  /** Search paths kubelet omitted to fit KEP-2595 limits (empty normally). */
  omittedSearch: string[];
  /** kubelet's DNSConfigForming warnings (empty normally). */
  warnings: string[];
}

/**
 * What kubelet writes into a pod's /etc/resolv.conf under dnsPolicy ClusterFirst (docs/sources.md §3.1):
 * `nameserver <cluster DNS>` (at most 3), `search <ns>.svc.<domain> svc.<domain> <domain>` followed by the host's
 * search domains (trailing dots trimmed), deduplicated keeping the first occurrence, fitted to the 32-path /
 * 2048-char limits of KEP-2595 (or 6 / 256 with `legacyLimits`), and `options ndots:5`.
 * An empty clusterDomain makes kubelet use the host search list alone. Throws on an invalid namespace or nameserver.
 */
export function kubeletClusterFirst(
  namespace: string,
  clusterDomain = "cluster.local",
  hostSearch: readonly string[] = [],
  nameserver: string | readonly string[] = "10.96.0.10",
  opts: { legacyLimits?: boolean } = {},
): KubeletResolvConf {
  if (!isDns1123Label(namespace)) throw new Error(`kubeletClusterFirst: namespace "${namespace}" is not a DNS-1123 label`);
  const domain = clusterDomain.endsWith(".") ? clusterDomain.slice(0, -1) : clusterDomain;
  if (domain !== "" && searchDomainProblem(domain) !== undefined) {
    throw new Error(`kubeletClusterFirst: cluster domain "${clusterDomain}": ${searchDomainProblem(domain)}`);
  }
  const servers = typeof nameserver === "string" ? [nameserver] : [...nameserver];
  for (const s of servers) if (!isIpv4(s) && !isIpv6(s)) throw new Error(`kubeletClusterFirst: nameserver "${s}" is not an IP address`);
  const warnings: string[] = [];
  if (servers.length > MAX_NAMESERVERS) {
    warnings.push(
      `Nameserver limits were exceeded, some nameservers have been omitted, the applied nameserver line is: ${servers.slice(0, MAX_NAMESERVERS).join(" ")}`,
    );
  }
  const host = hostSearch.map((s) => (s.endsWith(".") ? s.slice(0, -1) : s));
  const composed = domain === "" ? host : [`${namespace}.svc.${domain}`, `svc.${domain}`, domain, ...host];
  const deduped = composed.filter((s, i) => composed.indexOf(s) === i);
  const fit = fitSearchToKubeletLimits(deduped, opts.legacyLimits ?? false);
  warnings.push(...fit.warnings);
  return {
    nameservers: servers.slice(0, MAX_NAMESERVERS),
    search: fit.applied,
    options: { ...defaultResolvOptions(), ndots: KUBELET_CLUSTER_FIRST_NDOTS },
    omittedSearch: fit.omitted,
    warnings,
  };
}
