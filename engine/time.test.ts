import { describe, expect, it } from "vitest";
import { formatDuration, h, min, ms, parseDuration, s, us } from "./time.js";

describe("time", () => {
  it("converts units to integer microseconds", () => {
    expect([us(5), ms(1.5), s(2), min(1), h(1)]).toEqual([5, 1500, 2_000_000, 60_000_000, 3_600_000_000]);
    expect(Number.isInteger(s(0.1) + s(0.2))).toBe(true);
    expect(s(0.1) + s(0.2)).toBe(s(0.3));
  });

  it("parses durations", () => {
    expect(parseDuration("90s")).toBe(90_000_000);
    expect(parseDuration("1h")).toBe(3_600_000_000);
    expect(parseDuration("1m30s")).toBe(90_000_000);
    expect(parseDuration("2min")).toBe(120_000_000);
    expect(parseDuration("250ms")).toBe(250_000);
    expect(parseDuration("1.5s")).toBe(1_500_000);
    expect(parseDuration("12us")).toBe(12);
    expect(parseDuration("0")).toBe(0);
    expect(parseDuration(" 5s ")).toBe(5_000_000);
  });

  it("rejects what is not a duration", () => {
    for (const bad of ["", "5", "s", "5 s", "5x", "-5s", "1h 2m", "5s!"]) expect(parseDuration(bad)).toBeUndefined();
  });

  it("formats durations", () => {
    expect([0, 12, 250_000, 1_500_000, 90_000_000, 120_000_000, 3_600_000_000].map(formatDuration)).toEqual(["0s", "12µs", "250ms", "1.5s", "90s", "2m", "1h"]);
  });
});
