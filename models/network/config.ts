/**
 * The network model's configuration, in one place: every section of a network scenario with its defaults and the
 * sources they come from (the scenario schema, bench/schema.ts, is these sections plus the fields every scenario has),
 * and the resolved configuration the model runs on (every duration in µs, every size in bytes, release-dependent
 * defaults filled in), derived from them.
 */
import { z } from "zod";
import { formatDuration, type Micros } from "../../engine/time.js";
import { serviceName } from "../cluster/naming.js";
import { selectServices } from "../cluster/service-selector.js";
import { bandwidth, bytes, DAY, duration, HOUR, int, kubernetesVersion, DEFAULT_VERSION, num, oneOf, removed, spread } from "../config-fields.js";
import type { ClusterSpec } from "../cluster/cluster.js";
import { packingAlgorithms, validatePackingOptions } from "../controllers/packing/index.js";
import { linearReplicas, uniformCluster } from "../dns/autoscaler.js";
import { PLACEMENT_NAMES } from "../dns/placements/index.js";
import type { ProxyCost, SyncRunnerKind } from "../kube-proxy.js";
import { defaultGracePeriod, defaultSyncRunner } from "./versions.js";

export type { Spread } from "../../engine/random.js";

/** A record over the DNS name classes, every key optional (defaults filled by the caller). */
function nameClassRecord<T extends z.ZodType>(value: T) {
  return z
    .object({
      sameNamespace: value.optional(),
      otherNamespace: value.optional(),
      clusterFqdn: value.optional(),
      external: value.optional(),
      headless: value.optional(),
    })
    .strict();
}

const stepName = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]*$/, { error: "must be lower-case letters, digits, - and _" })
  .optional();
const selector = z.string().min(1).default("*");
const surgeValue = z.union([int(0, 1_000_000), z.string().regex(/^\d+%$/, { error: 'must be a count or a percentage like "25%"' })]);

// Defaults of the Deployment controller (maxSurge 25%, maxUnavailable 25%); pod startup and termination times are
// assumptions of the workload, stated per scenario.
const workloadStep = z.discriminatedUnion(
  "action",
  [
    z
      .object({
        action: z.literal("endpoint-change"),
        at: duration(0, 30 * DAY),
        name: stepName,
        services: selector,
        count: int(1, 1_000_000).default(1),
        /** One change every `interval` (0: all at once). */
        interval: duration(0, DAY).default(0),
      })
      .strict(),
    z
      .object({
        action: z.literal("rolling-update"),
        at: duration(0, 30 * DAY),
        name: stepName,
        services: selector,
        style: oneOf(["surge", "one-at-a-time"]).default("surge"),
        maxSurge: surgeValue.default("25%"),
        maxUnavailable: surgeValue.default("25%"),
        interval: duration(0, DAY).default(1_000_000),
        podStartup: spread.default({ median: 5_000_000, p99: 20_000_000 }),
        termination: spread.default({ median: 2_000_000, p99: 10_000_000 }),
      })
      .strict(),
    z
      .object({
        action: z.literal("scale"),
        at: duration(0, 30 * DAY),
        name: stepName,
        services: selector,
        replicas: int(0, 1_000_000).optional(),
        factor: num(0, 1000).optional(),
        podStartup: spread.default({ median: 5_000_000, p99: 20_000_000 }),
        termination: spread.default({ median: 2_000_000, p99: 10_000_000 }),
      })
      .strict()
      .refine((s) => (s.replicas === undefined) !== (s.factor === undefined), { error: "give exactly one of replicas and factor" }),
    z
      .object({
        action: z.literal("zone-outage"),
        at: duration(0, 30 * DAY),
        name: stepName,
        zone: int(0, 63),
        duration: duration(1, 30 * DAY),
        notReadyAfter: removed("the node lifecycle controller decides it: set nodeLifecycle.gracePeriod"),
        evictAfter: removed("the taint eviction controller decides it: set nodeLifecycle.tolerationSeconds"),
        podStartup: removed("replacement pods start like the Service's other new pods: set pods.startup"),
      })
      .strict(),
    z
      .object({
        action: z.literal("churn"),
        at: duration(0, 30 * DAY),
        until: duration(0, 30 * DAY),
        name: stepName,
        services: selector,
        rate: num(0, 1_000_000),
        podStartup: spread.default({ median: 5_000_000, p99: 20_000_000 }),
        termination: spread.default({ median: 2_000_000, p99: 10_000_000 }),
      })
      .strict(),
    z.object({ action: z.literal("create-service"), at: duration(0, 30 * DAY), name: stepName, services: selector }).strict(),
    // docs/sources.md §1.4: a node's DNS is down 1-20 s while its node-local-dns pod restarts
    z.object({ action: z.literal("dns-rollout"), at: duration(0, 30 * DAY), name: stepName, window: duration(0, HOUR).default(10_000_000) }).strict(),
    z
      .object({ action: z.literal("coredns-loss"), at: duration(0, 30 * DAY), name: stepName, replicas: int(1, 1_000_000), duration: duration(1, 30 * DAY) })
      .strict(),
    z
      .object({
        action: z.literal("dns-cache-oom"),
        at: duration(0, 30 * DAY),
        name: stepName,
        nodes: int(1, 1_000_000),
        window: duration(0, HOUR).default(20_000_000),
      })
      .strict(),
  ],
  {
    error:
      'must be one of "endpoint-change", "rolling-update", "scale", "zone-outage", "churn", "create-service", "dns-rollout", "coredns-loss", "dns-cache-oom"',
  },
);

