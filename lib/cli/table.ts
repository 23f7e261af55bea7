/** Renders rows as an aligned plain-text table (what the CLI prints without --json). */
export function formatTable(rows: Record<string, unknown>[], columns?: string[]): string {
  if (rows.length === 0) return "(none)";
  const keys = columns ?? Object.keys(rows[0]);
  const cell = (v: unknown) => (v === null || v === undefined ? "" : Array.isArray(v) ? v.join(" ") : v instanceof Date ? v.toISOString() : String(v));
  const widths = keys.map((k) => Math.max(k.length, ...rows.map((r) => cell(r[k]).length)));
  const line = (values: string[]) => values.map((v, i) => v.padEnd(widths[i])).join("  ").trimEnd();
  return [line(keys), line(widths.map((w) => "-".repeat(w))), ...rows.map((r) => line(keys.map((k) => cell(r[k]))))].join("\n");
}
