// The Endpoints (v1) controller's pure pieces: RepackSubsets' canonical form and truncateEndpoints' 1000-address cap
// (docs/sources.md §7.7). Addresses and ports are opaque strings here: an address stands for the upstream
// (IP, targetRef UID) key, a port for the whole EndpointPort (name, port, protocol, appProtocol).

export interface EndpointSubset {
  /** Empty for a portless subset (headless Service without ports). */
  ports: string[];
  ready: string[];
  notReady: string[];
}

/** One address as the Endpoints controller's pod loop produces it (docs/sources.md §7.7). */
export interface EndpointsAddress {
  address: string;
  /** publishNotReadyAddresses || pod Ready. */
  ready: boolean;
  /** The Service ports that resolve on this pod; [] adds the address without ports (headless, no ports). */
  ports: readonly string[];
}

export const MAX_ENDPOINTS_CAPACITY = 1000;

// Stands for upstream's EndpointPort{Port: -1}: a portless subset's addresses are kept under it.
const NO_PORT = "\u0000no-port";

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * RepackSubsets: expand to port -> {address -> ready} (not-ready wins over ready for the same address and port), then
 * group the ports whose address maps are identical (readiness included) into one subset. Portless addresses join a
 * ported subset with the identical address map, else form their own portless subset, as upstream's sentinel does.
 * Subsets with no addresses disappear.
 *
 * Order: addresses and ports sorted by code unit (upstream sorts addresses by IP bytes then UID, which is the same for
 * IP strings; ports by hash); subsets sorted by [ports, ready, notReady] compared in that order, where upstream sorts
 * them by an md5 hash. The content is upstream's; only the order of ports and of subsets differs, which matters for
 * truncateEndpoints' rounding (which subset loses the rounding) but not for its totals.
 */
export function repackSubsets(subsets: readonly EndpointSubset[]): EndpointSubset[] {
  const byPort = new Map<string, Map<string, boolean>>();
  const mark = (port: string, address: string, ready: boolean): void => {
    let addrs = byPort.get(port);
    if (addrs === undefined) byPort.set(port, (addrs = new Map()));
    const was = addrs.get(address);
    if (was === undefined || was) addrs.set(address, ready);
  };
  for (const subset of subsets) {
    const ports = subset.ports.length === 0 ? [NO_PORT] : subset.ports;
    for (const port of ports) {
      for (const a of subset.ready) mark(port, a, true);
      for (const a of subset.notReady) mark(port, a, false);
    }
  }

  const groups = new Map<string, { ports: string[]; ready: string[]; notReady: string[] }>();
  for (const [port, addrs] of byPort) {
    const entries = [...addrs].sort((x, y) => compareStrings(x[0], y[0]));
    const key = entries.map(([a, r]) => `${r ? "+" : "-"}${a}`).join("\u0000");
    let group = groups.get(key);
    if (group === undefined) {
      group = {
        ports: [],
        ready: entries.filter(([, r]) => r).map(([a]) => a),
        notReady: entries.filter(([, r]) => !r).map(([a]) => a),
      };
      groups.set(key, group);
    }
    if (port !== NO_PORT) group.ports.push(port);
  }

  const out = [...groups.values()];
  for (const s of out) s.ports.sort(compareStrings);
  const key = (s: EndpointSubset): string[] => [s.ports.join("\u0000"), s.ready.join("\u0000"), s.notReady.join("\u0000")];
  out.sort((a, b) => {
    const ka = key(a);
    const kb = key(b);
    return compareStrings(ka[0], kb[0]) || compareStrings(ka[1], kb[1]) || compareStrings(ka[2], kb[2]);
  });
  return out;
}

/** The pod loop's output packed into canonical subsets: one {address} × {port} subset per resolved port, repacked. */
export function buildSubsets(addresses: readonly EndpointsAddress[]): EndpointSubset[] {
  const raw: EndpointSubset[] = [];
  for (const a of addresses) {
    const entry = (ports: string[]): EndpointSubset => (a.ready ? { ports, ready: [a.address], notReady: [] } : { ports, ready: [], notReady: [a.address] });
    if (a.ports.length === 0) raw.push(entry([]));
    else for (const p of a.ports) raw.push(entry([p]));
  }
  return repackSubsets(raw);
}

export function countAddresses(subsets: readonly EndpointSubset[]): { ready: number; notReady: number } {
  let ready = 0;
  let notReady = 0;
  for (const s of subsets) {
    ready += s.ready.length;
    notReady += s.notReady.length;
  }
  return { ready, notReady };
}

/**
 * truncateEndpoints (docs/sources.md §7.7): above maxCapacity addresses, ready ones are kept before not-ready ones and
 * each subset keeps ceil((n_i / total) · max) of the truncated kind, in subset order, capped by what is left, so the
 * last subsets absorb the rounding. Evaluated in float64 in the same order as Go, so the counts are Go's.
 * `truncated` says whether the over-capacity annotation is set to "truncated" (else it is removed).
 */
export function truncateEndpoints(
  subsets: readonly EndpointSubset[],
  maxCapacity: number = MAX_ENDPOINTS_CAPACITY,
): { subsets: EndpointSubset[]; truncated: boolean } {
  const { ready: totalReady, notReady: totalNotReady } = countAddresses(subsets);
  if (totalReady + totalNotReady <= maxCapacity) return { subsets: [...subsets], truncated: false };

  const truncateReady = totalReady > maxCapacity;
  const max = truncateReady ? maxCapacity : maxCapacity - totalReady;
  const numTotal = truncateReady ? totalReady : totalNotReady;
  let canBeAdded = max;
  const out = subsets.map((s) => {
    const n = truncateReady ? s.ready.length : s.notReady.length;
    const toBeAdded = Math.min(Math.ceil((n / numTotal) * max), canBeAdded);
    if (truncateReady) {
      const ready = s.ready.slice(0, toBeAdded);
      canBeAdded -= ready.length;
      return { ports: [...s.ports], ready, notReady: [] };
    }
    const notReady = s.notReady.slice(0, toBeAdded);
    canBeAdded -= notReady.length;
    return { ports: [...s.ports], ready: [...s.ready], notReady };
  });
  return { subsets: out, truncated: true };
}
