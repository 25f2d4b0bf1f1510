#!/usr/bin/env node
// The `bench` command: registers tsx so the CLI and scenario files run as TypeScript, then hands over.
import { register } from "tsx/esm/api";

register();
const { main } = await import("./cli.ts");
const { loading } = await import("./load.ts");
// Node ends a process whose top-level await can never settle (code 13, no word): exiting while a scenario module is
// still loading means the scenario's own top-level await never settles (the CLI awaits nothing that cannot finish)
process.on("exit", () => {
  if (loading.size > 0) {
    process.stderr.write(`error: ${[...loading].join(", ")}: the scenario module never finished loading (a top-level await in it never settles)\n`);
    process.exitCode = 2;
  }
});
const code = await main(process.argv);
process.exitCode = code;
// the CLI's work is done: a timer or a handle a scenario left open must not keep it alive (output is flushed first)
setTimeout(() => process.exit(code), 2000).unref();
