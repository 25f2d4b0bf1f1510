/**
 * Variant matrices. A scenario declares `variants: { "controller.algorithm": ["k8s", "compact"], ... }` (or a list
 * of such matrices, concatenated); every combination runs with the same seed, so all variants see the same
 * workload draws (common random numbers). A variant is labelled `key=value,key=value` in declaration order.
 */

import { globRegExp } from "../engine/glob.js";

export type VariantValue = string | number | boolean | null;
export type VariantMatrix = Record<string, VariantValue | VariantValue[]>;

/**
 * A named family of variants compared with each other and with a reference (the upstream default), e.g. the packing
 * algorithms against `k8s` at 100 per slice. Its matrices expand as a plain `variants` list does.
 */
export interface FamilySpec {
  family: string;
  /** Assignments that pick the reference among the family's variants; default: its first variant. */
  reference?: Record<string, VariantValue>;
  matrix: VariantMatrix | VariantMatrix[];
  /** Metrics to rank this family on; default: the scenario's `rank`. */
  rank?: { metric: string; better: "lower" | "higher" }[];
}

export type VariantsSpec = VariantMatrix | (VariantMatrix | FamilySpec)[];

export interface Variant {
  label: string;
  /** Dotted path -> value, in declaration order. */
  assignments: [string, VariantValue][];
}

/** A family as planned: its variants' labels, in run order, and the reference's. */
export interface Family {
  name: string;
  variants: string[];
  reference: string;
  rank?: { metric: string; better: "lower" | "higher" }[];
}

export const DEFAULT_VARIANT = "default";

export function isFamilySpec(entry: VariantMatrix | FamilySpec): entry is FamilySpec {
  return typeof (entry as FamilySpec).family === "string" && typeof (entry as FamilySpec).matrix === "object";
}

function expandMatrix(matrix: VariantMatrix): Variant[] {
  let combos: [string, VariantValue][][] = [[]];
  for (const [key, values] of Object.entries(matrix)) {
    const list = Array.isArray(values) ? values : [values];
    const next: [string, VariantValue][][] = [];
    for (const combo of combos) for (const v of list) next.push([...combo, [key, v]]);
    combos = next;
  }
  return combos.map((assignments) => ({
    label: assignments.length === 0 ? DEFAULT_VARIANT : assignments.map(([k, v]) => `${k}=${String(v)}`).join(","),
    assignments,
  }));
}

/** More variants than this is refused unless raised (bench run --max-variants): a typo can ask for a million. */
export const MAX_VARIANTS = 10_000;

/**
 * Every variant, in declaration order (a label declared twice is refused), and the families they form: each family
 * entry one family; each plain matrix a family of its own, named by its keys, its first variant the reference.
 */
