import { formatDuration } from "../../engine/time.js";
import type { NetworkConfig } from "./config.js";

/**
 * The network model's parameters that no source pins, with the values this run used: every report lists them next
 * to the scenario's own.
 */
/** A parameter no source pins, named so every report can list it. */
export interface Assumption {
  name: string;
  value: string;
  why: string;
}

export function networkAssumptions(c: NetworkConfig): Assumption[] {
  const cost = c.kubeProxy.cost;
  const fmt = (m: typeof cost.full): string =>
    `${(m.base / 1000).toFixed(2)} ms + ${m.perService.toFixed(2)} µs/Service + ${m.perEndpoint.toFixed(2)} µs/endpoint`;
  const list: Assumption[] = [
    {
      name: `kube-proxy ${c.kubeProxy.mode} sync cost`,
      value: `partial ${fmt(cost.partial)}; full ${fmt(cost.full)}`,
      why: `${c.kubeProxy.costSource}; other hardware, kernels and iptables backends differ (bench calibrate kube-proxy measures yours)`,
    },
    {
      name: "apiserver write latency",
      value: formatDuration(c.apiserver.writeLatency),
      why: "request to etcd commit and answer under light load; etcd alone is < 1 ms (docs/sources.md §16)",
    },
    { name: "watch dispatch delay", value: formatDuration(c.apiserver.dispatchDelay), why: "etcd commit to watch-cache dispatch; not published" },
    {
      name: "relist delay",
      value: formatDuration(c.apiserver.relistDelay),
      why: "client-go reflector backoff starts at 800 ms; we round to the client's first retry",
    },
    {
      name: "apiserver egress",
      value: `${(c.apiserver.egressBytesPerSecond * 8) / 1e9} Gbit/s per replica`,
      why: "one NIC per replica, shared by all watch streams; TLS and HTTP/2 framing not counted",
    },
    {
      name: "controller sync CPU",
      value: `${formatDuration(c.controller.syncBase)} + ${c.controller.syncPerEndpoint} µs per endpoint`,
      why: "listing pods from the informer cache and computing the plan; not published",
    },
    {
      name: "pod object writes",
      value: "create 3 (create, binding, status), Ready flip 1, deletion 2, removal 1 delete",
      why: "the usual API traffic of a Deployment pod's life; counted in etcd.writes.pods",
    },
    {
      name: "etcd start revision",
      value: String(c.etcd.startRevision),
      why: "a long-lived cluster's revision; only the length of resourceVersion strings depends on it",
    },
    {
      name: "bbolt fragmentation",
      value: "not modelled",
      why: "the db size counts bbolt pages as etcd fills them in revision order (within 0.25% of a real etcd); part-empty pages kept after compaction add 5-10% (up to 2x for values under 2 KB), so it is a lower bound",
    },
  ];
  if (c.objects.sizeModel === "kep-752") {
    list.push({
      name: "bytes per endpoint",
      value: `${c.objects.bytesPerEndpoint} B, nothing else`,
      why: 'KEP-752\'s estimation constant ("20k * const = ~2.0 MB"), used to reproduce its table',
    });
  }
  return list;
}
