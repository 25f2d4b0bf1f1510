import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { InputError } from "./load.js";
import { answersFrom, resolve } from "./resolve.js";
import { bench, tempDir } from "../test/cli.js";

const gke = "nameserver 10.96.0.10\nsearch default.svc.cluster.local svc.cluster.local cluster.local c.proj.internal google.internal\noptions ndots:5\n";

describe("bench resolve", () => {
  it("explains the query count of an external name: 8, 10, 12 with 0, 1, 2 host search domains", () => {
    expect(resolve("api.stripe.com", {}).count).toBe(8);
    expect(resolve("api.stripe.com", { resolvConf: gke }).count).toBe(12);
    expect(resolve("api.stripe.com", { resolvConf: gke }).queries[10]).toEqual({ name: "api.stripe.com.", type: "A" });
  });

  it("stops at the first candidate that answers, given which names exist", () => {
    const answers = answersFrom({ "web.default.svc.cluster.local": ["A"], "web.other.svc.cluster.local": ["A"] }, "answers");
    expect(resolve("web", { answers }).count).toBe(2);
    expect(resolve("web.other", { answers }).count).toBe(4);
    expect(resolve("api.stripe.com.", {}).count).toBe(2); // trailing dot: absolute only
  });

  it("follows musl: with dots >= ndots the search list is not used", () => {
    const conf = "nameserver 10.96.0.10\nsearch default.svc.cluster.local svc.cluster.local cluster.local\noptions ndots:2\n";
    expect(resolve("a.b.example.com", { resolvConf: conf, resolver: "musl" }).count).toBe(2);
  });

  it("refuses names longer than DNS allows, as a resolver would, and prints resolv.conf's warnings", () => {
    // 254 characters: labels of 63, 63, 63 and 60, then "x", with 4 dots; then a 64-character label
    const long = `${"a".repeat(63)}.${"b".repeat(63)}.${"c".repeat(63)}.${"d".repeat(60)}.x`;
    expect(long.length).toBe(254);
    expect(() => resolve(long, {})).toThrow("name: 254 characters, longer than a DNS name can be (253)");
    expect(() => resolve(`${"a".repeat(64)}.com`, {})).toThrow("is 64 characters, longer than a DNS label can be (63)");
    expect(resolve(`${"a".repeat(63)}.com`, {}).count).toBe(8);
    const dir = tempDir();
    writeFileSync(join(dir, "resolv.conf"), "nameserver 10.96.0.10 # the cluster DNS\nsearch svc.cluster.local\n");
    const r = bench(["resolve", "web", "--resolv-conf", join(dir, "resolv.conf")]);
    expect(r.status).toBe(0);
    expect(r.stderr).toContain('line 1: "#": resolv.conf has no inline comments');
  });

  it("names bad input and exits 2 from the command line", () => {
    expect(() => resolve("bad name", {})).toThrow(InputError);
    expect(() => answersFrom({ x: ["MX"] }, "a.json")).toThrow(/must be a list of "A" and "AAAA"/);
    const dir = tempDir();
    writeFileSync(join(dir, "resolv.conf"), "nameserver not-an-ip\n");
    const r = bench(["resolve", "api.example.com", "--resolv-conf", join(dir, "resolv.conf")]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("line 1");
    const ok = bench(["resolve", "api.example.com"]);
    expect(ok.status).toBe(0);
    expect(JSON.parse(ok.stdout).count).toBe(8);
    expect(bench(["resolve", "x", "--resolver", "bsd"]).status).toBe(2);
  });
});
