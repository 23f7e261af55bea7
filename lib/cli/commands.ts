import type { Db } from "@/db";
import { licenseTiers } from "@/db/schema";
import { listActivity } from "@/db/queries/activity";
import { flushActivity } from "@/lib/activity";
import { listGroupsWithMemberCounts } from "@/db/queries/scim-groups";
import { getTenantBySlug, listTenants } from "@/db/queries/tenants";
import { listUsersWithUserName } from "@/db/queries/users";
import { drainOutbox } from "@/lib/email/outbox";
import { NotFoundError, ValidationError } from "@/lib/errors";
import { listMailbox } from "@/db/queries/mailbox";
import { listPurchases } from "@/db/queries/purchases";
import { disconnectScim } from "@/lib/provisioning/disconnect-scim";
import { describeGroupMapping, previewGroupMapping, resolveGroupMappingByName, saveGroupMapping } from "@/lib/provisioning/group-mapping";
import { getScimConnectionFacts } from "@/lib/provisioning/connection-facts";
import type { MappingPreview } from "@/lib/provisioning/preview";
import { removeUser } from "@/lib/provisioning/remove-user";
import { connectScim, rotateScimToken } from "@/lib/provisioning/scim-connection";
import { createTenant } from "@/lib/tenants/create-tenant";
import { parseOptions, parsePairs, required, type OptionSpec } from "./args";

/** What a command returns: `data` is printed as JSON with --json; `rows` (or `message`) otherwise. */
export type CommandResult = { data: unknown; rows?: Record<string, unknown>[]; columns?: string[]; message?: string };

export type Command = {
  name: string;
  usage: string;
  options: OptionSpec;
  run: (db: Db, values: Record<string, string | boolean | string[] | undefined>) => Promise<CommandResult>;
};

/** Who the activity log names for CLI changes. */
const ACTOR = "cli";

async function tenantOf(db: Db, values: Record<string, unknown>) {
  const slug = required(values, "tenant");
  const tenant = await getTenantBySlug(db, slug);
  if (!tenant) throw new NotFoundError(`no tenant with slug "${slug}"`);
  return tenant;
}

function integerOption(value: unknown, name: string, min = 0): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new ValidationError(`${name} must be an integer ≥ ${min}`);
  return n;
}

/** `--seats starter=5,team=3` and `--prices starter=8,team=15.5` (euros per seat) → per-tier seat specs. */
function seatSpecs(seats: string | undefined, prices: string | undefined) {
  const counts = seats ? parsePairs(seats, "--seats") : {};
  const euros = prices ? parsePairs(prices, "--prices") : {};
  for (const tier of [...Object.keys(counts), ...Object.keys(euros)]) {
    if (!(licenseTiers as readonly string[]).includes(tier)) {
      throw new ValidationError(`unknown tier "${tier}"; tiers are ${licenseTiers.join(", ")}`);
    }
  }
  return Object.fromEntries(
    licenseTiers.map((tier) => {
      const price = euros[tier] === undefined ? undefined : Number(euros[tier]);
      if (price !== undefined && !(Number.isFinite(price) && price >= 0)) {
        throw new ValidationError(`--prices ${tier} must be a non-negative amount in euros`);
      }
      return [
        tier,
        {
          quantity: integerOption(counts[tier] ?? 0, `--seats ${tier}`) ?? 0,
          unitPriceCents: price === undefined ? undefined : Math.round(price * 100),
        },
      ];
    }),
  );
}

