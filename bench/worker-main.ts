import { parentPort } from "node:worker_threads";
import { runVariant } from "./runner.js";
import type { FromWorker, ToWorker } from "./pool.js";

const port = parentPort!;
const send = (message: FromWorker): void => port.postMessage(message);

port.on("message", ({ index, scenario, seed, part }: ToWorker) => {
  try {
    const t0 = process.hrtime.bigint();
    const { metrics, events } = runVariant(scenario, seed, (fraction) => send({ type: "progress", index, fraction }), part);
    send({ type: "done", index, metrics, events, wallSeconds: Number(process.hrtime.bigint() - t0) / 1e9 });
  } catch (e) {
    send({ type: "error", index, message: e instanceof Error ? (e.stack ?? e.message) : String(e) });
  }
});
