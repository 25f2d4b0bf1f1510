import { parentPort } from "node:worker_threads";
import { PluginOutputError } from "../models/controllers/packing/index.js";
import { InputError } from "./load.js";
import { loadScenarioPlugins } from "./plugins.js";
import { runVariant } from "./runner.js";
import type { FromWorker, ToWorker } from "./pool.js";

const port = parentPort!;
const send = (message: FromWorker): void => port.postMessage(message);

port.on("message", async ({ index, scenario, seed, part }: ToWorker) => {
  try {
    // plugins are modules: each thread imports the ones its scenarios name
    await loadScenarioPlugins([scenario], scenario.name);
    const t0 = process.hrtime.bigint();
    const { metrics, events } = runVariant(scenario, seed, (fraction) => send({ type: "progress", index, fraction }), part);
    send({ type: "done", index, metrics, events, wallSeconds: Number(process.hrtime.bigint() - t0) / 1e9 });
  } catch (e) {
    // a plugin's bad answer or a plugin that does not load is the user's input, not our internal error
    if (e instanceof PluginOutputError || e instanceof InputError)
      send({ type: "error", index, message: `${e.message} (check it with bench verify-algorithm)`, input: true });
    else send({ type: "error", index, message: e instanceof Error ? (e.stack ?? e.message) : String(e) });
  }
});
