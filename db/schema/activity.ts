import { bigserial, index, integer, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { tenants } from "./tenants";

/**
 * What happened in a tenant: every SCIM request (method, path, status, duration) and every admin change.
 * Never holds tokens or request bodies.
 */
export const activityLog = pgTable(
  "activity_log",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    at: timestamp("at", { withTimezone: true, precision: 3 }).notNull().defaultNow(),
    /** `scim`, `admin:<email>` or `cli`. */
    actor: text("actor").notNull(),
    method: text("method"),
    path: text("path"),
    status: integer("status"),
    durationMs: integer("duration_ms"),
    summary: text("summary").notNull(),
  },
  // Keyset paging newest first on (at, id) within a tenant; the second index serves retention, which deletes the
  // oldest entries across tenants in batches (lib/retention.ts).
  (t) => [index("activity_log_tenant_at_id_idx").on(t.tenantId, t.at, t.id), index("activity_log_at_idx").on(t.at)],
);
