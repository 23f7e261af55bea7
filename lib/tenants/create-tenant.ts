import { z } from "zod";
import type { DbOrTx } from "@/db";
import { licenseTiers, locales, seats, tenants, users } from "@/db/schema";
import { getTenantBySlug } from "@/db/queries/tenants";
import { ConflictError, ValidationError } from "@/lib/errors";
import { recordActivity } from "@/lib/activity";
import { summarize } from "@/lib/activity-summary";

/** Price of one seat per month in cents, per tier, when `tenant create` names none. */
export const DEFAULT_SEAT_PRICE_CENTS = { starter: 800, team: 1500, enterprise: 3000 } as const;

const tierSeatsSchema = z.object({
  quantity: z.number().int().min(0),
  unitPriceCents: z.number().int().min(0).optional(),
});

export const createTenantSchema = z.object({
  name: z.string().trim().min(1, "name is required").max(200),
  slug: z
    .string()
    .trim()
    .regex(/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/, "slug must be lowercase letters, digits and dashes"),
  adminEmail: z.email("admin must be an email address").transform((e) => e.toLowerCase()),
  locale: z.enum(locales).default("en"),
  seats: z
    .partialRecord(z.enum(licenseTiers), z.union([z.number().int().min(0), tierSeatsSchema]))
    .default({}),
});

export type CreateTenantInput = z.input<typeof createTenantSchema>;

/** Creates a tenant with its first admin (a manual user) and its seats per tier, in one transaction. */
export async function createTenant(db: DbOrTx, input: CreateTenantInput, actor = "cli") {
  const parsed = createTenantSchema.safeParse(input);
  if (!parsed.success) throw new ValidationError(parsed.error.issues.map((i) => i.message).join("; "));
  const { name, slug, adminEmail, locale } = parsed.data;
  return db.transaction(async (tx) => {
    if (await getTenantBySlug(tx, slug)) throw new ConflictError(`A tenant with slug "${slug}" already exists`);
    const [tenant] = await tx.insert(tenants).values({ name, slug, locale }).returning();
    await tx.insert(seats).values(
      licenseTiers.map((tier) => {
        const given = parsed.data.seats[tier] ?? 0;
        const spec = typeof given === "number" ? { quantity: given } : given;
        return {
          tenantId: tenant.id,
          tier,
          quantity: spec.quantity,
          unitPriceCents: spec.unitPriceCents ?? DEFAULT_SEAT_PRICE_CENTS[tier],
        };
      }),
    );
    await tx.insert(users).values({
      tenantId: tenant.id,
      email: adminEmail,
      role: "admin",
      status: "invited",
      source: "manual",
      license: "none",
    });
    await recordActivity(tx, { tenantId: tenant.id, actor, ...summarize("tenantCreated", { email: adminEmail }) });
    return tenant;
  });
}
