import { describe, expect, it } from "vitest";
import { formatNumber, formatRatioTable, percentile, ratio, ratioRows, summarize, type PhaseResult } from "./stats";

describe("percentile (nearest rank)", () => {
  const hundred = Array.from({ length: 100 }, (_, i) => i + 1);
  it.each([
    [50, 50],
    [95, 95],
    [99, 99],
    [100, 100],
    [0, 1],
    [0.5, 1],
    [99.5, 100],
  ])("p%s of 1..100 is %s", (p, expected) => {
    expect(percentile(hundred, p)).toBe(expected);
  });

  it("takes the next rank up between samples", () => {
    expect(percentile([10, 20, 30, 40], 50)).toBe(20);
    expect(percentile([10, 20, 30, 40], 51)).toBe(30);
    expect(percentile([10, 20, 30, 40], 99)).toBe(40);
  });

  it("is NaN for no samples and the sample itself for one", () => {
    expect(percentile([], 50)).toBeNaN();
    expect(percentile([7], 99)).toBe(7);
  });
});

describe("summarize", () => {
  it("sorts a copy and reports count, percentiles, max and mean", () => {
    const input = [5, 1, 4, 2, 3];
    expect(summarize(input)).toEqual({ count: 5, p50: 3, p95: 5, p99: 5, max: 5, mean: 3 });
    expect(input).toEqual([5, 1, 4, 2, 3]);
  });

  it("a slow tail shows in p99 but not p50", () => {
    const latencies = [...Array.from({ length: 98 }, () => 10), 500, 900];
    const s = summarize(latencies);
    expect(s.p50).toBe(10);
    expect(s.p95).toBe(10);
    expect(s.p99).toBe(500);
    expect(s.max).toBe(900);
  });
});

const phase = (name: string, requests: number, seconds: number, p50: number, cpu: number | null): PhaseResult => ({
  phase: name,
  requests,
  seconds,
  failures: 0,
  latency: { count: requests, p50, p95: p50 * 2, p99: p50 * 3, max: p50 * 4, mean: p50 },
  byOperation: {},
  serverCpuMsPerRequest: cpu,
  dbCpuMsPerRequest: null,
  peakRssMiB: 100,
  truncated: false,
});

describe("ratio", () => {
  it("divides product by baseline", () => {
    expect(ratio(150, 600)).toBe(0.25);
  });
  it.each([
    [null, 1],
    [1, null],
    [1, 0],
    [Number.NaN, 1],
  ])("is null for %s ÷ %s", (a, b) => {
    expect(ratio(a, b)).toBeNull();
  });
});

describe("ratioRows", () => {
  const product = [phase("provision", 300, 2, 40, 8), phase("lookup", 1000, 2, 10, 2)];
  const node = [phase("provision", 2000, 1, 4, 1), phase("lookup", 5000, 1, 1, 0.5)];
  const next = [phase("provision", 1200, 2, 12, null)];

  it("gives, per phase and metric, each baseline's figure and product ÷ baseline", () => {
    const rows = ratioRows(product, [node, next]);
    expect(rows.map((r) => `${r.phase} ${r.metric}`)).toEqual([
      "provision req/s",
      "provision p50 ms",
      "provision p99 ms",
      "provision cpu ms/req",
      "lookup req/s",
      "lookup p50 ms",
      "lookup p99 ms",
      "lookup cpu ms/req",
    ]);
    const rps = rows[0];
    expect(rps.product).toBe(150);
    expect(rps.baselines).toEqual([2000, 600]);
    expect(rps.ratios).toEqual([0.075, 0.25]);
    const p50 = rows[1];
    expect(p50.ratios).toEqual([10, 40 / 12]);
  });

  it("leaves nulls where a baseline lacks the phase or the figure", () => {
    const rows = ratioRows(product, [node, next]);
    const cpu = rows.find((r) => r.phase === "provision" && r.metric === "cpu ms/req")!;
    expect(cpu.baselines).toEqual([1, null]);
    expect(cpu.ratios).toEqual([8, null]);
    const lookup = rows.find((r) => r.phase === "lookup" && r.metric === "req/s")!;
    expect(lookup.baselines).toEqual([5000, null]);
    expect(lookup.ratios).toEqual([0.1, null]);
  });

  it("formats as a table with one ratio column per baseline", () => {
    const table = formatRatioTable(ratioRows(product, [node, next]), ["node", "next"]);
    const lines = table.split("\n");
    expect(lines[0].split(/\s{2,}/)).toEqual(["phase", "metric", "product", "node", "next", "÷ node", "÷ next"]);
    expect(lines[2].split(/\s{2,}/)).toEqual(["provision", "req/s", "150", "2,000", "600", "0.07×", "0.25×"]);
    expect(table).toContain("–");
  });
});

describe("formatNumber", () => {
  it.each([
    [1234.5, "1,235"],
    [99.95, "100"],
    [12.345, "12.3"],
    [0.01234, "0.0123"],
    [null, "–"],
    [Number.NaN, "–"],
  ])("%s → %s", (value, text) => {
    expect(formatNumber(value)).toBe(text);
  });
});
