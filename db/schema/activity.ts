import { bigserial, index, integer, jsonb, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { tenants } from "./tenants";
import type { RejectionReason } from "./enums";

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
    /** In English: what the CLI prints, and what the pages show when there is no key (lib/activity-summary.ts). */
    summary: text("summary").notNull(),
    /**
     * The summary's message key ("ActivitySummary" in the catalogs) and its values, so that pages show it in the
     * reader's language. Null for a summary that is only text.
     */
    summaryKey: text("summary_key"),
    summaryValues: jsonb("summary_values").$type<Record<string, string | number>>(),
    /**
     * Why a request failed, as a code the UI translates (lib/scim/rejected-token.ts), where the summary alone
     * would be English only: today the reasons a refused token was attributed to this tenant. Null otherwise.
     */
    reason: text("reason").$type<RejectionReason>(),
  },
  // Keyset paging newest first on (at, id) within a tenant; the second index serves retention, which deletes the
  // oldest entries across tenants in batches (lib/retention.ts).
  (t) => [index("activity_log_tenant_at_id_idx").on(t.tenantId, t.at, t.id), index("activity_log_at_idx").on(t.at)],
);
