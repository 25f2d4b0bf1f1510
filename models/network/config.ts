/**
 * The parsed configuration of the network model: every duration in µs, every size in bytes. The scenario schema
 * (bench/schema.ts) produces it; defaults and their sources live there.
 */
import type { Micros } from "../../engine/time.js";
import type { ClusterSpec } from "../cluster/cluster.js";
import type { NameClass } from "../dns/traffic.js";
import type { NodeLifecycleConfig } from "../controllers/node-lifecycle.js";
import type { ProxyCost, ProxyMode, SyncRunnerKind } from "../kube-proxy.js";
import type { KubernetesVersion } from "./versions.js";

export type { Spread } from "../../engine/random.js";
import type { Spread } from "../../engine/random.js";

export type ServiceSelector = string;

export type WorkloadStep =
  | { action: "endpoint-change"; at: Micros; name?: string; services: ServiceSelector; count: number; interval: Micros }
  | {
      action: "rolling-update";
      at: Micros;
      name?: string;
      services: ServiceSelector;
      /** "surge": Deployment semantics; "one-at-a-time": each pod replaced in place every `interval` (KEP-752's model). */
      style: "surge" | "one-at-a-time";
      maxSurge: number | string;
      maxUnavailable: number | string;
      interval: Micros;
      podStartup: Spread;
      termination: Spread;
    }
  | { action: "scale"; at: Micros; name?: string; services: ServiceSelector; replicas?: number; factor?: number; podStartup: Spread; termination: Spread }
  | { action: "zone-outage"; at: Micros; name?: string; zone: number; duration: Micros }
  | { action: "churn"; at: Micros; name?: string; until: Micros; services: ServiceSelector; rate: number; podStartup: Spread; termination: Spread }
  | { action: "create-service"; at: Micros; name?: string; services: ServiceSelector }
  | { action: "dns-rollout"; at: Micros; name?: string; window: Micros }
  | { action: "coredns-loss"; at: Micros; name?: string; replicas: number; duration: Micros }
  | { action: "dns-cache-oom"; at: Micros; name?: string; nodes: number; window: Micros };

export interface NetworkConfig {
  duration: Micros;
  kubernetesVersion: KubernetesVersion;
  cluster: ClusterSpec & { absentServices: string[]; endpointsConsumers: number };
  apiserver: {
    replicas: number;
    egressBytesPerSecond: number;
    watchBufferEvents: number;
    relistDelay: Micros;
    cacheWindow: Micros;
    dispatchDelay: Micros;
    writeLatency: Micros;
    maxRequestBodyBytes: number;
  };
  etcd: { maxRequestBytes: number; quotaBytes: number; compactionInterval: Micros; startRevision: number };
  controller: {
    algorithm: string;
    algorithmOptions: Record<string, number>;
    maxEndpointsPerSlice: number;
    batchPeriod: Micros;
    workers: number;
    informer: "local" | "egress";
    syncBase: Micros;
    syncPerEndpoint: number;
  };
  controllerManager: { qps: number; burst: number };
  nodeLifecycle: Pick<
    NodeLifecycleConfig,
    "monitorPeriod" | "gracePeriod" | "evictionRate" | "secondaryEvictionRate" | "unhealthyZoneThreshold" | "largeClusterSizeThreshold"
  > & { tolerationSeconds: Micros };
  scheduler: { throughput: number; burst: number };
  kubelet: { sandbox: Spread; cleanup: Spread; statusSyncPeriod: Micros; leaseRenewInterval: Micros; nodeStatusReportFrequency: Micros };
  pods: { startup: Spread; termination: Spread };
  events: { rate: number; ttl: Micros };
  kubeProxy: {
    mode: ProxyMode;
    runner: SyncRunnerKind;
    minSyncPeriod: Micros;
    burstSyncs: number;
    fullSyncPeriod: Micros;
    contentType: "protobuf" | "json";
    cohortSize: number;
    /** What a sync costs (from a calibration profile) and where that figure comes from. */
    cost: ProxyCost;
    costSource: string;
  };
  dns: {
    /** Central CoreDNS replicas. */
    servers: number;
    contentType: "protobuf" | "json";
    /** A built-in placement's name, or a plugin's key (its module's absolute path). */
    placement: string;
    lookupsPerPodPerSecond: number;
    resolver: "glibc" | "musl";
    mix: Record<NameClass, number>;
    namesPerNode: Record<NameClass, number>;
    externalNames: number;
    hostSearchDomains: number;
    kernel: string;
    corednsCores: number;
    corednsMemoryLimit: number;
    step: Micros;
    sampleRate: number;
    latencyMs: { sameNode: number; cluster: number; upstream: number };
    externalTtl: Micros;
  };
  objects: { sizeModel: "protobuf" | "kep-752"; bytesPerEndpoint: number; managedFields: boolean };
  slo: { nplThreshold: Micros };
  metrics: { interval: Micros };
  workload: WorkloadStep[];
}
