/**
 * kube-proxy cost profiles (written by `bench calibrate kube-proxy`): read, checked and turned into the sync-cost
 * model a run uses. Errors are plain Errors naming the file and the field; callers turn them into input errors.
 */
import { readFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import { PUBLISHED_PROXY_COSTS, type ProxyCost, type ProxyMode } from "../models/kube-proxy.js";

/** The profile measured on the project's 2-core CI machine, used when a scenario names none. */
export const DEFAULT_COST_PROFILE = join(dirname(fileURLToPath(import.meta.url)), "profiles", "kube-proxy-default.json");

const constant = z.number().finite().nonnegative();
const fit = z.object({ base: constant, perService: constant, perEndpoint: constant }).passthrough();
const profileSchema = z
  .object({
    kind: z.literal("kube-proxy-cost-profile"),
    version: z.literal(1),
    machine: z.object({ cpu: z.string(), cores: z.number(), kernel: z.string() }).passthrough(),
    tools: z.record(z.string(), z.string().optional()),
    modes: z.object({ iptables: z.object({ full: fit, partial: fit }).optional(), nftables: z.object({ full: fit, partial: fit }).optional() }),
  })
  .passthrough();

export type CostProfileFile = z.infer<typeof profileSchema>;

const cache = new Map<string, CostProfileFile>();

/** The profile in `file`, checked; cached per path (runs read the same bytes, so results stay identical). */
export function readCostProfile(file: string): CostProfileFile {
  const hit = cache.get(file);
  if (hit !== undefined) return hit;
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw new Error(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new Error(`${file} is not JSON: ${(e as Error).message}`);
  }
  const parsed = profileSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`${file} is not a cost profile from bench calibrate kube-proxy: ${issue.path.join(".") || "(top)"}: ${issue.message}`);
  }
  cache.set(file, parsed.data);
  return parsed.data;
}

/**
 * The sync cost of `mode` from the profile in `file` (default: the committed one), and a line saying where it comes
 * from. IPVS cannot be calibrated here (no ipvsadm in the namespace tooling; IPVS mode is deprecated): it keeps the
 * published assumption.
 */
export function costProfileFor(file: string | undefined, mode: ProxyMode): { cost: ProxyCost; source: string } {
  if (mode === "ipvs") return { cost: PUBLISHED_PROXY_COSTS.ipvs, source: "assumed (no published or measured IPVS sync time)" };
  const path = file ?? DEFAULT_COST_PROFILE;
  const profile = readCostProfile(path);
  const m = profile.modes[mode];
  if (m === undefined) throw new Error(`${path} has no ${mode} figures (calibrate with --mode ${mode} or all)`);
  const pick = (f: z.infer<typeof fit>) => ({ base: f.base, perService: f.perService, perEndpoint: f.perEndpoint });
  const tool = profile.tools[mode] ?? mode;
  return {
    cost: { full: pick(m.full), partial: pick(m.partial) },
    source: `measured with ${tool} on ${profile.machine.cores} x ${profile.machine.cpu}, kernel ${profile.machine.kernel}${file === undefined ? " (the default profile)" : ` (${basename(path)})`}`,
  };
}
