// `--demo`: connects the local demo tenant "acme" (seeded by `npm run dev`) through the project's CLI, run as a
// separate process, and fills it with a small company and its groups.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import type { Options } from "./args";

const run = promisify(execFile);

export const DEMO = { tenant: "acme", users: 25, groups: 13, domain: "acme.example", seed: 7 } as const;

async function sally(args: string[]): Promise<Record<string, unknown>> {
  const { stdout } = await run("npm", ["run", "-s", "sally", "--", ...args, "--json"], { maxBuffer: 1 << 20 });
  return JSON.parse(stdout) as Record<string, unknown>;
}

/** A Tenant URL and a fresh token for the demo tenant: `scim connect`, or `scim rotate` when it is already connected. */
export async function demoCredentials(provider: Options["provider"]): Promise<{ url: string; token: string; rotated: boolean }> {
  try {
    const { tenantUrl, token } = await sally(["scim", "connect", "--tenant", DEMO.tenant, "--provider", provider]);
    return { url: String(tenantUrl), token: String(token), rotated: false };
  } catch (error) {
    const stderr = String((error as { stderr?: string }).stderr ?? (error as Error).message);
    if (!/already connected/i.test(stderr)) throw new Error(`npm run sally -- scim connect failed: ${stderr.trim()}`);
  }
  const { token } = await sally(["scim", "rotate", "--tenant", DEMO.tenant]);
  const { tenantUrl } = await sally(["scim", "status", "--tenant", DEMO.tenant]);
  return { url: String(tenantUrl), token: String(token), rotated: true };
}

export const demoNextSteps = (rotated: boolean) =>
  [
    rotated ? "The demo tenant was already connected: its token was rotated (the old one no longer works)." : "",
    "Next: sign in as admin@acme.example (README, \"Sign in as the demo admin\"), open Settings → Users → SCIM, and map",
    '"Sally Users", "Sally Admins", "Sally Starter", "Sally Team" and "Sally Enterprise"; or from the shell:',
    '  npm run -s sally -- scim mapping set --tenant acme --user-group "Sally Users" --admin-group "Sally Admins" \\',
    '    --license starter="Sally Starter" --license team="Sally Team" --license enterprise="Sally Enterprise" --invite on --apply',
  ].filter(Boolean).join("\n");
