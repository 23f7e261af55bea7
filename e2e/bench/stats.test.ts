import { describe, expect, it } from "vitest";
import { formatNumber, formatRatioTable, formatRoundsTable, median, medianRatioRows, percentile, ratio, ratioRows, summarize, type PhaseResult } from "./stats";

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

describe("median", () => {
  it.each([
    [[3, 1, 2], 2],
    [[4, 1, 3, 2], 2.5],
    [[7], 7],
    [[null, 5, Number.NaN, 1], 3],
    [[], null],
    [[null, null], null],
  ])("of %j is %s", (values, expected) => {
    expect(median(values)).toBe(expected);
  });
});

describe("medianRatioRows", () => {
  // Three rounds of one product against one baseline (req/s ratio 0.5, 0.75, 0.6; cpu 2, 1.5, null).
  const rounds = [
    ratioRows([phase("provision", 300, 1, 40, 4)], [[phase("provision", 600, 1, 20, 2)]]),
    ratioRows([phase("provision", 450, 1, 30, 3)], [[phase("provision", 600, 1, 20, 2)]]),
    ratioRows([phase("provision", 360, 1, 30, null)], [[phase("provision", 600, 1, 15, 2)]]),
  ];

  it("takes, per phase and metric, the median of each figure and of each ratio over the rounds", () => {
    const rows = medianRatioRows(rounds);
    const rps = rows.find((r) => r.metric === "req/s")!;
    expect(rps.product).toBe(360);
    expect(rps.baselines).toEqual([600]);
    expect(rps.ratios).toEqual([0.6]);
    // The median of the ratios (2, 1.5, 2), not the ratio of the medians (30 ÷ 20 = 1.5).
    const p50 = rows.find((r) => r.metric === "p50 ms")!;
    expect([p50.product, p50.baselines[0]]).toEqual([30, 20]);
    expect(p50.ratios).toEqual([2]);
    // A round without the figure does not count: the median of 2 and 1.5.
    expect(rows.find((r) => r.metric === "cpu ms/req")!.ratios).toEqual([1.75]);
  });

  it("is the round itself for one round, and nothing for none", () => {
    expect(medianRatioRows(rounds.slice(0, 1))).toEqual(rounds[0]);
    expect(medianRatioRows([])).toEqual([]);
  });

  it("formats one baseline's ratios round by round with their median", () => {
    const lines = formatRoundsTable(rounds, 0).split("\n");
    expect(lines[0].split(/\s{2,}/)).toEqual(["phase", "metric", "round 1", "round 2", "round 3", "median"]);
    expect(lines[2].split(/\s{2,}/)).toEqual(["provision", "req/s", "0.50×", "0.75×", "0.60×", "0.60×"]);
    expect(lines[5].split(/\s{2,}/)).toEqual(["provision", "cpu ms/req", "2.00×", "1.50×", "–", "1.75×"]);
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