const serviceGroup = z
  .object({
    name: z.string().regex(/^[a-z0-9]([a-z0-9-]{0,40}[a-z0-9])?$/, { error: "must be a DNS label of at most 42 characters" }),
    count: int(1, 1_000_000).default(1),
    /** A count, or {median, p99} of a lognormal drawn per Service (a backend-count distribution). */
    replicas: z.union([int(0, 1_000_000), z.object({ median: num(1, 1_000_000), p99: num(1, 1_000_000) }).strict()], {
      error: "must be a count in 0..1000000 or {median, p99}",
    }),
    headless: z.boolean().default(false),
    /** spec.publishNotReadyAddresses: the endpoints controllers publish pods as ready whatever their readiness. */
    publishNotReadyAddresses: z.boolean().default(false),
    ports: int(1, 100).default(1),
    ipFamilies: z
      .union([z.tuple([oneOf(["IPv4", "IPv6"])]), z.tuple([z.literal("IPv4"), z.literal("IPv6")]), z.tuple([z.literal("IPv6"), z.literal("IPv4")])], {
        error: 'must be ["IPv4"], ["IPv6"] or both',
      })
      .default(["IPv4"]),
    /** "absent": the pods exist but the Service object is created by a create-service step. */
    initially: oneOf(["present", "absent"]).default("present"),
  })
  .strict();

const algorithmNames = Object.keys(packingAlgorithms) as [string, ...string[]];
/** What `controller.algorithm` (and `bench verify-algorithm`) accepts, as an error message says it. */
export const builtInOrPluginPath = `must be one of ${algorithmNames.map((n) => JSON.stringify(n)).join(", ")}, or the path of a plugin module (e.g. "./algorithms/my-algo.ts")`;

const placementOrPath = `must be one of ${PLACEMENT_NAMES.map((n) => JSON.stringify(n)).join(", ")}, or the path of a plugin module (e.g. "./placements/my-placement.ts")`;

/** A value naming a module rather than a built-in algorithm or placement. */
export function isModulePath(name: string): boolean {
  return name.includes("/") || name.includes("\\") || /\.(m?[jt]s)$/.test(name);
}

