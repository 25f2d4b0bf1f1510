/**
 * Deterministic Kubernetes-looking names, IPs and uids. Their lengths matter: object sizes grow with every
 * character (the sizes of docs/sources.md §14.5 were measured with namespace 13, pod name 37, node name 44, zone 13
 * characters), so the defaults reproduce those lengths.
 */

/** FNV-1a, 32-bit: a fixed string hash (never Math.random, never object identity). */
export function fnv1a(text: string, seed = 0x811c9dc5): number {
  let h = seed >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

const ALNUM = "bcdfghjklmnpqrstvwxz2456789"; // the alphabet of Kubernetes' rand.String (no vowels, no 0/1/3)

/** n characters of Kubernetes-style random suffix, derived from a key. */
export function suffix(key: string, n: number): string {
  let out = "";
  let h = fnv1a(key);
  for (let i = 0; i < n; i++) {
    if (i % 6 === 0) h = fnv1a(key, h ^ (i + 1));
    out += ALNUM[h % ALNUM.length];
    h = Math.floor(h / ALNUM.length);
  }
  return out;
}

function hex(key: string, n: number): string {
  let out = "";
  let i = 0;
  while (out.length < n)
    out += fnv1a(key, 0x9e3779b9 + i++)
      .toString(16)
      .padStart(8, "0");
  return out.slice(0, n);
}

/** A v4-format uid (36 characters), deterministic from a key. */
export function uid(key: string): string {
  const h = hex(key, 32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** GKE-style node name, 44 characters: gke-<cluster>-default-pool-<8 hex>-<4>. */
export function nodeName(i: number): string {
  return `gke-netscale-15kn-default-pool-${hex(`pool/${i >> 8}`, 8)}-${suffix(`node/${i}`, 4)}`;
}

/** Zone names like us-central1-a (13 characters). */
export function zoneName(z: number): string {
  return `us-central1-${String.fromCharCode(97 + (z % 26))}${z >= 26 ? Math.floor(z / 26) : ""}`;
}

/** Namespace names of 13 characters. */
export function namespaceName(i: number): string {
  return `netscale-${String(i).padStart(4, "0")}`;
}

/** The i-th Service of a group: `<group>-service-<i>`. */
export function serviceName(group: string, i: number): string {
  return `${group}-service-${i}`;
}

/** Pod names as a Deployment's ReplicaSet makes them: <deployment>-<10-char hash>-<5-char suffix>. */
export function podName(deployment: string, serial: number): string {
  return `${deployment}-${suffix(`rs/${deployment}`, 10)}-${suffix(`pod/${deployment}/${serial}`, 5)}`;
}

/**
 * The IPv4 address of the k-th pod slot on a node: each node owns a /24 (10.0.0.0/8 for the first 65,536 nodes,
 * then 11.0.0.0/8, ...), slots cycle through .1 to .254 as pods come and go.
 */
export function podIPv4(node: number, slot: number): string {
  const a = 10 + Math.floor(node / 65536);
  const b = (node >> 8) & 255;
  const c = node & 255;
  return `${a}.${b}.${c}.${(slot % 254) + 1}`;
}

const digits = (n: number): number => (n < 10 ? 1 : n < 100 ? 2 : 3);

/** podIPv4(node, slot).length. */
export function podIPv4Length(node: number, slot: number): number {
  const a = 10 + Math.floor(node / 65536);
  return String(a).length + digits((node >> 8) & 255) + digits(node & 255) + digits((slot % 254) + 1) + 3;
}

/** The IPv6 address of the k-th pod slot on a node (fd00::/8 ULA, one /64 per node). */
export function podIPv6(node: number, slot: number): string {
  return `fd00:10:${(node >> 16).toString(16)}:${(node & 0xffff).toString(16)}::${((slot % 65534) + 1).toString(16)}`;
}
