/**
 * The scenario schema (zod): the fields every scenario has (name, seed, variants, assumptions, rank and gate rules)
 * plus its model's sections, which live with the models with their defaults and sources (models/phold.ts,
 * models/network/config.ts). Every field says its allowed values in its error message, so a bad scenario fails with
 * "phold.lps: must be an integer in 1..1000000 (got -5)" instead of a stack trace.
 */
import { z } from "zod";
import { duration, int, oneOf } from "../models/config-fields.js";
import { lookupMetric, patternMatchesCatalog } from "../models/metrics.js";
import { checkNetworkSections, networkSections } from "../models/network/config.js";
import { pholdSettings } from "../models/phold.js";

const variantValue = z.union([z.string(), z.number(), z.boolean(), z.null()]);
/** A matrix: each key a dotted path into the scenario, each value the list of values to try (or one value). */
const variantMatrix = z.record(z.string().min(1), z.union([variantValue, z.array(variantValue).min(1, { error: "must list at least one value" })]));

export const assumptionSchema = z
  .object({
    name: z.string().min(1),
    value: z.string(),
    why: z.string().min(1, { error: "must say why the value was chosen (no source pins it)" }),
  })
  .strict();

const NOT_A_RANK_METRIC = "must name a metric of the catalog (models/metrics.ts; the README's metric reference lists them)";
const NOT_A_METRIC = "must name a metric of the catalog (models/metrics.ts; the README's metric reference lists them), or a glob matching one";

const gateRuleSchema = z
  .object({
    /** A metric name, or a glob with `*` (e.g. `npl.*`, `*@*` for every series point). */
    metric: z
      .string()
      .min(1)
      .refine((m) => patternMatchesCatalog(m), { error: NOT_A_METRIC }),
    rule: z
      .string()
      .regex(/^(auto|exact|ignore|rel:\d+(\.\d+)?|abs:\d+(\.\d+)?)$/, { error: 'must be "auto", "exact", "ignore", "rel:<fraction>" or "abs:<amount>"' })
      .default("auto"),
    better: oneOf(["lower", "higher", "either"]).default("either"),
  })
  .strict();

/** Metrics to rank variants on; `better` defaults to the catalog's direction. */
const rankRules = z.array(
  z
    .object({
      metric: z
        .string()
        .min(1)
        .refine((m) => lookupMetric(m) !== undefined, { error: NOT_A_RANK_METRIC }),
      /** Default: the metric catalog's direction. */
      better: oneOf(["lower", "higher"]).optional(),
    })
    .strict()
    .transform((r, ctx) => {
      const better = r.better ?? lookupMetric(r.metric)?.spec.better;
      if (better === undefined) {
        ctx.addIssue({ code: "custom", path: ["better"], message: `must be "lower" or "higher": the metric catalog gives ${r.metric} no direction` });
        return z.NEVER;
      }
      return { metric: r.metric, better };
    }),
);

/** A named family of variants and its reference (bench/variants.ts FamilySpec). */
const familySpec = z
  .object({
    family: z.string().min(1, { error: "must name the family" }),
    reference: z.record(z.string().min(1), variantValue).optional(),
    matrix: z.union([variantMatrix, z.array(variantMatrix).min(1)]),
    rank: rankRules.optional(),
  })
  .strict();

const common = {
  name: z.string({ error: "must be a non-empty text" }).min(1, { error: "must be a non-empty text" }).max(200, { error: "must be at most 200 characters" }),
  description: z.string().optional(),
  seed: int(0, 2 ** 31 - 1).default(1),
  /** Simulated time to run; models that stop by themselves (PHOLD: after N events) treat it as a cap. */
  duration: duration(0, 30 * 24 * 3600 * 1_000_000).optional(),
  /**
   * One matrix, or a list of matrices and families whose expansions are concatenated; each entry is a family of
   * variants ranked together (a plain matrix: named by its keys, its first variant the reference).
   */
  variants: z.union([variantMatrix, z.array(z.union([familySpec, variantMatrix])).min(1)]).optional(),
  assumptions: z.array(assumptionSchema).default([]),
  /**
   * Parameters no source pins, each with a plausible low and high value and why: `bench run --sensitivity` runs every
   * variant at each, one at a time, and says which verdicts survive.
   */
  uncertain: z
    .array(
      z
        .object({
          parameter: z
            .string()
            .regex(/^[A-Za-z][A-Za-z0-9]*(\.[A-Za-z][A-Za-z0-9]*)*$/, { error: "must be a dotted path into the scenario, e.g. apiserver.egressBandwidth" }),
          low: variantValue,
          high: variantValue,
          why: z.string().min(1, { error: "must say why the value is uncertain and where the range comes from" }),
        })
        .strict(),
    )
    .default([]),
  /** Reports rank the variants on these metrics (a family may name its own). */
  rank: rankRules.default([]),
  /** `bench gate` compares metrics with the first rule whose glob matches; unmatched metrics use the defaults. */
  gate: z.array(gateRuleSchema).default([]),
};

export const pholdScenarioSchema = z
  .object({
    ...common,
    model: z.literal("phold"),
    phold: pholdSettings,
  })
  .strict();

export const networkScenarioSchema = z
  .object({
    ...common,
    model: z.literal("network"),
    ...networkSections,
  })
  .strict()
  .superRefine(checkNetworkSections);

export const scenarioSchema = z.discriminatedUnion("model", [pholdScenarioSchema, networkScenarioSchema], {
  error: 'must be one of "phold", "network"',
});

export type ScenarioInput = z.input<typeof scenarioSchema>;
export type Scenario = z.output<typeof scenarioSchema>;
export type PholdScenario = z.output<typeof pholdScenarioSchema>;
export type NetworkScenario = z.output<typeof networkScenarioSchema>;