/** The sections of a network scenario (besides the fields every scenario has). */
export const networkSections = {
  duration: duration(1, 30 * DAY),
  cluster: z
    .object({
      nodes: int(1, 200_000),
      zones: int(1, 64).default(3),
      coresPerNode: int(1, 1024).default(16),
      podsPerNode: int(0, 1000).default(30),
      namespaces: int(1, 100_000).optional(),
      /** The release modelled: which consumers watch what, and the defaults that changed (models/network/versions.ts). */
      kubernetesVersion: kubernetesVersion().prefault(DEFAULT_VERSION),
      /** Watchers of Endpoints besides kube-proxy and DNS: ingress controllers, service meshes, monitoring. */
      endpointsConsumers: int(0, 100_000).default(3),
    })
    .strict(),
  services: z.array(serviceGroup).min(1, { error: "must declare at least one Service group" }),
  apiserver: z
    .object({
      replicas: int(1, 100).default(3),
      egressBandwidth: bandwidth().default(1.25e9), // 10 Gbit/s
      // staging/src/k8s.io/apiserver/pkg/storage/cacher/watch_cache.go: input and result channels of 100 each
      watchBufferEvents: int(1, 1_000_000).default(200),
      relistDelay: duration(0, HOUR).default(1_000_000),
      // watch_cache.go eventFreshDuration: the cache keeps at least 75 s of events
      cacheWindow: duration(0, DAY).default(75_000_000),
      dispatchDelay: duration(0, HOUR).default(5_000),
      writeLatency: duration(0, HOUR).default(5_000),
      // staging/src/k8s.io/apiserver/pkg/server/options/server_run_options.go MaxRequestBodyBytes: 3 MiB
      maxRequestBodyBytes: bytes(1024, 1024 ** 3).default(3 * 1024 ** 2),
    })
    .strict()
    .prefault({}),
  etcd: z
    .object({
      maxRequestBytes: bytes(1024, 1024 ** 3).default(1.5 * 1024 ** 2), // etcd DefaultMaxRequestBytes
      quotaBytes: bytes(1024 ** 2, 1024 ** 4).default(2 * 1024 ** 3), // etcd DefaultQuotaBytes
      compactionInterval: duration(1_000_000, DAY).default(300_000_000),
      startRevision: int(1, 2 ** 50).default(1_000_000_000),
    })
    .strict()
    .prefault({}),
  controller: z
    .object({
      mode: removed('kube-proxy reads Endpoints up to v1.18 and EndpointSlices from v1.19: set cluster.kubernetesVersion (e.g. "1.18")'),
      endpointsMode: removed('the Endpoints controller truncates from v1.22: set cluster.kubernetesVersion (e.g. "1.21" for untruncated)'),
      /** A built-in packing algorithm, or the path of a plugin module (relative to the scenario file). */
      algorithm: z
        .string({ error: builtInOrPluginPath })
        .refine((v) => (algorithmNames as string[]).includes(v) || isModulePath(v), { error: builtInOrPluginPath })
        .default("k8s"),
      algorithmOptions: z.record(z.string(), z.number()).default({}),
      maxEndpointsPerSlice: int(1, 1000).default(100),
      batchPeriod: duration(0, HOUR).default(0),
      workers: int(1, 50).default(5),
      qps: removed("every kube-controller-manager controller has its own client with these limits: set controllerManager.qps"),
      burst: removed("set controllerManager.burst"),
      /**
       * Where the controller's own informer of EndpointSlices connects: "local" (the apiserver on its host, as
       * kubeadm, kops and managed control planes run kube-controller-manager) or "egress" (through the same egress
       * FIFO as the nodes' watches, as behind an external load balancer).
       */
      informer: oneOf(["local", "egress"]).default("local"),
      syncBase: duration(0, HOUR).default(1_000),
      syncPerEndpoint: num(0, 1_000_000).default(1),
    })
    .strict()
    .prefault({}),
  // kube-controller-manager --kube-api-qps / --kube-api-burst (pkg/controller/apis/config/v1alpha1/defaults.go):
  // each controller gets its own client, so its own token bucket of these (ClientBuilder.ClientOrDie)
  controllerManager: z
    .object({ qps: num(0.01, 100_000).default(20), burst: int(1, 1_000_000).default(30) })
    .strict()
    .prefault({}),
  // pkg/controller/nodelifecycle and cmd/kube-controller-manager/app/options/nodelifecyclecontroller.go
  nodeLifecycle: z
    .object({
      monitorPeriod: duration(100_000, HOUR).default(5_000_000),
      /** Default by release: 50 s from v1.32, 40 s before. */
      gracePeriod: duration(1_000_000, DAY).optional(),
      evictionRate: num(0, 1000).default(0.1),
      secondaryEvictionRate: num(0, 1000).default(0.01),
      unhealthyZoneThreshold: num(0, 1).default(0.55),
      largeClusterSizeThreshold: int(0, 1_000_000).default(50),
      // the DefaultTolerationSeconds admission plugin: --default-unreachable-toleration-seconds 300
      tolerationSeconds: duration(0, 30 * DAY).default(300_000_000),
    })
    .strict()
    .prefault({}),
  scheduler: z
    .object({
      // ClusterLoader2's load test requires 100 pods/s (modules/scheduler-throughput); kube-scheduler's client
      // defaults to 50 QPS / burst 100, so a default install binds at most 50 pods/s
      throughput: num(0.01, 100_000).default(100),
      burst: int(1, 1_000_000).default(100),
    })
    .strict()
    .prefault({}),
  kubelet: z
    .object({
      /** Binding to the pod's IP in its status (sandbox up, next PLEG relist): an assumption. */
      sandbox: spread.default({ median: 1_000_000, p99: 3_000_000 }),
      /** Containers stopped to the terminal status and delete (volumes torn down): an assumption. */
      cleanup: spread.default({ median: 1_000_000, p99: 3_000_000 }),
      // pkg/kubelet/status/status_manager.go syncPeriod
      statusSyncPeriod: duration(1_000_000, HOUR).default(10_000_000),
      // Lease duration 40 s x nodeLeaseRenewIntervalFraction 0.25 (pkg/kubelet/nodelease)
      leaseRenewInterval: duration(1_000_000, HOUR).default(10_000_000),
      // KubeletConfiguration nodeStatusReportFrequency
      nodeStatusReportFrequency: duration(1_000_000, DAY).default(300_000_000),
    })
    .strict()
    .prefault({}),
  /** New and deleted pods' timings where no workload step gives its own. */
  pods: z
    .object({
      startup: spread.default({ median: 5_000_000, p99: 20_000_000 }),
      termination: spread.default({ median: 2_000_000, p99: 10_000_000 }),
    })
    .strict()
    .prefault({}),
  events: z
    .object({
      /** Events per second besides those the modelled components record (an assumption; 0 by default). */
      rate: num(0, 1_000_000).default(0),
      // kube-apiserver --event-ttl
      ttl: duration(1_000_000, 30 * DAY).default(HOUR),
    })
    .strict()
    .prefault({}),
  kubeProxy: z
    .object({
      mode: oneOf(["iptables", "ipvs", "nftables"]).default("iptables"),
      /** The sync runner: "v1.34" (no burst, cooldown from a sync's end) or "v1.33" (token bucket); default by release. */
      runner: oneOf(["v1.34", "v1.33"]).optional(),
      minSyncPeriod: duration(0, HOUR).default(1_000_000),
      /**
       * A cost profile from `bench calibrate kube-proxy` (path relative to the scenario file); default: the one
       * measured on the project's 2-core CI machine (bench/profiles/kube-proxy-default.json).
       */
      costProfile: z.string({ error: "must be the path of a profile written by bench calibrate kube-proxy" }).min(1).optional(),
      /**
       * A factor on the profile's sync costs: the profile was measured on one 2-core machine, nodes are faster or
       * slower (an uncertain parameter; 1 = the profile as measured).
       */
      costScale: num(0.01, 100).default(1),
      /** The v1.33 runner's burst (kube-proxy passed 2); the v1.34 runner has none. */
      burstSyncs: int(1, 100).default(2),
      fullSyncPeriod: duration(1_000_000, 30 * DAY).default(HOUR),
      contentType: oneOf(["protobuf", "json"]).default("protobuf"),
      /** Nodes per simulated kube-proxy (same zone, back to back on the FIFO): 1 is exact, more is faster. */
      cohortSize: int(1, 1000).default(1),
    })
    .strict()
    .prefault({}),
  dns: z
    .object({
      /** Central CoreDNS replicas: a count, or "auto" (cluster-proportional-autoscaler linear defaults). */
      servers: z.union([int(0, 1_000_000), z.literal("auto")], { error: 'must be a count or "auto"' }).default("auto"),
      contentType: oneOf(["protobuf", "json"]).default("protobuf"),
      /** A built-in placement, or the path of a plugin module (relative to the scenario file). */
      placement: z
        .string({ error: placementOrPath })
        .refine((v) => (PLACEMENT_NAMES as readonly string[]).includes(v) || isModulePath(v), { error: placementOrPath })
        .default("central"),
      /** DNS lookups per pod per second; 0 turns DNS traffic off (the control plane only). */
      lookupsPerPodPerSecond: num(0, 10_000).default(0),
      resolver: oneOf(["glibc", "musl"]).default("glibc"),
      // Assumptions (no source gives a name mix or a name count per node): most lookups are Services of the own
      // namespace, a third external names
      mix: nameClassRecord(num(0, 1))
        .prefault({})
        .transform((m) => ({ sameNamespace: 0.45, otherNamespace: 0.15, clusterFqdn: 0.05, external: 0.3, headless: 0.05, ...m })),
      namesPerNode: nameClassRecord(int(1, 1_000_000))
        .prefault({})
        .transform((m) => ({ sameNamespace: 10, otherNamespace: 10, clusterFqdn: 5, external: 20, headless: 3, ...m })),
      externalNames: int(1, 100_000_000).default(1000),
      // docs/sources.md §3.1: AWS adds 1 host search domain, GKE 2
      hostSearchDomains: int(0, 6).default(1),
      kernel: z
        .string()
        .regex(/^\d+\.\d+(\.\d+)?$/, { error: 'must be a kernel version like "5.15"' })
        .default("5.15"),
      corednsCores: num(0.1, 64).default(2),
      // the CoreDNS manifests' memory limit (kubeadm, cluster/addons/dns/coredns): over it, OOM kills
      corednsMemoryLimit: bytes(1024 ** 2, 1024 ** 4).default(170 * 1024 ** 2),
      step: duration(100_000, 60_000_000).default(1_000_000),
      sampleRate: num(0, 1).default(0.0001),
      latencyMs: z
        .object({ sameNode: num(0, 1000).default(0.05), cluster: num(0, 1000).default(0.25), upstream: num(0, 10_000).default(1) })
        .strict()
        .prefault({}),
      externalTtl: duration(0, DAY).default(60_000_000),
    })
    .strict()
    .prefault({}),
  objects: z
    .object({
      sizeModel: oneOf(["protobuf", "kep-752"]).default("protobuf"),
      bytesPerEndpoint: int(1, 100_000).default(100),
      managedFields: z.boolean().default(true),
    })
    .strict()
    .prefault({}),
  slo: z
    .object({ nplThreshold: duration(0, DAY).default(30_000_000) })
    .strict()
    .prefault({}),
  metrics: z
    .object({ interval: duration(1_000, DAY).default(10_000_000) })
    .strict()
    .prefault({}),
  workload: z.array(workloadStep).default([]),
};

