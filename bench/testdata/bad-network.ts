// A deliberately invalid network scenario for the CLI tests: a negative node count and an unknown proxy mode.
const scenario: unknown = {
  name: "bad-network",
  model: "network",
  duration: "1m",
  cluster: { nodes: -5 },
  services: [{ name: "web", replicas: 3 }],
  kubeProxy: { mode: "userspace" },
};
export default scenario;
