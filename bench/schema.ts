/**
 * The scenario schema (zod). Every field says its allowed values in its error message, so a bad scenario fails with
 * "phold.lps: must be an integer in 1..1000000 (got -5)" instead of a stack trace.
 */
import { z } from "zod";
import { formatDuration, parseDuration, type Micros } from "../engine/time.js";

export function int(min: number, max: number) {
  const error = `must be an integer in ${min}..${max}`;
  return z.number({ error }).int({ error }).min(min, { error }).max(max, { error });
}

export function num(min: number, max: number) {
  const error = `must be a number in ${min}..${max}`;
  return z.number({ error }).min(min, { error }).max(max, { error });
}

/** A duration written "90s", "1h", "250ms", "1m30s", or a number of microseconds; parsed to µs. */
export function duration(min: Micros, max: Micros) {
  const error = `must be a duration like "90s", "250ms" or "1h" (or a number of µs) in ${formatDuration(min)}..${formatDuration(max)}`;
  return z.union([z.string(), z.number()], { error }).transform((v, ctx): Micros => {
    const us = typeof v === "number" ? v : parseDuration(v);
    if (us === undefined || !Number.isFinite(us) || us < min || us > max) {
      ctx.addIssue({ code: "custom", message: error });
      return z.NEVER;
    }
    return Math.round(us);
  });
}

export function oneOf<const T extends readonly [string, ...string[]]>(values: T) {
  return z.enum(values, { error: `must be one of ${values.map((v) => JSON.stringify(v)).join(", ")}` });
}

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

const common = {
  name: z.string({ error: "must be a non-empty text" }).min(1, { error: "must be a non-empty text" }).max(200, { error: "must be at most 200 characters" }),
  description: z.string().optional(),
  seed: int(0, 2 ** 31 - 1).default(1),
  /** Simulated time to run; models that stop by themselves (PHOLD: after N events) treat it as a cap. */
  duration: duration(0, 30 * 24 * 3600 * 1_000_000).optional(),
  /** One matrix, or a list of matrices whose expansions are concatenated (for non-rectangular sets of variants). */
  variants: z.union([variantMatrix, z.array(variantMatrix).min(1)]).optional(),
  assumptions: z.array(assumptionSchema).default([]),
};

export const pholdSchema = z
  .object({
    lps: int(1, 1_000_000),
    population: int(1, 10_000),
    events: int(1, 1_000_000_000),
    meanDelay: duration(1, 3600 * 1_000_000).default(1_000_000),
    lookahead: duration(0, 3600 * 1_000_000).default(0),
    remoteFraction: num(0, 1).default(1),
  })
  .strict();

export const pholdScenarioSchema = z
  .object({
    ...common,
    model: z.literal("phold"),
    phold: pholdSchema,
  })
  .strict();

export const scenarioSchema = z.discriminatedUnion("model", [pholdScenarioSchema], {
  error: 'must be one of "phold"',
});

export type ScenarioInput = z.input<typeof scenarioSchema>;
export type Scenario = z.output<typeof scenarioSchema>;
export type PholdScenario = z.output<typeof pholdScenarioSchema>;
