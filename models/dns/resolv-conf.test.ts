import { describe, expect, it } from "vitest";
import {
  KUBELET_MAX_SEARCH_CHARS,
  KUBELET_MAX_SEARCH_PATHS,
  defaultResolvOptions,
  fitSearchToKubeletLimits,
  formatResolvConf,
  isIpv4,
  isIpv6,
  kubeletClusterFirst,
  parseResolvConf,
  parseResolvConfStrict,
} from "./resolv-conf.js";

describe("parseResolvConf", () => {
  it("parses nameservers, search and options", () => {
    const { conf, errors, warnings } = parseResolvConf(
      [
        "# generated",
        "search default.svc.cluster.local svc.cluster.local cluster.local",
        "nameserver 10.96.0.10",
        "options ndots:5 timeout:2 attempts:3 single-request-reopen use-vc",
        "",
      ].join("\n"),
    );
    expect(errors).toEqual([]);
    expect(warnings).toEqual([]);
    expect(conf.nameservers).toEqual(["10.96.0.10"]);
    expect(conf.search).toEqual(["default.svc.cluster.local", "svc.cluster.local", "cluster.local"]);
    expect(conf.options).toEqual({ ...defaultResolvOptions(), ndots: 5, timeout: 2, attempts: 3, singleRequestReopen: true, useVc: true });
  });

  it("defaults: ndots 1, timeout 5, attempts 2, and 127.0.0.1 without a nameserver", () => {
    const { conf, warnings } = parseResolvConf("");
    expect(conf.options).toMatchObject({ ndots: 1, timeout: 5, attempts: 2, singleRequest: false });
    expect(conf.nameservers).toEqual(["127.0.0.1"]);
    expect(warnings.map((w) => w.line)).toEqual([0]);
  });

  it("names the line of each error", () => {
    const text = [
      "nameserver 10.96.0.10",
      "search cluster.local",
      "nameserver 10.96.0.300",
      "options ndots:x attempts:0",
      "search bad..domain",
      "nameserver",
    ].join("\n");
    const { errors } = parseResolvConf(text);
    expect(errors.map((e) => e.line)).toEqual([3, 4, 4, 5, 6]);
    expect(errors[0].message).toMatch(/10\.96\.0\.300/);
    expect(errors[1].message).toMatch(/ndots/);
    expect(errors[2].message).toMatch(/attempts:0/);
    expect(errors[3].message).toMatch(/empty label/);
    expect(() => parseResolvConfStrict(text)).toThrow(/line 3: .*\n.*line 4/);
  });

  it("keeps glibc/musl semantics: last search/domain wins, options accumulate, at most 3 nameservers", () => {
    const text = [
      "search a.example b.example",
      "domain c.example",
      "nameserver 1.1.1.1",
      "nameserver 8.8.8.8",
      "nameserver 9.9.9.9",
      "nameserver 2001:db8::1",
      "options ndots:2",
      "options timeout:1",
      "options ndots:20 rotate weird",
    ].join("\n");
    const { conf, errors, warnings } = parseResolvConf(text);
    expect(errors).toEqual([]);
    expect(conf.search).toEqual(["c.example"]);
    expect(conf.nameservers).toEqual(["1.1.1.1", "8.8.8.8", "9.9.9.9"]);
    expect(conf.options).toMatchObject({ ndots: 15, timeout: 1, other: ["rotate"] });
    expect(warnings.map((w) => w.line)).toEqual([2, 6, 9, 9]);
  });

  it("warns about limits: KEP-2595 32 paths / 2048 chars, musl's 254-char lines, old glibc's 6 / 256", () => {
    const many = Array.from({ length: 40 }, (_, i) => `d${i}.example.com`);
    const { warnings } = parseResolvConf(`nameserver 10.0.0.1\nsearch ${many.join(" ")}\n`);
    const msgs = warnings.map((w) => `${w.line}: ${w.message}`).join("\n");
    expect(msgs).toMatch(/2: 40 search paths: kubelet keeps at most 32/);
    expect(msgs).toMatch(/musl skips lines/);
    expect(msgs).toMatch(/glibc ≤ 2.25/);
  });

  it("recognises addresses", () => {
    expect(["10.96.0.10", "169.254.20.10", "0.0.0.0"].every(isIpv4)).toBe(true);
    expect(["10.96.0", "256.1.1.1", "01.2.3.4", "a.b.c.d"].some(isIpv4)).toBe(false);
    expect(["::1", "fd00:10:96::a", "2001:db8::1%eth0", "::ffff:10.0.0.1", "1:2:3:4:5:6:7:8"].every(isIpv6)).toBe(true);
    expect([":::", "1:2:3:4:5:6:7:8:9", "g::1", "10.0.0.1"].some(isIpv6)).toBe(false);
  });

  it("formats what it parses", () => {
    const conf = kubeletClusterFirst("team-a", "cluster.local", ["c.p.internal"]);
    const text = formatResolvConf(conf);
    expect(text).toBe("search team-a.svc.cluster.local svc.cluster.local cluster.local c.p.internal\nnameserver 10.96.0.10\noptions ndots:5\n");
    expect(parseResolvConfStrict(text)).toEqual({ nameservers: conf.nameservers, search: conf.search, options: conf.options });
  });
});

