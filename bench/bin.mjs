#!/usr/bin/env node
// The `bench` command: registers tsx so the CLI and scenario files run as TypeScript, then hands over.
import { register } from "tsx/esm/api";

register();
const { main } = await import("./cli.ts");
process.exitCode = await main(process.argv);