export function expandFamilies(spec: VariantsSpec | undefined, maxVariants = MAX_VARIANTS): { variants: Variant[]; families: Family[] } {
  if (spec === undefined) return { variants: [{ label: DEFAULT_VARIANT, assignments: [] }], families: [] };
  const entries = Array.isArray(spec) ? spec : [spec];
  let combinations = 0;
  const matricesOf = (entry: (typeof entries)[number]): VariantMatrix[] =>
    isFamilySpec(entry) ? (Array.isArray(entry.matrix) ? entry.matrix : [entry.matrix]) : [entry];
  for (const entry of entries) {
    for (const m of matricesOf(entry)) {
      combinations += Object.values(m).reduce<number>((n, v) => n * (Array.isArray(v) ? v.length : 1), 1);
    }
  }
  if (combinations > maxVariants) {
    throw new Error(
      `variants: ${combinations.toLocaleString("en-US")} combinations, over the cap of ${maxVariants.toLocaleString("en-US")}: declare fewer, or raise the cap with --max-variants`,
    );
  }
  const variants: Variant[] = [];
  const seen = new Map<string, Variant>();
  const families: Family[] = [];
  const explicit = new Set<Family>();
  entries.forEach((entry, index) => {
    const matrices = matricesOf(entry);
    for (const m of matrices) {
      for (const [path, values] of Object.entries(m)) {
        const problem = pathProblem(path);
        if (problem !== undefined) throw new Error(`variants[${index}]: ${problem}`);
        const list = Array.isArray(values) ? values : [values];
        const twice = list.find((v, i) => list.findIndex((w) => String(w) === String(v)) !== i);
        if (twice !== undefined) throw new Error(`variants[${index}]: ${path} lists ${JSON.stringify(twice)} twice (or two values that print the same)`);
      }
    }
    const members = matrices.flatMap(expandMatrix);
    for (const v of members) {
      const before = seen.get(v.label);
      if (before !== undefined) {
        const same = JSON.stringify(before.assignments) === JSON.stringify(v.assignments);
        throw new Error(
          same
            ? `variants[${index}]: variant "${v.label}" is declared twice; declare it once (a family may name another family's variant as its reference only by including it once)`
            : `variants[${index}]: two different variants would both be labelled "${v.label}": give values that print differently`,
        );
      }
      seen.set(v.label, v);
      variants.push(v);
    }
    const labels = [...new Set(members.map((v) => v.label))];
    if (!isFamilySpec(entry)) {
      // plain matrices over the same keys are one family (e.g. every algorithm at 100, and k8s at 500)
      const name = Object.keys(entry).join(" x ") || DEFAULT_VARIANT;
      const same = families.find((f) => f.name === name && !explicit.has(f));
      if (same !== undefined) same.variants.push(...labels.filter((l) => !same.variants.includes(l)));
      else families.push({ name, variants: labels, reference: labels[0] });
      return;
    }
    let reference = labels[0];
    if (entry.reference !== undefined) {
      const wanted = Object.entries(entry.reference);
      const match = members.find((v) => wanted.every(([k, value]) => v.assignments.some(([vk, vv]) => vk === k && String(vv) === String(value))));
      if (match === undefined) {
        throw new Error(
          `variants[${index}].reference: ${JSON.stringify(entry.reference)} matches none of family "${entry.family}"'s variants (${labels.join("; ")})`,
        );
      }
      reference = match.label;
    }
    const family: Family = { name: entry.family, variants: labels, reference, ...(entry.rank === undefined ? {} : { rank: entry.rank }) };
    explicit.add(family);
    families.push(family);
  });
  const names = families.map((f) => f.name);
  const twice = names.find((n, i) => names.indexOf(n) !== i);
  if (twice !== undefined) throw new Error(`variants: two families are named "${twice}"`);
  return { variants, families };
}

export function expandVariants(spec: VariantsSpec | undefined): Variant[] {
  return expandFamilies(spec).variants;
}

/** A deep copy of `base` with each dotted path set to its value (creating objects along the way). */
export function applyVariant<T>(base: T, variant: Variant): T {
  const copy = structuredClone(base) as Record<string, unknown>;
  for (const [path, value] of variant.assignments) {
    const keys = path.split(".");
    let node: Record<string, unknown> | unknown[] = copy;
    keys.forEach((key, depth) => {
      const last = depth === keys.length - 1;
      if (Array.isArray(node)) {
        // a path into a list: services.0.replicas
        const index = Number(key);
        if (!/^\d+$/.test(key) || index >= node.length) {
          throw new Error(`${path}: ${keys.slice(0, depth).join(".")} is a list of ${node.length}: "${key}" must be an index in 0..${node.length - 1}`);
        }
        if (last) node[index] = value;
        else node = node[index] as Record<string, unknown>;
        return;
      }
      const obj: Record<string, unknown> = node;
      if (last) {
        obj[key] = value;
        return;
      }
      const child = obj[key];
      if (typeof child !== "object" || child === null) obj[key] = {};
      node = obj[key] as Record<string, unknown> | unknown[];
    });
  }
  return copy as T;
}

const FORBIDDEN_SEGMENTS = new Set(["__proto__", "constructor", "prototype"]);

/** Why a variant or uncertain parameter's path cannot be used, or undefined. */
export function pathProblem(path: string): string | undefined {
  const segments = path.split(".");
  if (segments.some((s) => s === "")) return `${JSON.stringify(path)}: an empty segment`;
  const bad = segments.find((s) => FORBIDDEN_SEGMENTS.has(s));
  return bad === undefined ? undefined : `${JSON.stringify(path)}: "${bad}" is not a scenario field`;
}

/**
 * Does `label` match a --variant pattern? A pattern with `*` is a glob over the whole label; without, a substring.
 * Several patterns may be given separated by `|`.
 */
export function matchesVariant(label: string, pattern: string): boolean {
  return pattern.split("|").some((p) => (p.includes("*") ? matchesGlob(p, label) : label.includes(p)));
}

/** Does `text` match `glob` as a whole, `*` standing for any run of characters (nothing else is special)? */
export function matchesGlob(glob: string, text: string): boolean {
  return globRegExp(glob).test(text);
}
