/**
 * What both proxiers do alike with a Service port's endpoints (kubernetes/kubernetes pkg/proxy): its name string,
 * an endpoint's string, and which endpoints each traffic policy reaches.
 */
import type { ProxyEndpoint, ProxyServicePort } from "./types.js";

/** pkg/proxy/servicechangetracker.go `ServicePortName.String()`: "ns/name" plus ":port" when the port is named. */
export function servicePortNameString(svc: Pick<ProxyServicePort, "namespace" | "name" | "portName">): string {
  return svc.portName === "" ? `${svc.namespace}/${svc.name}` : `${svc.namespace}/${svc.name}:${svc.portName}`;
}

/** pkg/proxy/endpoint.go `BaseEndpointInfo.String()`: net.JoinHostPort(ip, port). */
export function endpointString(ep: ProxyEndpoint): string {
  return ep.ip.includes(":") ? `[${ep.ip}]:${ep.port}` : `${ep.ip}:${ep.port}`;
}

export interface Categorized {
  cluster: number[];
  local: number[];
  allReachable: number[];
  hasAnyEndpoints: boolean;
}

/**
 * pkg/proxy/topology.go `CategorizeEndpoints`, without topology hints (no zone/node hints are modelled, so
 * `topologyMode` is ""). Works on indexes into the sorted endpoint list. Upstream merges the two lists through a map
 * (random order) when they differ; here the union keeps cluster order then the extra local endpoints.
 */
export function categorizeEndpoints(eps: readonly ProxyEndpoint[], usesCluster: boolean, usesLocal: boolean): Categorized {
  const cluster: number[] = [];
  const local: number[] = [];
  let hasAnyEndpoints = false;
  if (usesCluster) {
    for (let i = 0; i < eps.length; i++) if (eps[i].ready) cluster.push(i);
    if (cluster.length === 0) {
      for (let i = 0; i < eps.length; i++) if (eps[i].serving && eps[i].terminating) cluster.push(i);
    }
    if (cluster.length > 0) hasAnyEndpoints = true;
  }
  if (!usesLocal) return { cluster, local, allReachable: cluster, hasAnyEndpoints };

  let hasLocalReady = false;
  let hasLocalServingTerminating = false;
  for (const ep of eps) {
    if (ep.ready) {
      hasAnyEndpoints = true;
      if (ep.local) hasLocalReady = true;
    } else if (ep.serving && ep.terminating) {
      hasAnyEndpoints = true;
      if (ep.local) hasLocalServingTerminating = true;
    }
  }
  let useServingTerminating = false;
  if (hasLocalReady) {
    for (let i = 0; i < eps.length; i++) if (eps[i].local && eps[i].ready) local.push(i);
  } else if (hasLocalServingTerminating) {
    useServingTerminating = true;
    for (let i = 0; i < eps.length; i++) if (eps[i].local && eps[i].serving && eps[i].terminating) local.push(i);
  }
  if (!usesCluster) return { cluster, local, allReachable: local, hasAnyEndpoints };
  if (!useServingTerminating) return { cluster, local, allReachable: cluster, hasAnyEndpoints };
  const seen = new Set(cluster);
  const allReachable = [...cluster];
  for (const i of local) if (!seen.has(i)) allReachable.push(i);
  return { cluster, local, allReachable, hasAnyEndpoints };
}