/** Checks across sections: a built-in algorithm's options, unique Service group names. */
export function checkNetworkSections(
  s: Pick<NetworkSettings, "controller" | "services" | "workload" | "cluster" | "duration" | "dns">,
  ctx: z.RefinementCtx,
): void {
  checkWorkload(s, ctx);
  if (Object.values(s.dns.mix).reduce((a, b) => a + b, 0) <= 0) {
    ctx.addIssue({ code: "custom", path: ["dns", "mix"], message: "the name classes' shares are all 0: give at least one a share above 0" });
  }
  try {
    // a plugin checks its own options when it runs
    if (!isModulePath(s.controller.algorithm)) validatePackingOptions(s.controller.algorithm, s.controller.algorithmOptions);
  } catch (e) {
    ctx.addIssue({ code: "custom", path: ["controller", "algorithmOptions"], message: (e as Error).message });
  }
  const groups = new Set<string>();
  s.services.forEach((g, i) => {
    if (groups.has(g.name)) ctx.addIssue({ code: "custom", path: ["services", i, "name"], message: `duplicate Service group "${g.name}"` });
    groups.add(g.name);
  });
}

/** Workload steps that could never act are refused: a zone the cluster lacks, a start after the run, a selector of nothing. */
function checkWorkload(s: Pick<NetworkSettings, "services" | "workload" | "cluster" | "duration">, ctx: z.RefinementCtx): void {
  const issue = (i: number, field: string, message: string): void => ctx.addIssue({ code: "custom", path: ["workload", i, field], message });
  // the cluster's Services as it will name them, for the selectors
  let index = 0;
  const services = s.services.flatMap((g) => Array.from({ length: g.count }, (_, i) => ({ name: serviceName(g.name, i), group: g.name, index: index++ })));
  s.workload.forEach((w, i) => {
    if (w.at > s.duration) issue(i, "at", `starts after the run ends (duration ${formatDuration(s.duration)})`);
    if (w.action === "zone-outage" && w.zone >= s.cluster.zones) issue(i, "zone", `the cluster has zones 0..${s.cluster.zones - 1}`);
    if (w.action === "churn" && w.until < w.at) issue(i, "until", `must not be before at (${formatDuration(w.at)})`);
    if ("services" in w) {
      const none = w.services
        .split(",")
        .map((p) => p.trim())
        .filter((p) => p !== "*" && selectServices(services, p).length === 0);
      if (none.length > 0) {
        issue(
          i,
          "services",
          `${none.map((p) => JSON.stringify(p)).join(", ")} matches no Service: give "*", a group (${s.services.map((g) => g.name).join(", ")}), a Service name like "${serviceName(s.services[0]?.name ?? "web", 0)}", or a glob`,
        );
      }
    }
  });
}

