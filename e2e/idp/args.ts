// The simulator's command line, parsed with node:util and checked with zod.
import { parseArgs } from "node:util";
import { z } from "zod";
import { providers } from "./providers/types";

export const scenarios = ["initial", "incremental", "deprovision", "groups-only"] as const;
export type Scenario = (typeof scenarios)[number];

export const USAGE = `Usage: npm run -s idp -- --provider entra|okta|onelogin|pingone|google --url TENANT_URL --token TOKEN
         [--users N] [--groups M] [--scenario initial|incremental|deprovision|groups-only] [--concurrency C]
         [--seed S] [--domain DOMAIN] [--state FILE] [--json]
       npm run -s idp -- --demo [--provider P]    fills the local demo tenant "acme" (npm run dev) with a small company`;

const count = (name: string, min: number, max: number) =>
  z.coerce.number({ error: `--${name} must be a number` }).int(`--${name} must be an integer`).min(min, `--${name} must be at least ${min}`).max(max, `--${name} must be at most ${max}`);

const optionsSchema = z.object({
  provider: z.enum(providers, { error: `--provider must be one of ${providers.join(", ")}` }),
  url: z.url({ protocol: /^https?$/, error: "--url must be the http(s) Tenant URL" }),
  token: z.string({ error: "--token is required" }).min(1, "--token is required"),
  users: count("users", 1, 200_000).default(50),
  groups: count("groups", 0, 5_000).default(12),
  scenario: z.enum(scenarios, { error: `--scenario must be one of ${scenarios.join(", ")}` }).default("initial"),
  concurrency: count("concurrency", 1, 64).default(4),
  seed: count("seed", 0, 2 ** 32 - 1).default(1),
  domain: z.string().regex(/^[a-z0-9.-]+\.[a-z]{2,}$/i, "--domain must be a domain name").default("example.com"),
  state: z.string().min(1).optional(),
  json: z.boolean().default(false),
});

export type Options = z.infer<typeof optionsSchema>;

export type Command = { kind: "help" } | { kind: "demo"; provider: Options["provider"]; json: boolean } | { kind: "run"; options: Options };

const STRING_OPTIONS = ["provider", "url", "token", "users", "groups", "scenario", "concurrency", "seed", "domain", "state"];

export class UsageError extends Error {}

export function parseCommand(argv: string[]): Command {
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({
      args: argv,
      strict: true,
      options: {
        ...Object.fromEntries(STRING_OPTIONS.map((name) => [name, { type: "string" as const }])),
        json: { type: "boolean" },
        demo: { type: "boolean" },
        help: { type: "boolean" },
      },
    }).values as Record<string, string | boolean | undefined>;
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values.help) return { kind: "help" };
  if (values.demo) {
    const provider = z.enum(providers, { error: `--provider must be one of ${providers.join(", ")}` }).default("entra").safeParse(values.provider);
    if (!provider.success) throw new UsageError(provider.error.issues[0].message);
    return { kind: "demo", provider: provider.data, json: values.json === true };
  }
  const parsed = optionsSchema.safeParse(values);
  if (!parsed.success) throw new UsageError(parsed.error.issues.map((i) => i.message).join("; "));
  return { kind: "run", options: parsed.data };
}