export const commands: Command[] = [
  {
    name: "tenant create",
    usage: "tenant create --name NAME --slug SLUG --admin EMAIL [--locale de|en] [--seats starter=N,team=N,enterprise=N] [--prices starter=EUR,team=EUR,enterprise=EUR]",
    options: { name: { type: "string" }, slug: { type: "string" }, admin: { type: "string" }, locale: { type: "string" }, seats: { type: "string" }, prices: { type: "string" } },
    async run(db, v) {
      const tenant = await createTenant(db, {
        name: required(v, "name"),
        slug: required(v, "slug"),
        adminEmail: required(v, "admin"),
        locale: (v.locale as "de" | "en" | undefined) ?? "en",
        seats: seatSpecs(v.seats as string | undefined, v.prices as string | undefined),
      });
      const data = { id: tenant.id, slug: tenant.slug, name: tenant.name, locale: tenant.locale };
      return { data, message: `Created tenant ${tenant.name} (${tenant.slug}).` };
    },
  },
  {
    name: "tenant list",
    usage: "tenant list",
    options: {},
    async run(db) {
      const rows = (await listTenants(db)).map((t) => ({ slug: t.slug, name: t.name, locale: t.locale, createdAt: t.createdAt }));
      return { data: rows, rows };
    },
  },
  {
    name: "scim connect",
    usage: "scim connect --tenant SLUG --provider entra|google|okta|onelogin|pingone",
    options: { tenant: { type: "string" }, provider: { type: "string" } },
    async run(db, v) {
      const tenant = await tenantOf(db, v);
      const { tenantUrl, token } = await connectScim(db, { tenantId: tenant.id, provider: required(v, "provider"), actor: ACTOR });
      return {
        data: { tenantUrl, token },
        message: `Tenant URL: ${tenantUrl}\nToken:      ${token}\nThe token is shown only now; store it in your IdP.`,
      };
    },
  },
  {
    name: "scim rotate",
    usage: "scim rotate --tenant SLUG",
    options: { tenant: { type: "string" } },
    async run(db, v) {
      const tenant = await tenantOf(db, v);
      const { token } = await rotateScimToken(db, { tenantId: tenant.id, actor: ACTOR });
      return { data: { token }, message: `New token: ${token}\nThe old token no longer works.` };
    },
  },
  {
    name: "scim disconnect",
    usage: "scim disconnect --tenant SLUG",
    options: { tenant: { type: "string" } },
    async run(db, v) {
      const tenant = await tenantOf(db, v);
      const { usersKept } = await disconnectScim(db, { tenantId: tenant.id, actor: ACTOR });
      return { data: { disconnected: true, usersKept }, message: `Disconnected; the token is revoked. ${usersKept} users kept as manual users.` };
    },
  },
  {
    name: "scim status",
    usage: "scim status --tenant SLUG",
    options: { tenant: { type: "string" } },
    async run(db, v) {
      const tenant = await tenantOf(db, v);
      const facts = await getScimConnectionFacts(db, tenant.id);
      const data = facts ? { connected: true, ...facts } : { connected: false };
      const row = facts ? { connected: true, ...facts, lastCall: facts.lastCall ? `${facts.lastCall.method} ${facts.lastCall.path} → ${facts.lastCall.status}` : null } : data;
      return { data, rows: [row] };
    },
  },
  {
    name: "users list",
    usage: "users list --tenant SLUG",
    options: { tenant: { type: "string" } },
    async run(db, v) {
      const tenant = await tenantOf(db, v);
      const rows = (await listUsersWithUserName(db, tenant.id)).map((u) => ({
        id: u.id,
        email: u.email,
        userName: u.userName ?? u.email,
        role: u.role,
        license: u.license,
        status: u.status,
        source: u.source,
        emailConflictWith: u.emailConflictWith,
      }));
      return { data: rows, rows };
    },
  },
  {
    name: "groups list",
    usage: "groups list --tenant SLUG",
    options: { tenant: { type: "string" } },
    async run(db, v) {
      const tenant = await tenantOf(db, v);
      const rows = await listGroupsWithMemberCounts(db, tenant.id);
      return { data: rows, rows };
    },
  },
  {
    name: "activity list",
    usage: "activity list --tenant SLUG [--limit N]",
    options: { tenant: { type: "string" }, limit: { type: "string" } },
    async run(db, v) {
      const tenant = await tenantOf(db, v);
      // Reads this process logged may still wait in its buffer (with PGlite the CLI runs inside the server).
      await flushActivity();
      const rows = await listActivity(db, tenant.id, integerOption(v.limit, "--limit", 1) ?? 50);
      return { data: rows, rows, columns: ["at", "actor", "method", "path", "status", "durationMs", "summary"] };
    },
  },
  {
    name: "scim mapping set",
    usage: "scim mapping set --tenant SLUG [--user-group NAME] [--admin-group NAME] [--license TIER=GROUP ...] [--invite on|off] [--apply]",
    options: {
      tenant: { type: "string" },
      "user-group": { type: "string" },
      "admin-group": { type: "string" },
      license: { type: "string", multiple: true },
      invite: { type: "string" },
      apply: { type: "boolean" },
    },
    run: (db, v) => mappingSet(db, v),
  },
  {
    name: "scim mapping show",
    usage: "scim mapping show --tenant SLUG",
    options: { tenant: { type: "string" } },
    async run(db, v) {
      const tenant = await tenantOf(db, v);
      const { mapping: _ids, ...shown } = await describeGroupMapping(db, tenant.id);
      return { data: shown, rows: [{ ...shown, licenses: licenseTiers.map((t) => `${t}=${shown.licenses[t].join("|") || "-"}`).join(" ") }] };
    },
  },
  {
    name: "purchases list",
    usage: "purchases list --tenant SLUG",
    options: { tenant: { type: "string" } },
    async run(db, v) {
      const tenant = await tenantOf(db, v);
      const rows = (await listPurchases(db, tenant.id)).map((p) => ({
        tier: p.tier,
        quantity: p.quantity,
        unitPrice: euros(p.unitPriceCents),
        total: euros(p.totalCents),
        createdAt: p.createdAt,
        reason: p.reason,
      }));
      return { data: rows, rows };
    },
  },
  {
    name: "mail list",
    usage: "mail list --tenant SLUG",
    options: { tenant: { type: "string" } },
    async run(db, v) {
      const tenant = await tenantOf(db, v);
      const rows = (await listMailbox(db, { tenantId: tenant.id, limit: 1000 })).map((m) => ({
        to: m.to,
        subject: m.subject,
        kind: m.kind,
        createdAt: m.createdAt,
        links: m.links,
      }));
      return { data: rows, rows, columns: ["createdAt", "kind", "to", "subject"] };
    },
  },
  {
    name: "users remove",
    usage: "users remove --tenant SLUG (--email EMAIL | --id USER_ID)",
    options: { tenant: { type: "string" }, email: { type: "string" }, id: { type: "string" } },
    async run(db, v) {
      const tenant = await tenantOf(db, v);
      const ref = v.id ? { userId: String(v.id) } : { email: required(v, "email") };
      const { email } = await removeUser(db, { tenantId: tenant.id, ...ref, actor: ACTOR });
      return { data: { removed: email }, message: `Removed ${email}.` };
    },
  },
];

