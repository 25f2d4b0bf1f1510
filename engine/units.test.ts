import { describe, expect, it } from "vitest";
import { formatBytes, parseBandwidth, parseBytes } from "./units.js";

describe("units", () => {
  it("parses byte counts", () => {
    expect(parseBytes("1.5MiB")).toBe(1_572_864);
    expect(parseBytes("2GiB")).toBe(2_147_483_648);
    expect(parseBytes("10 kB")).toBe(10_000);
    expect(parseBytes("512")).toBe(512);
    for (const bad of ["", "MiB", "1.5 mib", "-3B", "1e3B"]) expect(parseBytes(bad)).toBeUndefined();
  });

  it("parses bandwidths in bits or bytes per second", () => {
    expect(parseBandwidth("10Gbit/s")).toBe(1.25e9);
    expect(parseBandwidth("1.25GB/s")).toBe(1.25e9);
    expect(parseBandwidth("100Mbit/s")).toBe(12.5e6);
    for (const bad of ["10Gbit", "10 Gbps", "x/s"]) expect(parseBandwidth(bad)).toBeUndefined();
  });

  it("formats byte counts", () => {
    expect([512, 1_572_864, 1e10, 2e14].map(formatBytes)).toEqual(["512 B", "1.57 MB", "10 GB", "200 TB"]);
  });
});
