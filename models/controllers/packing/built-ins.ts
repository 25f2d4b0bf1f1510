// The built-in packing algorithms: one line each (the algorithm is its file). Plugins load by path instead.
export { compact } from "./compact.js";
export { k8s } from "./k8s.js";
export { rebalance } from "./rebalance.js";
export { stableHashAlgorithm } from "./stable-hash.js";
export { zoneAffine } from "./zone-affine.js";
