import { and, eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { buySeatsShort } from "@/db/queries/access";
import { listMailbox } from "@/db/queries/mailbox";
import { queueReceipts } from "@/db/queries/purchases";
import { emailContents, emailOutbox, mailbox, seatPurchases, seats, tenants, users } from "@/db/schema";
import { statement } from "@/db/run";
import { testDrivers, useTestDatabase } from "@/db/testing";
import { env } from "@/lib/env";
import { createTenant } from "@/lib/tenants/create-tenant";
import { invitationContent, invitationEmail, receiptEmail } from "./templates";
import { LINK_PLACEHOLDER } from "./templates/link";
import { drainOutbox, drainSoon, drainsSettled, enqueueEmail, enqueueEmails, forgetSharedContents, retryDelaySeconds } from "./outbox";

// No RESEND_API_KEY here: delivery goes to the local mailbox table.
const message = (to: string) => ({ to, subject: "Hi", text: "Open https://x.example/a now", html: "<p>hi</p>", kind: "invitation" as const });

// A row's ctid is (page, item): the pages a tenant's outbox rows occupy in the table itself, not in its TOAST storage.
const pagesOfTenant = statement("test_outbox_pages_of_tenant", ["tenantId"], (p) =>
  sql<{ pages: number }>`select count(distinct (ctid::text::point)[0])::int as pages from email_outbox where tenant_id = ${p.tenantId}`,
);

describe.each(testDrivers)("email outbox on %s (local mailbox)", (driver) => {
  const t = useTestDatabase(driver);

  it("queues in the caller's transaction: a rolled-back change sends nothing", async () => {
    await expect(
      t.db.transaction(async (tx) => {
        await enqueueEmail(tx, message("rollback@x.example"), "k-rollback");
        throw new Error("abort");
      }),
    ).rejects.toThrow("abort");
    await drainOutbox(t.db);
    expect(await t.db.select().from(mailbox).where(eq(mailbox.to, "rollback@x.example"))).toHaveLength(0);
  });

  it("delivers once per idempotency key, even when enqueued and drained twice", async () => {
    expect(await enqueueEmail(t.db, message("once@x.example"), "k-once")).toBeTruthy();
    expect(await enqueueEmail(t.db, message("once@x.example"), "k-once")).toBeNull();
    const [first, second] = await Promise.all([drainOutbox(t.db), drainOutbox(t.db)]);
    expect(first.sent + second.sent).toBeGreaterThanOrEqual(1);
    const delivered = await t.db.select().from(mailbox).where(eq(mailbox.to, "once@x.example"));
    expect(delivered).toHaveLength(1);
    expect(delivered[0].links).toEqual(["https://x.example/a"]);
    const [row] = await t.db.select().from(emailOutbox).where(eq(emailOutbox.idempotencyKey, "k-once"));
    expect(row).toMatchObject({ status: "sent", attempts: 1 });
    expect(row.sentAt).toBeInstanceOf(Date);
  });

  it("renders a receipt queued by a purchase when it delivers it, in the admin's language, and keeps that rendering", async () => {
    const slug = `receipt-${driver}`;
    const tenant = await createTenant(t.db, { name: "Receipt GmbH", slug, adminEmail: `owner@${slug}.example`, seats: { team: 1 } });
    await t.db.update(users).set({ locale: "de" }).where(eq(users.tenantId, tenant.id));
    await t.db.update(seats).set({ held: 4 }).where(and(eq(seats.tenantId, tenant.id), eq(seats.tier, "team")));
    await t.db.transaction((tx) => buySeatsShort(tx, tenant.id, ["team"], "SCIM PATCH /Groups/g1"));
    await queueReceipts(t.db);
    const [queued] = await t.db.select().from(emailOutbox).where(eq(emailOutbox.tenantId, tenant.id));
    expect(queued).toMatchObject({ kind: "receipt", subject: null, html: null });

    await drainOutbox(t.db, { ids: [queued.id] });
    const [sent] = await t.db.select().from(emailOutbox).where(eq(emailOutbox.id, queued.id));
    const [delivered] = await t.db.select().from(mailbox).where(eq(mailbox.idempotencyKey, queued.idempotencyKey));
    const [purchase] = await t.db.select().from(seatPurchases).where(eq(seatPurchases.id, queued.purchaseId!));
    expect(purchase).toMatchObject({ tier: "team", quantity: 3 });
    const expected = await receiptEmail("de", { ...purchase, tenantName: "Receipt GmbH", url: `${env().appUrl}/settings/users` });
    expect(delivered).toMatchObject({ kind: "receipt", to: `owner@${slug}.example`, subject: expected.subject, text: expected.text, html: expected.html });
    // Stored with the row: a retry sends the same email.
    expect(sent).toMatchObject({ status: "sent", attempts: 1, subject: expected.subject, text: expected.text, html: expected.html });
  });

  it("drainSoon asked by sixteen callers at once (a mapping save, the background drain): everything due goes out, each message once, batch after batch", async () => {
    const slug = `soon-${driver}`;
    const tenant = await createTenant(t.db, { name: "Soon AG", slug, adminEmail: `owner@${slug}.example`, seats: {} });
    const queue = (from: number, count: number) =>
      enqueueEmails(
        t.db,
        Array.from({ length: count }, (_, n) => ({
          message: { ...message(`m${from + n}@${slug}.example`), tenantId: tenant.id },
          idempotencyKey: `${slug}-${from + n}`,
        })),
      );
    await queue(0, 120);
    // Each caller committed its emails before asking; one more commits its own while the drain runs.
    const asked = Array.from({ length: 16 }, () => drainSoon(t.db));
    await queue(120, 5);
    asked.push(drainSoon(t.db));
    await Promise.all(asked);
    // The runs that follow a full batch are nobody's to wait for (see drainSoon); they end by themselves.
    await drainsSettled(t.db);

    const delivered = await t.db.select().from(mailbox).where(eq(mailbox.tenantId, tenant.id));
    expect(delivered).toHaveLength(125);
    expect(new Set(delivered.map((m) => m.idempotencyKey)).size).toBe(125);
    const pending = await t.db.select().from(emailOutbox).where(and(eq(emailOutbox.tenantId, tenant.id), eq(emailOutbox.status, "pending")));
    expect(pending).toHaveLength(0);
  });

  it("drains in batches of at most 50, each message once, also with two drains at once", async () => {
    const slug = `batch-${driver}`;
    const tenant = await createTenant(t.db, { name: "Batch AG", slug, adminEmail: `owner@${slug}.example`, seats: { team: 1 } });
    await t.db.update(seats).set({ held: 3 }).where(and(eq(seats.tenantId, tenant.id), eq(seats.tier, "team")));
    await t.db.transaction((tx) => buySeatsShort(tx, tenant.id, ["team"], "SCIM PATCH /Groups/g2"));
    const plain = Array.from({ length: 70 }, (_, n) => ({
      message: { ...message(`m${n}@${slug}.example`), text: `Open https://x.example/${n} now`, tenantId: tenant.id },
      idempotencyKey: `${slug}-${n}`,
    }));
    await enqueueEmails(t.db, plain);

    const first = await drainOutbox(t.db);
    expect(first).toEqual({ sent: 50, failed: 0, deferred: 0 });
    const [second, third] = await Promise.all([drainOutbox(t.db), drainOutbox(t.db)]);
    expect(second.sent + third.sent).toBe(21);
    expect(await drainOutbox(t.db)).toEqual({ sent: 0, failed: 0, deferred: 0 });

    const delivered = await t.db.select().from(mailbox).where(eq(mailbox.tenantId, tenant.id));
    expect(delivered).toHaveLength(71);
    expect(new Set(delivered.map((m) => m.idempotencyKey)).size).toBe(71);
    expect(delivered.find((m) => m.to === `m7@${slug}.example`)).toMatchObject({ subject: "Hi", links: ["https://x.example/7"] });
    expect(delivered.find((m) => m.kind === "receipt")).toMatchObject({ to: `owner@${slug}.example`, subject: expect.stringMatching(/\S/) });
    const rows = await t.db.select().from(emailOutbox).where(eq(emailOutbox.tenantId, tenant.id));
    expect(rows.every((r) => r.status === "sent" && r.attempts === 1 && r.sentAt !== null && r.providerMessageId !== null)).toBe(true);
    // Each row records the id of the message it delivered.
    const byKey = new Map(delivered.map((m) => [m.idempotencyKey, m.id]));
    expect(rows.every((r) => r.providerMessageId === byKey.get(r.idempotencyKey))).toBe(true);
  });

  it("keeps an email's content out of the row each delivery rewrites twice (claim, outcome): 120 invitations' rows fit in 5 pages, where inline they took 8", async () => {
    const tenantId = (await createTenant(t.db, { name: "Layout", slug: `layout-${driver}`, adminEmail: `owner@layout-${driver}.example`, seats: {} })).id;
    const emails = await Promise.all(
      Array.from({ length: 120 }, async (_, i) => {
        const content = await invitationEmail("en", { tenantName: "Layout", role: "user", license: "team", url: `https://sally.example/invite/${i}` });
        return { message: { ...content, tenantId, to: `layout${i}@x.example`, kind: "invitation" as const }, idempotencyKey: `k-layout-${driver}-${i}` };
      }),
    );
    expect(emails[0].message.html.length).toBeGreaterThan(4000);
    await enqueueEmails(t.db, emails);
    const [{ pages }] = await pagesOfTenant(t.db, { tenantId });
    expect(pages).toBeLessThanOrEqual(5);
  });
});

describe.each(testDrivers)("shared renderings on %s (invitations, local mailbox)", (driver) => {
  const t = useTestDatabase(driver);
  const inputs = { tenantName: "Shared AG", role: "user" as const, license: "team" as const };
  const url = (slug: string, n: number) => `https://sally.example/api/auth/callback/email?token=${slug}-${n}&to=a%26b`;
  const invite = async (tenantId: string, slug: string, n: number) => ({
    message: { ...(await invitationContent("de", { ...inputs, url: url(slug, n) })), tenantId, to: `i${n}@${slug}.example`, kind: "invitation" as const },
    idempotencyKey: `invitation:${slug}-${n}`,
  });
  const tenantNamed = (slug: string) => createTenant(t.db, { name: inputs.tenantName, slug, adminEmail: `owner@${slug}.example`, seats: {} });

  it("stores an invitation's rendering once for many: each row holds its link, each delivery is the invitation rendered whole with it", async () => {
    const slug = `shared-${driver}`;
    const tenant = await tenantNamed(slug);
    await enqueueEmails(t.db, await Promise.all(Array.from({ length: 10 }, (_, n) => invite(tenant.id, slug, n))));
    // A second change inviting more people with the same rendering stores nothing new.
    await enqueueEmails(t.db, [await invite(tenant.id, slug, 10)]);

    const contents = await t.db.select().from(emailContents).where(eq(emailContents.tenantId, tenant.id));
    expect(contents).toHaveLength(1);
    expect(contents[0].html).toContain(LINK_PLACEHOLDER);
    const rows = await t.db.select().from(emailOutbox).where(eq(emailOutbox.tenantId, tenant.id));
    expect(rows).toHaveLength(11);
    for (const row of rows) expect(row).toMatchObject({ subject: null, text: null, html: null, contentId: contents[0].id, link: url(slug, Number(row.to.slice(1, row.to.indexOf("@")))) });

    await drainOutbox(t.db);
    // The mailbox too keeps the rendering's id and the link, and shows the email whole.
    const stored = await t.db.select().from(mailbox).where(eq(mailbox.tenantId, tenant.id));
    expect(stored).toHaveLength(11);
    for (const m of stored) expect(m).toMatchObject({ html: null, contentId: contents[0].id, link: url(slug, Number(m.to.slice(1, m.to.indexOf("@")))) });
    const delivered = await listMailbox(t.db, { tenantId: tenant.id });
    expect(delivered).toHaveLength(11);
    for (const m of delivered) {
      const n = Number(m.to.slice(1, m.to.indexOf("@")));
      const whole = await invitationEmail("de", { ...inputs, url: url(slug, n) });
      expect(m).toMatchObject({ subject: whole.subject, text: whole.text, html: whole.html, links: [url(slug, n)] });
      expect(m.html).toContain(`token=${slug}-${n}&amp;to=a%26b`);
      expect(m.html).not.toContain(LINK_PLACEHOLDER);
    }
  });

  it("a drain on an instance that did not queue them reads the renderings, and sends the same", async () => {
    const slug = `elsewhere-${driver}`;
    const tenant = await tenantNamed(slug);
    await enqueueEmails(t.db, await Promise.all(Array.from({ length: 3 }, (_, n) => invite(tenant.id, slug, n))));
    forgetSharedContents();
    expect(await drainOutbox(t.db)).toMatchObject({ sent: 3, failed: 0 });
    const delivered = await listMailbox(t.db, { tenantId: tenant.id });
    const whole = await invitationEmail("de", { ...inputs, url: url(slug, 0) });
    expect(delivered.find((m) => m.to === `i0@${slug}.example`)).toMatchObject({ text: whole.text, html: whole.html });
  });

  it("keeps a tenant's renderings its own: two tenants of the same name each have theirs, and one goes with its tenant", async () => {
    const [one, two] = [await tenantNamed(`same-a-${driver}`), await tenantNamed(`same-b-${driver}`)];
    await enqueueEmails(t.db, [await invite(one.id, `same-a-${driver}`, 0)]);
    await enqueueEmails(t.db, [await invite(two.id, `same-b-${driver}`, 0)]);
    const [a] = await t.db.select().from(emailContents).where(eq(emailContents.tenantId, one.id));
    const [b] = await t.db.select().from(emailContents).where(eq(emailContents.tenantId, two.id));
    expect(a.html).toBe(b.html);
    expect(a.id).not.toBe(b.id);

    await t.db.delete(tenants).where(eq(tenants.id, one.id));
    expect(await t.db.select().from(emailContents).where(eq(emailContents.tenantId, one.id))).toHaveLength(0);
    forgetSharedContents();
    await drainOutbox(t.db);
    expect(await t.db.select().from(mailbox).where(eq(mailbox.tenantId, two.id))).toHaveLength(1);
  });
});

describe("retry delays", () => {
  it.each([
    [1, 30],
    [2, 60],
    [3, 120],
    [8, 3600],
  ])("attempt %i waits %i s", (attempts, seconds) => {
    expect(retryDelaySeconds(attempts)).toBe(seconds);
  });
});
