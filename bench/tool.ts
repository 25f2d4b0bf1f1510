import { readFileSync } from "node:fs";

/** This tool's name and version, as package.json gives them (the CLI's --version, results' and run.json's provenance). */
export const TOOL = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { name: string; version: string };