describe("kubeletClusterFirst (docs/sources.md §3.1)", () => {
  it("writes <ns>.svc.<domain> svc.<domain> <domain>, then host domains, ndots:5", () => {
    const c = kubeletClusterFirst("default");
    expect(c.search).toEqual(["default.svc.cluster.local", "svc.cluster.local", "cluster.local"]);
    expect(c.nameservers).toEqual(["10.96.0.10"]);
    expect(c.options.ndots).toBe(5);
    expect(c.warnings).toEqual([]);
    const gke = kubeletClusterFirst("default", "cluster.local", ["c.my-project.internal", "google.internal"]);
    expect(gke.search).toHaveLength(5);
  });

  it("deduplicates keeping the first occurrence and trims trailing dots of host domains", () => {
    const c = kubeletClusterFirst("ns1", "cluster.local.", ["cluster.local.", "corp.example.", "corp.example"], ["10.0.0.10", "10.0.0.11"]);
    expect(c.search).toEqual(["ns1.svc.cluster.local", "svc.cluster.local", "cluster.local", "corp.example"]);
    expect(c.nameservers).toEqual(["10.0.0.10", "10.0.0.11"]);
  });

  it("fits KEP-2595 limits: 32 paths, 2048 chars, no path over 253 chars", () => {
    const host = Array.from({ length: 40 }, (_, i) => `h${i}.example.com`);
    const c = kubeletClusterFirst("default", "cluster.local", host);
    expect(c.search).toHaveLength(KUBELET_MAX_SEARCH_PATHS);
    expect(c.omittedSearch).toHaveLength(40 + 3 - 32);
    expect(c.warnings[0]).toMatch(/Search Line limits were exceeded/);

    const long = Array.from({ length: 20 }, (_, i) => `${"x".repeat(60)}.${"y".repeat(60)}.d${i}.example`);
    const fit = fitSearchToKubeletLimits(long);
    expect(fit.applied.join(" ").length).toBeLessThanOrEqual(KUBELET_MAX_SEARCH_CHARS);
    expect(fit.applied).toEqual(long.slice(0, fit.applied.length));
    expect(fit.applied.length).toBeGreaterThan(10);

    const huge = `${"a".repeat(63)}.${"b".repeat(63)}.${"c".repeat(63)}.${"d".repeat(63)}.example`;
    expect(fitSearchToKubeletLimits(["ok.example", huge]).applied).toEqual(["ok.example"]);
    expect(fitSearchToKubeletLimits(host, true).applied).toHaveLength(6);
  });

  it("rejects what kubelet could not write", () => {
    expect(() => kubeletClusterFirst("Default")).toThrow(/DNS-1123/);
    expect(() => kubeletClusterFirst("default", "bad..domain")).toThrow(/cluster domain/);
    expect(() => kubeletClusterFirst("default", "cluster.local", [], "kube-dns")).toThrow(/not an IP/);
  });

  it("an empty cluster domain uses the host search list alone", () => {
    expect(kubeletClusterFirst("default", "", ["corp.example"]).search).toEqual(["corp.example"]);
  });
});
