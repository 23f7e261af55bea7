import { eq, inArray } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { emailOutbox, mailbox } from "@/db/schema";
import { useTestDatabase } from "@/db/testing";
import { startFakeResend, type FakeResend } from "@/e2e/fake-resend.mjs";

// The real resend SDK against a local fake of its HTTP API (RESEND_BASE_URL is read by the SDK constructor).
let fake: FakeResend;
beforeAll(async () => {
  fake = await startFakeResend(0, { failFirst: 1, failTo: ["bounce@acme.example"] });
  process.env.RESEND_API_KEY = "re_test_key";
  process.env.RESEND_BASE_URL = fake.url;
});
afterAll(() => fake.close());

describe("email through the Resend API", () => {
  const t = useTestDatabase("pglite");

  it("retries a failed send with the same idempotency key and records the provider id", async () => {
    const { drainOutbox, enqueueEmail } = await import("./outbox");
    const id = await enqueueEmail(
      t.db,
      { to: "ada@acme.example", subject: "Welcome", text: "Hello https://app.example/x", html: "<p>Hello</p>", kind: "invitation" },
      "invite-42",
    );
    expect(await drainOutbox(t.db)).toEqual({ sent: 0, failed: 1, deferred: 0 });
    let [row] = await t.db.select().from(emailOutbox).where(eq(emailOutbox.id, id!));
    expect(row).toMatchObject({ status: "pending", attempts: 1 });
    expect(row.lastError).toMatch(/temporary failure/);

    // Make it due now instead of waiting for the backoff.
    await t.db.update(emailOutbox).set({ nextAttemptAt: new Date(0) }).where(eq(emailOutbox.id, id!));
    expect(await drainOutbox(t.db)).toEqual({ sent: 1, failed: 0, deferred: 0 });
    [row] = await t.db.select().from(emailOutbox).where(eq(emailOutbox.id, id!));
    expect(row).toMatchObject({ status: "sent", attempts: 2, providerMessageId: "fake_1" });

    expect(fake.outbox).toHaveLength(1);
    expect(fake.outbox[0]).toMatchObject({ to: "ada@acme.example", subject: "Welcome", idempotencyKey: "invite-42" });
    expect(fake.requests.map((r) => r.headers["idempotency-key"])).toEqual(["invite-42", "invite-42"]);
    // With an API key nothing lands in the local mailbox.
    expect(await t.db.select().from(mailbox)).toHaveLength(0);
  });

  it("records each message's own outcome when one send of a drain fails and the others go through", async () => {
    const { drainOutbox, enqueueEmails } = await import("./outbox");
    const email = (to: string) => ({
      message: { to, subject: "Welcome", text: "Hello", html: "<p>Hello</p>", kind: "invitation" as const },
      idempotencyKey: `invite-${to}`,
    });
    await enqueueEmails(t.db, ["one@acme.example", "bounce@acme.example", "two@acme.example"].map(email));
    const before = fake.outbox.length;
    expect(await drainOutbox(t.db)).toEqual({ sent: 2, failed: 1, deferred: 0 });

    const rows = await t.db.select().from(emailOutbox).where(inArray(emailOutbox.idempotencyKey, ["invite-one@acme.example", "invite-bounce@acme.example", "invite-two@acme.example"]));
    const byTo = new Map(rows.map((r) => [r.to, r]));
    expect(byTo.get("one@acme.example")).toMatchObject({ status: "sent", attempts: 1, lastError: null });
    expect(byTo.get("two@acme.example")).toMatchObject({ status: "sent", attempts: 1, lastError: null });
    expect(byTo.get("one@acme.example")!.providerMessageId).toMatch(/^fake_/);
    expect(byTo.get("bounce@acme.example")).toMatchObject({ status: "pending", attempts: 1, providerMessageId: null, sentAt: null });
    expect(byTo.get("bounce@acme.example")!.lastError).toMatch(/temporary failure/);
    // Retried after the first backoff (30 s), not at once.
    expect(byTo.get("bounce@acme.example")!.nextAttemptAt.getTime()).toBeGreaterThan(Date.now() + 20_000);
    expect(fake.outbox.slice(before).map((m) => m.to).sort()).toEqual(["one@acme.example", "two@acme.example"]);
  });
});
