// A deliberately invalid scenario for the CLI tests (typed loosely so tsc lets it through): lps out of range and an
// unknown field. Real scenarios use defineScenario(), which makes tsc catch unknown fields too.
const scenario: unknown = {
  name: "bad",
  model: "phold",
  phold: { lps: -5, population: 10, events: 100, nodes: 3 },
};
export default scenario;
