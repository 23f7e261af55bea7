import { doublePrecision, integer, pgTable, timestamp, uuid } from "drizzle-orm/pg-core";
import { tenants } from "./tenants";

/**
 * One token bucket per tenant for the SCIM rate limit, shared by every instance of the app (a limit kept in
 * process memory would allow N times the rate on N instances). lib/scim/rate-limit.ts updates a row with one
 * upsert per ask (a request, or an instance's lease of several); `granted` records how many tokens the last ask
 * was given (0: refused), so the upsert can say so.
 * `rejectionLoggedAt` limits the log of refused tokens attributed to the tenant to one entry a minute
 * (lib/scim/rejected-token.ts), so a flood of wrong tokens cannot flood the tenant's activity log.
 */
export const scimRateLimits = pgTable("scim_rate_limits", {
  tenantId: uuid("tenant_id")
    .primaryKey()
    .references(() => tenants.id, { onDelete: "cascade" }),
  tokens: doublePrecision("tokens").notNull(),
  at: timestamp("at", { withTimezone: true, precision: 3 }).notNull(),
  granted: integer("granted").notNull(),
  rejectionLoggedAt: timestamp("rejection_logged_at", { withTimezone: true, precision: 3 }),
});
