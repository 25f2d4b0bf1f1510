/**
 * cluster-proportional-autoscaler (CPA), as used by the kube-dns/CoreDNS `dns-horizontal-autoscaler` addon.
 * Mirrors kubernetes-sigs/cluster-proportional-autoscaler HEAD 5a5dd5a1 (docs/sources.md §5):
 * pkg/autoscaler/controller/linearcontroller/linear_controller.go and laddercontroller/ladder_controller.go.
 */

export interface ClusterCounts {
  /** Schedulable nodes and their cores (what CPA counts by default). */
  schedulableNodes: number;
  schedulableCores: number;
  /** All nodes and cores; used with `includeUnschedulableNodes`. Default: the schedulable counts. */
  totalNodes?: number;
  totalCores?: number;
}

export interface LinearParams {
  /** Floats allowed; 0 disables the term (it then yields 1). */
  coresPerReplica: number;
  nodesPerReplica: number;
  /** CPA turns 0 into 1. */
  min: number;
  /** 0 = unbounded. */
  max: number;
  preventSinglePointFailure: boolean;
  includeUnschedulableNodes: boolean;
}

/**
 * The addon's defaults: `{"linear":{"coresPerReplica":256,"nodesPerReplica":16,"preventSinglePointFailure":true}}`
 * with CPA's min 1, max 0 (docs/sources.md §5).
 */
export const DEFAULT_LINEAR_PARAMS: Readonly<LinearParams> = {
  coresPerReplica: 256,
  nodesPerReplica: 16,
  min: 1,
  max: 0,
  preventSinglePointFailure: true,
  includeUnschedulableNodes: false,
};

/** `--poll-period-seconds=10` (docs/sources.md §5). */
export const CPA_POLL_PERIOD_S = 10;
/** The autoscaler container requests 20m / 10Mi (docs/sources.md §5). */
export const CPA_CPU_REQUEST_MILLICORES = 20;
export const CPA_MEMORY_REQUEST_MIB = 10;

/** CPA's parseParams checks; returns the problems (empty when valid). */
export function linearParamsProblems(p: Partial<LinearParams>): string[] {
  const out: string[] = [];
  const min = p.min ?? 1;
  const max = p.max ?? 0;
  if (min < 0) out.push(`invalid negative value for min: ${min}`);
  if (max !== 0 && max < Math.max(min, 1)) out.push(`max replicas count ${max} should be greater than / equal to min replicas count ${Math.max(min, 1)}`);
  if (!p.coresPerReplica && !p.nodesPerReplica) out.push("should at least provide either coresPerReplica or nodesPerReplica (greater than 0)");
  if ((p.coresPerReplica ?? 0) < 0) out.push(`invalid negative value for coresPerReplica: ${p.coresPerReplica}`);
  if ((p.nodesPerReplica ?? 0) < 0) out.push(`invalid negative value for nodesPerReplica: ${p.nodesPerReplica}`);
  return out;
}

/**
 * Linear mode: replicas = max(ceil(cores / coresPerReplica), ceil(nodes / nodesPerReplica)), each term clamped to
 * [min, max] (max 0 = unbounded), then preventSinglePointFailure raises the nodes term to 2 when nodes > 1.
 * As in CPA, that last step comes after the clamp, so it can exceed `max` (e.g. max 1 on a 2-node cluster gives 2).
 * `params` is merged over {@link DEFAULT_LINEAR_PARAMS} (pass 0 to disable a term). Throws on parameters CPA would
 * reject.
 */
export function linearReplicas(cluster: ClusterCounts, params: Partial<LinearParams> = DEFAULT_LINEAR_PARAMS): number {
  const p: LinearParams = { ...DEFAULT_LINEAR_PARAMS, ...params };
  const problems = linearParamsProblems(p);
  if (problems.length > 0) throw new Error(`linearReplicas: ${problems.join("; ")}`);
  const min = p.min === 0 ? 1 : p.min;
  const nodes = p.includeUnschedulableNodes ? (cluster.totalNodes ?? cluster.schedulableNodes) : cluster.schedulableNodes;
  const cores = p.includeUnschedulableNodes ? (cluster.totalCores ?? cluster.schedulableCores) : cluster.schedulableCores;
  const term = (resources: number, perReplica: number): number => {
    if (perReplica === 0) return 1;
    let res = Math.ceil(resources / perReplica);
    if (p.max !== 0) res = Math.min(p.max, res);
    return Math.max(min, res);
  };
  const fromCores = term(cores, p.coresPerReplica);
  let fromNodes = term(nodes, p.nodesPerReplica);
  if (p.preventSinglePointFailure && nodes > 1 && fromNodes < 2) fromNodes = 2;
  return Math.max(fromCores, fromNodes);
}

/** Ladder entries: [threshold, replicas], sorted by threshold. */
export type LadderEntry = readonly [number, number];

export interface LadderParams {
  coresToReplicas: readonly LadderEntry[];
  nodesToReplicas: readonly LadderEntry[];
  includeUnschedulableNodes?: boolean;
}

/** AKS's default ladder: at most 5 replicas (docs/sources.md §5). */
export const AKS_DEFAULT_LADDER: Readonly<LadderParams> = {
  coresToReplicas: [
    [1, 2],
    [512, 3],
    [1024, 4],
    [2048, 5],
  ],
  nodesToReplicas: [
    [1, 2],
    [8, 3],
    [16, 4],
    [32, 5],
  ],
};

/**
 * The replicas of the last step whose threshold ≤ resources. As in CPA, below the first threshold the first step
 * still applies, and an empty ladder yields 0 (ladder mode allows 0 replicas, docs/sources.md §5).
 */
export function ladderStep(resources: number, entries: readonly LadderEntry[]): number {
  if (entries.length === 0) return 0;
  const sorted = [...entries].sort((a, b) => a[0] - b[0]);
  let pos = sorted.findIndex((e) => resources < e[0]);
  if (pos === -1) pos = sorted.length;
  if (pos > 0) pos--;
  return sorted[pos][1];
}

/** Ladder mode: the larger of the cores step and the nodes step. Throws on negative entries, as CPA does. */
export function ladderReplicas(cluster: ClusterCounts, params: LadderParams): number {
  for (const e of [...params.coresToReplicas, ...params.nodesToReplicas]) {
    if (e[0] < 0 || e[1] < 0) throw new Error(`ladderReplicas: invalid negative values in entry [${e[0]}, ${e[1]}]`);
  }
  const all = params.includeUnschedulableNodes ?? false;
  const nodes = all ? (cluster.totalNodes ?? cluster.schedulableNodes) : cluster.schedulableNodes;
  const cores = all ? (cluster.totalCores ?? cluster.schedulableCores) : cluster.schedulableCores;
  return Math.max(ladderStep(cores, params.coresToReplicas), ladderStep(nodes, params.nodesToReplicas));
}

/** Convenience: a homogeneous cluster of `nodes` nodes with `coresPerNode` cores each, all schedulable. */
export function uniformCluster(nodes: number, coresPerNode: number): ClusterCounts {
  return { schedulableNodes: nodes, schedulableCores: nodes * coresPerNode };
}
