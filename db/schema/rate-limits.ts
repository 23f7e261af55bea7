import { boolean, doublePrecision, pgTable, timestamp, uuid } from "drizzle-orm/pg-core";
import { tenants } from "./tenants";

/**
 * One token bucket per tenant for the SCIM rate limit, shared by every instance of the app (a limit kept in
 * process memory would allow N times the rate on N instances). lib/scim/rate-limit.ts updates a row with one
 * upsert per request; `granted` records whether that request was let through, so the upsert can say so.
 */
export const scimRateLimits = pgTable("scim_rate_limits", {
  tenantId: uuid("tenant_id")
    .primaryKey()
    .references(() => tenants.id, { onDelete: "cascade" }),
  tokens: doublePrecision("tokens").notNull(),
  at: timestamp("at", { withTimezone: true, precision: 3 }).notNull(),
  granted: boolean("granted").notNull(),
});