const settingsSchema = z.object(networkSections);
/** A network scenario's sections as validated, defaults filled. */
export type NetworkSettings = z.output<typeof settingsSchema>;
export type WorkloadStep = NetworkSettings["workload"][number];
export type ServiceSelector = string;

/** What the model runs on: the settings with the derived values resolved. */
export interface NetworkConfig {
  duration: Micros;
  kubernetesVersion: NetworkSettings["cluster"]["kubernetesVersion"];
  cluster: ClusterSpec & { absentServices: string[]; endpointsConsumers: number };
  apiserver: Omit<NetworkSettings["apiserver"], "egressBandwidth"> & { egressBytesPerSecond: number };
  etcd: NetworkSettings["etcd"];
  controller: Omit<NetworkSettings["controller"], "mode" | "endpointsMode" | "qps" | "burst">;
  controllerManager: NetworkSettings["controllerManager"];
  nodeLifecycle: NetworkSettings["nodeLifecycle"] & { gracePeriod: Micros };
  scheduler: NetworkSettings["scheduler"];
  kubelet: NetworkSettings["kubelet"];
  pods: NetworkSettings["pods"];
  events: NetworkSettings["events"];
  kubeProxy: Omit<NetworkSettings["kubeProxy"], "runner"> & {
    runner: SyncRunnerKind;
    /** What a sync costs (from a calibration profile) and where that figure comes from. */
    cost: ProxyCost;
    costSource: string;
  };
  dns: Omit<NetworkSettings["dns"], "servers"> & {
    /** Central CoreDNS replicas. */
    servers: number;
  };
  objects: NetworkSettings["objects"];
  slo: NetworkSettings["slo"];
  metrics: NetworkSettings["metrics"];
  workload: WorkloadStep[];
}

