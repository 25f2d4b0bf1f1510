import { existsSync, statSync } from "node:fs";
import { dirname, relative, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { tsImport } from "tsx/esm/api";
import type { z } from "zod";
import { isModulePath } from "../models/network/config.js";
import { scenarioSchema, type Scenario } from "./schema.js";
import { applyVariant, expandFamilies, type Family, pathProblem, type Variant, type VariantsSpec, type VariantValue } from "./variants.js";
import { costProfileFor } from "./profiles.js";
import { loadScenarioPlugins } from "./plugins.js";

/** Bad input from the user: printed as one clear message, exit code 2, no stack trace. */
export class InputError extends Error {
  override name = "InputError";
}

export interface PlannedVariant extends Variant {
  scenario: Scenario;
}

export interface LoadedScenario {
  file: string;
  /** The scenario as validated, without any variant applied. */
  base: Scenario;
  variants: PlannedVariant[];
  families: Family[];
  /** A variant with more assignments on top (an uncertain parameter's level), validated like any variant. */
  derive(variant: Variant, extra: [string, VariantValue][]): Scenario;
}

const EXTENSIONS = [".ts", ".mts", ".js", ".mjs"];

/** Scenario modules being imported now: a top-level await that never settles leaves one here when Node gives up. */
export const loading = new Set<string>();

/** Imports a scenario file (TypeScript runs through tsx), validates it and every variant of it. */
export async function loadScenarioFile(file: string, options: PlanOptions = {}): Promise<LoadedScenario> {
  const abs = resolve(file);
  const shown = relative(process.cwd(), abs) || file;
  if (!existsSync(abs) || !statSync(abs).isFile()) throw new InputError(`scenario file not found: ${file}`);
  if (!EXTENSIONS.some((e) => abs.endsWith(e))) {
    throw new InputError(`${shown}: a scenario is a TypeScript or JavaScript module (${EXTENSIONS.join(", ")})`);
  }
  let mod: { default?: unknown };
  // a scenario that calls process.exit while loading would end the CLI with nothing said or written
  const exit = process.exit;
  process.exit = ((code?: number) => {
    throw new InputError(`${shown}: the scenario module called process.exit(${code ?? ""}) while loading: a scenario only exports its definition`);
  }) as typeof process.exit;
  loading.add(shown);
  try {
    // tsx's scoped loader: TypeScript scenarios load wherever they live, inside an ESM package or not.
    mod = (await tsImport(pathToFileURL(abs).href, import.meta.url)) as { default?: unknown };
  } catch (e) {
    if (e instanceof InputError) throw e;
    const msg = e instanceof Error ? e.message : String(e);
    throw new InputError(`${shown}: cannot load the scenario module: ${msg.split("\n").slice(0, 3).join(" ")}`);
  } finally {
    process.exit = exit;
    loading.delete(shown);
  }
  const loaded = planScenario(defaultExport(mod), shown, dirname(abs), options);
  await loadScenarioPlugins([loaded.base, ...loaded.variants.map((v) => v.scenario)], shown);
  return loaded;
}

/** A module's default export; a file outside an ESM package is compiled to CommonJS, which puts it one level down. */
export function defaultExport(mod: unknown): unknown {
  let exported = (mod as { default?: unknown } | null)?.default;
  if (typeof exported === "object" && exported !== null && (exported as { __esModule?: boolean }).__esModule === true) {
    exported = (exported as { default?: unknown }).default;
  }
  return exported;
}

export interface PlanOptions {
  /** Refuse scenarios expanding to more variants than this (default 10,000). */
  maxVariants?: number;
}

/**
 * Validates a scenario object and expands its variants; `where` names it in error messages, `dir` is where its
 * relative paths start (the scenario file's directory; default the working directory).
 */
export function planScenario(raw: unknown, where: string, dir = process.cwd(), options: PlanOptions = {}): LoadedScenario {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw new InputError(`${where}: the module must \`export default defineScenario({...})\``);
  }
  const base = validate(raw, where);
  let expanded: ReturnType<typeof expandFamilies>;
  try {
    // the validated spec: family rank rules carry the catalog's direction
    expanded = expandFamilies(base.variants as VariantsSpec | undefined, options.maxVariants);
  } catch (e) {
    throw new InputError(`${where}: ${(e as Error).message}`);
  }
  const derive = (v: Variant, extra: [string, VariantValue][], label = v.label): Scenario => {
    let applied: unknown;
    try {
      for (const [path] of extra) {
        const problem = pathProblem(path);
        if (problem !== undefined) throw new Error(`uncertain: ${problem}`);
      }
      applied = applyVariant(raw, { label, assignments: [...v.assignments, ...extra] });
    } catch (e) {
      throw new InputError(`${where}: variant "${label}": ${(e as Error).message}`);
    }
    delete (applied as { variants?: unknown }).variants;
    return resolvePaths(validate(applied, `${where}: variant "${label}"`), dir, `${where}: variant "${label}"`);
  };
  const planned = expanded.variants.map((v) => ({ ...v, scenario: derive(v, []) }));
  // every uncertain parameter's levels must make a valid scenario: found now, not after the base run
  for (const u of base.uncertain) {
    for (const level of ["low", "high"] as const)
      derive({ label: "", assignments: [] }, [[u.parameter, u[level]]], `uncertain ${u.parameter}=${String(u[level])} (${level})`);
  }
  return { file: where, base: resolvePaths(base, dir, where), variants: planned, families: expanded.families, derive: (v, extra) => derive(v, extra) };
}

/** Makes the scenario's file paths absolute and checks the files it reads now, before anything runs. */
function resolvePaths(s: Scenario, dir: string, where: string): Scenario {
  if (s.model !== "network") return s;
  let out = s;
  if (isModulePath(s.controller.algorithm)) out = { ...out, controller: { ...out.controller, algorithm: resolve(dir, s.controller.algorithm) } };
  if (isModulePath(s.dns.placement)) out = { ...out, dns: { ...out.dns, placement: resolve(dir, s.dns.placement) } };
  if (s.kubeProxy.costProfile !== undefined) {
    const file = resolve(dir, s.kubeProxy.costProfile);
    try {
      costProfileFor(file, s.kubeProxy.mode);
    } catch (e) {
      throw new InputError(`${where}: kubeProxy.costProfile: ${(e as Error).message}`);
    }
    out = { ...out, kubeProxy: { ...out.kubeProxy, costProfile: file } };
  }
  return out;
}

function validate(raw: unknown, where: string): Scenario {
  const result = scenarioSchema.safeParse(raw, { reportInput: true });
  if (result.success) return result.data;
  throw new InputError(formatIssues(result.error.issues, where));
}

export function formatIssues(issues: readonly z.core.$ZodIssue[], where: string): string {
  const lines = issues.map((issue) => `  ${describeIssue(issue)}`);
  return `${where}: invalid scenario\n${lines.join("\n")}`;
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const path = issue.path.map(String).join(".") || "(scenario)";
  const input = (issue as { input?: unknown }).input;
  if (issue.code === "unrecognized_keys") {
    return issue.keys.map((k) => `${path === "(scenario)" ? "" : `${path}.`}${k}: unknown field`).join("; ");
  }
  const got = input === undefined ? "missing" : `got ${short(input)}`;
  return `${path}: ${issue.message} (${got})`;
}

function short(v: unknown): string {
  // JSON would print NaN and Infinity as null
  if (typeof v === "number" && !Number.isFinite(v)) return String(v);
  const s = JSON.stringify(v, (_, x) => (typeof x === "number" && !Number.isFinite(x) ? String(x) : x));
  if (s === undefined) return String(v);
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}
