// Broken on purpose (bench verify-algorithm's tests): first-fit that packs one endpoint more than the maximum.
import firstFit from "../../../examples/algorithms/first-fit.js";

export default {
  name: "overfills",
  reconcile: (input: Parameters<typeof firstFit.reconcile>[0]) => firstFit.reconcile({ ...input, maxEndpointsPerSlice: input.maxEndpointsPerSlice + 1 }),
};
