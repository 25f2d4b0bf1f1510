// The built-in DNS placements: one line each (the placement is its file). Plugins load by path instead.
export { central } from "./central.js";
export { centralAutopath } from "./central-autopath.js";
export { corednsDaemonset } from "./coredns-daemonset.js";
export { nodelocal } from "./nodelocal.js";
export { nodelocalPreferSameNode } from "./nodelocal-prefer-same-node.js";
export { zonal } from "./zonal.js";
