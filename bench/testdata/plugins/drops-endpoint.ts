// Broken on purpose (bench verify-algorithm's tests): first-fit that forgets the last desired endpoint.
import firstFit from "../../../examples/algorithms/first-fit.js";

export default {
  name: "drops-endpoint",
  reconcile: (input: Parameters<typeof firstFit.reconcile>[0]) => firstFit.reconcile({ ...input, desired: input.desired.slice(0, -1) }),
};
