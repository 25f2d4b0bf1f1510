/**
 * `bench resolve <name>`: the queries a pod's resolver sends for one getaddrinfo() lookup, in order — the answer to
 * "why does my pod send 12 queries?".
 */
import { parseResolvConf, kubeletClusterFirst, type ResolvConf } from "../models/dns/resolv-conf.js";
import { normaliseName, queriesForLookup, type ExistsFn, type ResolverKind } from "../models/dns/resolver.js";
import { InputError } from "./load.js";

export interface ResolveOutput {
  /** What the resolver would warn about in resolv.conf (lines it skips or truncates). */
  warnings: string[];
  queries: { name: string; type: "A" | "AAAA" }[];
  count: number;
  /** The name that answered, or the error getaddrinfo returns. */
  outcome: string;
}

/**
 * Which names exist: `{"<fqdn>": ["A", "AAAA"]}` (qtypes with data; [] for a name that exists with no address, which
 * answers NODATA); any other name is NXDOMAIN. Without a file: the name as written exists with A and AAAA, and no
 * search-list expansion of it does (the external-name case).
 */
export function answersFrom(json: unknown, where: string): ExistsFn {
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    throw new InputError(`${where}: expected an object of {"<name>": ["A", "AAAA"]}`);
  }
  const table = new Map<string, Set<string>>();
  for (const [name, types] of Object.entries(json as Record<string, unknown>)) {
    if (!Array.isArray(types) || types.some((t) => t !== "A" && t !== "AAAA")) {
      throw new InputError(`${where}: ${name}: must be a list of "A" and "AAAA" (got ${JSON.stringify(types)})`);
    }
    table.set(normaliseName(name), new Set(types as string[]));
  }
  return (fqdn, qtype) => {
    const t = table.get(normaliseName(fqdn));
    if (t === undefined) return "NXDOMAIN";
    return t.has(qtype) ? "NOERROR" : "NODATA";
  };
}

export function resolve(name: string, options: { resolvConf?: string; resolver?: string; answers?: ExistsFn; where?: string }): ResolveOutput {
  if (!/^[A-Za-z0-9._-]+\.?$/.test(name) || name === "." || name.includes("..")) {
    throw new InputError(`name: must be a DNS name like api.example.com or myservice (got ${JSON.stringify(name)})`);
  }
  // RFC 1035 2.3.4: a name is at most 255 octets on the wire, 253 characters written; a label at most 63
  const bare = name.endsWith(".") ? name.slice(0, -1) : name;
  if (bare.length > 253) throw new InputError(`name: ${bare.length} characters, longer than a DNS name can be (253)`);
  const long = bare.split(".").find((label) => label.length > 63);
  if (long !== undefined) throw new InputError(`name: the label "${long.slice(0, 20)}..." is ${long.length} characters, longer than a DNS label can be (63)`);
  const resolver = options.resolver ?? "glibc";
  if (resolver !== "glibc" && resolver !== "musl") throw new InputError(`--resolver: must be one of glibc, musl (got ${JSON.stringify(resolver)})`);
  let conf: ResolvConf;
  const warnings: string[] = [];
  if (options.resolvConf !== undefined) {
    const parsed = parseResolvConf(options.resolvConf);
    for (const w of parsed.warnings) warnings.push(`${options.where ?? "resolv.conf"}: line ${w.line}: ${w.message}`);
    if (parsed.errors.length > 0) {
      throw new InputError(`${options.where ?? "resolv.conf"}: ${parsed.errors.map((e) => `line ${e.line}: ${e.message}`).join("; ")}`);
    }
    conf = parsed.conf;
  } else {
    // what kubelet writes for a ClusterFirst pod in namespace default (docs/sources.md §3.1)
    conf = kubeletClusterFirst("default");
  }
  const absolute = normaliseName(name);
  const exists: ExistsFn = options.answers ?? ((fqdn) => (normaliseName(fqdn) === absolute ? "NOERROR" : "NXDOMAIN"));
  const r = queriesForLookup(name, conf, resolver as ResolverKind, exists);
  return {
    warnings,
    queries: r.queries.map((q) => ({ name: q.name, type: q.type })),
    count: r.queries.length,
    outcome: r.outcome.ok ? r.outcome.name : r.outcome.error,
  };
}