/** The model's configuration from validated settings and the kube-proxy sync cost their profile gives. */
export function resolveNetworkConfig(s: NetworkSettings, syncCost: { cost: ProxyCost; costSource: string }): NetworkConfig {
  const nodes = s.cluster.nodes;
  const version = s.cluster.kubernetesVersion;
  return {
    duration: s.duration,
    kubernetesVersion: version,
    cluster: {
      nodes,
      zones: s.cluster.zones,
      coresPerNode: s.cluster.coresPerNode,
      podsPerNode: s.cluster.podsPerNode,
      // ClusterLoader2's load test puts 100 nodes' worth of pods in a namespace (docs/sources.md §19)
      namespaces: s.cluster.namespaces ?? Math.max(1, Math.ceil(nodes / 100)),
      services: s.services.map((g) => ({
        name: g.name,
        count: g.count,
        replicas: g.replicas,
        headless: g.headless,
        publishNotReadyAddresses: g.publishNotReadyAddresses,
        ports: g.ports,
        ipFamilies: [...g.ipFamilies],
      })),
      absentServices: s.services.filter((g) => g.initially === "absent").map((g) => g.name),
      endpointsConsumers: s.cluster.endpointsConsumers,
    },
    apiserver: { ...s.apiserver, egressBytesPerSecond: s.apiserver.egressBandwidth },
    etcd: s.etcd,
    controller: {
      algorithm: s.controller.algorithm,
      algorithmOptions: s.controller.algorithmOptions,
      maxEndpointsPerSlice: s.controller.maxEndpointsPerSlice,
      batchPeriod: s.controller.batchPeriod,
      workers: s.controller.workers,
      informer: s.controller.informer,
      syncBase: s.controller.syncBase,
      syncPerEndpoint: s.controller.syncPerEndpoint,
    },
    controllerManager: s.controllerManager,
    nodeLifecycle: { ...s.nodeLifecycle, gracePeriod: s.nodeLifecycle.gracePeriod ?? defaultGracePeriod(version) },
    scheduler: s.scheduler,
    kubelet: s.kubelet,
    pods: s.pods,
    events: s.events,
    kubeProxy: {
      ...s.kubeProxy,
      runner: s.kubeProxy.runner ?? defaultSyncRunner(version),
      cost: s.kubeProxy.costScale === 1 ? syncCost.cost : scaleCost(syncCost.cost, s.kubeProxy.costScale),
      costSource: s.kubeProxy.costScale === 1 ? syncCost.costSource : `${syncCost.costSource} x ${s.kubeProxy.costScale}`,
    },
    dns: {
      ...s.dns,
      // cluster-proportional-autoscaler's default linear parameters (docs/sources.md §5)
      servers: s.dns.servers === "auto" ? linearReplicas(uniformCluster(nodes, s.cluster.coresPerNode)) : s.dns.servers,
    },
    objects: s.objects,
    slo: s.slo,
    metrics: s.metrics,
    workload: s.workload,
  };
}

function scaleCost(cost: ProxyCost, factor: number): ProxyCost {
  const scale = (m: ProxyCost["full"]): ProxyCost["full"] => ({
    ...m,
    base: m.base * factor,
    perService: m.perService * factor,
    perEndpoint: m.perEndpoint * factor,
  });
  return { partial: scale(cost.partial), full: scale(cost.full) };
}