const euros = (cents: number) => Math.round(cents) / 100;

/** `on|off` (and friends) → boolean. */
function onOff(value: unknown, name: string): boolean | undefined {
  if (value === undefined) return undefined;
  const v = String(value).toLowerCase();
  if (["on", "true", "yes", "1"].includes(v)) return true;
  if (["off", "false", "no", "0"].includes(v)) return false;
  throw new ValidationError(`${name} must be on or off`);
}

function previewRows(preview: MappingPreview) {
  return [
    ...preview.gainAccess.map((c) => ({ change: "gains access", ...flat(c) })),
    ...preview.loseAccess.map((c) => ({ change: "loses access", ...flat(c) })),
    ...preview.change.map((c) => ({ change: "changes", ...flat(c) })),
  ];
}

const flat = (c: MappingPreview["change"][number]) => ({
  email: c.email,
  from: `${c.from.role}/${c.from.license}`,
  to: `${c.to.role}/${c.to.license}`,
});

async function mappingSet(db: Db, v: Record<string, string | boolean | string[] | undefined>): Promise<CommandResult> {
  const tenant = await tenantOf(db, v);
  const licenses = ((v.license as string[] | undefined) ?? []).map((pair) => {
    const [tier, group] = [pair.slice(0, pair.indexOf("=")).trim().toLowerCase(), pair.slice(pair.indexOf("=") + 1).trim()];
    if (!pair.includes("=") || !group) throw new ValidationError(`--license expects TIER=GROUP, got "${pair}"`);
    if (!(licenseTiers as readonly string[]).includes(tier)) throw new ValidationError(`unknown tier "${tier}"; tiers are ${licenseTiers.join(", ")}`);
    return { tier: tier as (typeof licenseTiers)[number], group };
  });
  const mapping = await resolveGroupMappingByName(db, tenant.id, {
    userGroup: v["user-group"] as string | undefined,
    adminGroup: v["admin-group"] as string | undefined,
    licenses: v.license ? licenses : undefined,
    invite: onOff(v.invite, "--invite"),
  });
  const apply = v.apply === true;
  const preview = apply
    ? (await saveGroupMapping(db, { tenantId: tenant.id, mapping, actor: ACTOR })).preview
    : await previewGroupMapping(db, tenant.id, mapping);
  const cost = `seats to buy: ${licenseTiers.map((t) => `${t} ${preview.seatsToBuy[t]}`).join(", ")} (total ${euros(preview.costCents.total).toFixed(2)} EUR)`;
  return {
    data: { applied: apply, preview },
    rows: previewRows(preview),
    message: `${apply ? "Applied" : "Preview (nothing saved; add --apply)"}: ${cost}`,
  };
}

/** Finds the command named by the first words of argv; returns it with the remaining arguments. */
export function findCommand(argv: string[]): { command: Command; rest: string[] } | null {
  for (const command of commands) {
    const words = command.name.split(" ");
    if (words.every((w, i) => argv[i] === w)) return { command, rest: argv.slice(words.length) };
  }
  return null;
}

/** Runs a command on an open database (in this process, or in the server via the bridge). */
export async function executeCommand(db: Db, argv: string[]): Promise<CommandResult & { json: boolean }> {
  const found = findCommand(argv);
  if (!found) throw new ValidationError(`unknown command "${argv.join(" ")}" (see: npm run -s sally -- help)`);
  const values = parseOptions(found.rest, found.command.options);
  const result = await found.command.run(db, values);
  // The command's transaction has committed: deliver what it queued (invitations, receipts) right away.
  await drainOutbox(db);
  return { ...result, json: values.json === true };
}

export function usage(): string {
  return ["Usage: npm run -s sally -- <command> [--json]", "", ...commands.map((c) => `  ${c.usage}`)].join("\n");
}
