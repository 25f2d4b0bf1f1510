/**
 * The Kubernetes release a run models (1.x), and what changed across releases that the model reproduces:
 * - v1.19: kube-proxy reads EndpointSlices instead of Endpoints (EndpointSliceProxying on by default; KEP-752);
 *   cluster DNS follows (CoreDNS 1.8 reads EndpointSlices);
 * - v1.22: the Endpoints controller truncates objects at 1,000 addresses (KEP-752, over-capacity annotation);
 * - v1.19: the node lifecycle controller records a NodeNotReady Event per pod it marks (PR #87743);
 * - v1.26: the taint eviction controller adds a DisruptionTarget condition before deleting (PodDisruptionConditions);
 * - v1.27: the node lifecycle controller processes nodes with 8 workers (PR #114296);
 * - v1.29: taint eviction is a controller of its own, with its own client (SeparateTaintEvictionController);
 * - v1.32: --node-monitor-grace-period defaults to 50 s instead of 40 s (PR #126287);
 * - v1.34: kube-proxy's sync runner has no burst and spaces syncs from the end of the last one (PR #131615).
 */
export interface KubernetesVersion {
  /** The minor version: 34 for v1.34. */
  minor: number;
}

export const OLDEST_MINOR = 18;
export const NEWEST_MINOR = 37;

export function atLeast(v: KubernetesVersion, minor: number): boolean {
  return v.minor >= minor;
}

/** "1.34" -> { minor: 34 }; undefined when it is not a release this model knows. */
export function parseVersion(text: string): KubernetesVersion | undefined {
  const m = /^1\.(\d+)$/.exec(text);
  if (m === null) return undefined;
  const minor = Number(m[1]);
  return minor >= OLDEST_MINOR && minor <= NEWEST_MINOR ? { minor } : undefined;
}

/** Which objects kube-proxy and the cluster DNS read endpoints from. */
export function endpointsSource(v: KubernetesVersion): "endpoints" | "endpointslices" {
  return atLeast(v, 19) ? "endpointslices" : "endpoints";
}

export function endpointsTruncation(v: KubernetesVersion): boolean {
  return atLeast(v, 22);
}

/** --node-monitor-grace-period's default. */
export function defaultGracePeriod(v: KubernetesVersion): number {
  return atLeast(v, 32) ? 50_000_000 : 40_000_000;
}

/** kube-proxy's BoundedFrequencyRunner in that release. */
export function defaultSyncRunner(v: KubernetesVersion): "v1.34" | "v1.33" {
  return atLeast(v, 34) ? "v1.34" : "v1.33";
}
