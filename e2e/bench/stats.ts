// Pure arithmetic of the benchmark: latency percentiles, per-phase summaries and the ratio table that compares
// the product with the baselines measured in the same run.

/** The p-th percentile (0–100) of latencies sorted ascending, by the nearest-rank method; NaN when empty. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  if (p <= 0) return sorted[0];
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, rank) - 1];
}

export type LatencySummary = { count: number; p50: number; p95: number; p99: number; max: number; mean: number };

/** Percentiles of a set of latencies in ms (the input is not modified). */
export function summarize(latenciesMs: readonly number[]): LatencySummary {
  const sorted = [...latenciesMs].sort((a, b) => a - b);
  const count = sorted.length;
  const mean = count ? sorted.reduce((sum, v) => sum + v, 0) / count : Number.NaN;
  return {
    count,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    max: count ? sorted[count - 1] : Number.NaN,
    mean,
  };
}

/** What one target (the product or a baseline) did in one phase. */
export type PhaseResult = {
  phase: string;
  requests: number;
  seconds: number;
  /** Requests answered with a status or body other than the IdP expects, by operation. */
  failures: number;
  latency: LatencySummary;
  /** Latency per operation kind (e.g. `user.post`, `group.patch.add`), to see whether writes queue alike. */
  byOperation: Record<string, LatencySummary>;
  /** CPU time of the server's process tree per request, in ms; null when it could not be read. */
  serverCpuMsPerRequest: number | null;
  /** CPU time of the PostgreSQL backends serving the target's database, per request, in ms. */
  dbCpuMsPerRequest: number | null;
  /** Highest resident set size of the server's process tree seen during the phase, in MiB. */
  peakRssMiB: number | null;
  /** True when the phase hit its time bound before every planned request was sent. */
  truncated: boolean;
};

export const requestsPerSecond = (r: Pick<PhaseResult, "requests" | "seconds">) => (r.seconds > 0 ? r.requests / r.seconds : 0);

/** product ÷ baseline, or null when either side is missing or the baseline is zero. */
export function ratio(product: number | null | undefined, baseline: number | null | undefined): number | null {
  if (product == null || baseline == null || !Number.isFinite(product) || !Number.isFinite(baseline) || baseline === 0) return null;
  return product / baseline;
}

export type RatioRow = {
  phase: string;
  metric: "req/s" | "p50 ms" | "p99 ms" | "cpu ms/req";
  product: number | null;
  /** One value per baseline, in the order of `baselines`. */
  baselines: (number | null)[];
  /** product ÷ each baseline. */
  ratios: (number | null)[];
};

/**
 * One row per phase and metric: the product's figure, each baseline's and the product ÷ baseline ratios.
 * Phases are taken in the product's order; a baseline that lacks a phase gets nulls.
 */
export function ratioRows(product: readonly PhaseResult[], baselines: readonly (readonly PhaseResult[])[]): RatioRow[] {
  const metrics: { metric: RatioRow["metric"]; of: (r: PhaseResult) => number | null }[] = [
    { metric: "req/s", of: requestsPerSecond },
    { metric: "p50 ms", of: (r) => r.latency.p50 },
    { metric: "p99 ms", of: (r) => r.latency.p99 },
    { metric: "cpu ms/req", of: (r) => r.serverCpuMsPerRequest },
  ];
  const rows: RatioRow[] = [];
  for (const p of product) {
    for (const { metric, of } of metrics) {
      const value = of(p);
      const others = baselines.map((b) => {
        const match = b.find((r) => r.phase === p.phase);
        return match ? of(match) : null;
      });
      rows.push({ phase: p.phase, metric, product: value, baselines: others, ratios: others.map((o) => ratio(value, o)) });
    }
  }
  return rows;
}

/** A number for a table cell: 3 significant digits below 100, integers above; "–" for nothing. */
export function formatNumber(value: number | null | undefined): string {
  if (value == null || !Number.isFinite(value)) return "–";
  if (Math.abs(value) >= 100) return Math.round(value).toLocaleString("en-US");
  return Number(value.toPrecision(3)).toString();
}

export const formatRatio = (value: number | null) => (value == null ? "–" : `${value.toFixed(2)}×`);

/** A plain-text table with columns padded to their widest cell; numbers right-aligned. */
export function textTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: readonly string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ").trimEnd();
  return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)].join("\n");
}

/** The ratio rows as a text table: product, each baseline, and product ÷ each baseline. */
export function formatRatioTable(rows: readonly RatioRow[], baselineNames: readonly string[]): string {
  const header = ["phase", "metric", "product", ...baselineNames, ...baselineNames.map((n) => `÷ ${n}`)];
  return textTable(
    header,
    rows.map((r) => [r.phase, r.metric, formatNumber(r.product), ...r.baselines.map(formatNumber), ...r.ratios.map(formatRatio)]),
  );
}

/** A round's row for the phase and metric of `row`, if it has one. */
const sameRow = (round: readonly RatioRow[], row: Pick<RatioRow, "phase" | "metric">) =>
  round.find((r) => r.phase === row.phase && r.metric === row.metric);

/** The median of the known values (the mean of the middle two for an even count); null when none is known. */
export function median(values: readonly (number | null)[]): number | null {
  const known = values.filter((v): v is number => v != null && Number.isFinite(v)).sort((a, b) => a - b);
  if (known.length === 0) return null;
  const middle = known.length >> 1;
  return known.length % 2 ? known[middle] : (known[middle - 1] + known[middle]) / 2;
}

/**
 * The ratio rows of rounds run in alternation (`--rounds`), as one: per phase and metric, the median of each
 * figure and of each ratio over the rounds. The median of the ratios, not the ratio of the medians: each ratio
 * compares two targets measured minutes apart, and on a shared machine one of them may have run in a slow spell.
 * Rows are those of the first round; a round that lacks one counts as unknown there.
 */
export function medianRatioRows(rounds: readonly (readonly RatioRow[])[]): RatioRow[] {
  const [first = []] = rounds;
  return first.map((row) => {
    const { phase, metric, baselines, ratios } = row;
    const same = rounds.map((round) => sameRow(round, row));
    return {
      phase,
      metric,
      product: median(same.map((r) => r?.product ?? null)),
      baselines: baselines.map((_, i) => median(same.map((r) => r?.baselines[i] ?? null))),
      ratios: ratios.map((_, i) => median(same.map((r) => r?.ratios[i] ?? null))),
    };
  });
}

/** One baseline's ratio per phase and metric, round by round and their median: how far the rounds spread. */
export function formatRoundsTable(rounds: readonly (readonly RatioRow[])[], baselineIndex: number): string {
  const medians = medianRatioRows(rounds);
  return textTable(
    ["phase", "metric", ...rounds.map((_, n) => `round ${n + 1}`), "median"],
    medians.map((row) => [
      row.phase,
      row.metric,
      ...rounds.map((round) => formatRatio(sameRow(round, row)?.ratios[baselineIndex] ?? null)),
      formatRatio(row.ratios[baselineIndex] ?? null),
    ]),
  );
}
