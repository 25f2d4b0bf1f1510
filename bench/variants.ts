/**
 * Variant matrices. A scenario declares `variants: { "controller.algorithm": ["k8s", "compact"], ... }` (or a list
 * of such matrices, concatenated); every combination runs with the same seed, so all variants see the same
 * workload draws (common random numbers). A variant is labelled `key=value,key=value` in declaration order.
 */

export type VariantValue = string | number | boolean | null;
export type VariantMatrix = Record<string, VariantValue | VariantValue[]>;

export interface Variant {
  label: string;
  /** Dotted path -> value, in declaration order. */
  assignments: [string, VariantValue][];
}

export const DEFAULT_VARIANT = "default";

export function expandVariants(spec: VariantMatrix | VariantMatrix[] | undefined): Variant[] {
  if (spec === undefined) return [{ label: DEFAULT_VARIANT, assignments: [] }];
  const matrices = Array.isArray(spec) ? spec : [spec];
  const out: Variant[] = [];
  const seen = new Set<string>();
  for (const matrix of matrices) {
    let combos: [string, VariantValue][][] = [[]];
    for (const [key, values] of Object.entries(matrix)) {
      const list = Array.isArray(values) ? values : [values];
      const next: [string, VariantValue][][] = [];
      for (const combo of combos) for (const v of list) next.push([...combo, [key, v]]);
      combos = next;
    }
    for (const assignments of combos) {
      const label = assignments.length === 0 ? DEFAULT_VARIANT : assignments.map(([k, v]) => `${k}=${String(v)}`).join(",");
      if (seen.has(label)) continue;
      seen.add(label);
      out.push({ label, assignments });
    }
  }
  return out;
}

/** A deep copy of `base` with each dotted path set to its value (creating objects along the way). */
export function applyVariant<T>(base: T, variant: Variant): T {
  const copy = structuredClone(base) as Record<string, unknown>;
  for (const [path, value] of variant.assignments) {
    const keys = path.split(".");
    let node: Record<string, unknown> = copy;
    for (const key of keys.slice(0, -1)) {
      const child = node[key];
      if (typeof child !== "object" || child === null || Array.isArray(child)) node[key] = {};
      node = node[key] as Record<string, unknown>;
    }
    node[keys[keys.length - 1]] = value;
  }
  return copy as T;
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
  return new RegExp(
    "^" +
      glob
        .split("*")
        .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
        .join(".*") +
      "$",
  ).test(text);
}
