import { describe, expect, it } from "vitest";
import { csvFields, studySize } from "./study-size.js";

describe("studySize", () => {
  it("counts variants whose labels hold commas (quoted) once each", () => {
    // 3 variants (k8s at 100 and at 500, quoted; zonal) x 3 settings (base, qps low, qps high), 2 metrics each; split
    // at every comma, the two k8s labels would read as one and the settings would be shifted
    const header = "scenario,variant,parameter,level,metric,unit,value";
    const rows: string[] = [];
    for (const variant of [
      '"controller.algorithm=k8s,controller.maxEndpointsPerSlice=100"',
      '"controller.algorithm=k8s,controller.maxEndpointsPerSlice=500"',
      "dns.placement=zonal",
    ]) {
      for (const [parameter, level] of [
        ["", "base"],
        ["controllerManager.qps", "low"],
        ["controllerManager.qps", "high"],
      ]) {
        for (const metric of ["npl.p99_s", "watch.bytes"]) rows.push(`s,${variant},${parameter},${level},${metric},s,1`);
      }
    }
    expect(studySize([header, ...rows].join("\n"))).toEqual({ variants: 3, settings: 3 });
  });

  it("reads quoted fields with commas and doubled quotes", () => {
    expect(csvFields('a,"b,c","say ""hi""",')).toEqual(["a", "b,c", 'say "hi"', ""]);
  });
});
