import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { activityLog, emailOutbox, mailbox } from "@/db/schema";
import { testDrivers, useTestDatabase } from "@/db/testing";
import { createTenant } from "@/lib/tenants/create-tenant";
import { PRUNE_BATCH, pruneOldRows } from "./retention";

const DAY = 24 * 60 * 60 * 1000;
const now = new Date(Date.UTC(2026, 5, 1));
const daysAgo = (days: number) => new Date(now.getTime() - days * DAY);

describe.each(testDrivers)("retention on %s", (driver) => {
  const t = useTestDatabase(driver);

  it("deletes old activity and delivered emails in batches, keeps recent rows and every pending email", async () => {
    const tenant = await createTenant(t.db, { name: "Busy", slug: `busy-${driver}`, adminEmail: "a@busy.example" });
    const entry = (at: Date, summary: string) => ({ tenantId: tenant.id, actor: "scim", summary, at });
    // More old entries than one batch, so the loop must run several deletes.
    const old = Array.from({ length: PRUNE_BATCH * 2 + 17 }, (_, i) => entry(daysAgo(91 + (i % 30)), `old ${i}`));
    for (let i = 0; i < old.length; i += 500) await t.db.insert(activityLog).values(old.slice(i, i + 500));
    await t.db.insert(activityLog).values([entry(daysAgo(89), "recent"), entry(daysAgo(0), "today")]);

    const mail = (key: string, status: "pending" | "sent" | "failed", createdAt: Date) => ({
      tenantId: tenant.id, kind: "invitation" as const, to: `${key}@busy.example`, subject: "s", text: "t", html: "h",
      idempotencyKey: `${driver}-${key}`, status, createdAt,
    });
    await t.db.insert(emailOutbox).values([
      mail("old-sent", "sent", daysAgo(31)),
      mail("old-failed", "failed", daysAgo(45)),
      mail("old-pending", "pending", daysAgo(400)),
      mail("recent-sent", "sent", daysAgo(29)),
    ]);
    await t.db.insert(mailbox).values([
      { tenantId: tenant.id, kind: "invitation", to: "m@busy.example", subject: "s", text: "t", html: "h", idempotencyKey: `${driver}-m-old`, createdAt: daysAgo(31) },
      { tenantId: tenant.id, kind: "invitation", to: "m@busy.example", subject: "s", text: "t", html: "h", idempotencyKey: `${driver}-m-new`, createdAt: daysAgo(1) },
    ]);

    expect(await pruneOldRows(t.db, { activityDays: 90, outboxDays: 30 }, now)).toEqual({ activity: old.length, outbox: 2, mailbox: 1 });

    const activity = await t.db.select({ summary: activityLog.summary }).from(activityLog).where(eq(activityLog.tenantId, tenant.id));
    // Creating the tenant logged an entry at the real time, after `now`: kept as well.
    expect(activity.map((a) => a.summary).sort()).toEqual(["Tenant created with admin a@busy.example", "recent", "today"]);
    const outbox = await t.db.select({ key: emailOutbox.idempotencyKey }).from(emailOutbox).where(eq(emailOutbox.tenantId, tenant.id));
    expect(outbox.map((o) => o.key).sort()).toEqual([`${driver}-old-pending`, `${driver}-recent-sent`]);
    const kept = await t.db.select({ key: mailbox.idempotencyKey }).from(mailbox).where(eq(mailbox.tenantId, tenant.id));
    expect(kept.map((m) => m.key)).toEqual([`${driver}-m-new`]);

    // A second run finds nothing; 0 days keeps everything.
    expect(await pruneOldRows(t.db, { activityDays: 90, outboxDays: 30 }, now)).toEqual({ activity: 0, outbox: 0, mailbox: 0 });
    expect(await pruneOldRows(t.db, { activityDays: 0, outboxDays: 0 }, new Date(now.getTime() + 1000 * DAY))).toEqual({ activity: 0, outbox: 0, mailbox: 0 });
  });
});
