import { parseArgs } from "node:util";
import { ValidationError } from "@/lib/errors";

export type OptionSpec = Record<string, { type: "string" | "boolean"; multiple?: boolean; short?: string }>;

/** Parses `--name value` options strictly: an unknown option or a missing value is a ValidationError. */
export function parseOptions(argv: string[], spec: OptionSpec) {
  try {
    const { values, positionals } = parseArgs({ args: argv, options: { ...spec, json: { type: "boolean" } }, strict: true, allowPositionals: true });
    if (positionals.length) throw new ValidationError(`unexpected argument "${positionals[0]}"`);
    return values as Record<string, string | boolean | string[] | undefined>;
  } catch (error) {
    if (error instanceof ValidationError) throw error;
    throw new ValidationError((error as Error).message.replace(/\. To specify.*$/, ""));
  }
}

/** `starter=5,team=3` → { starter: "5", team: "3" }. */
export function parsePairs(value: string, what: string): Record<string, string> {
  const pairs: Record<string, string> = {};
  for (const part of value.split(",").map((p) => p.trim()).filter(Boolean)) {
    const eq = part.indexOf("=");
    if (eq <= 0) throw new ValidationError(`${what}: expected NAME=VALUE, got "${part}"`);
    pairs[part.slice(0, eq).trim().toLowerCase()] = part.slice(eq + 1).trim();
  }
  return pairs;
}

export function required(values: Record<string, unknown>, name: string): string {
  const value = values[name];
  if (typeof value !== "string" || value.trim() === "") throw new ValidationError(`--${name} is required`);
  return value.trim();
}
