import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { emailOutbox, mailbox } from "@/db/schema";
import { testDrivers, useTestDatabase } from "@/db/testing";
import { drainOutbox, enqueueEmail, retryDelaySeconds } from "./outbox";

// No RESEND_API_KEY here: delivery goes to the local mailbox table.
const message = (to: string) => ({ to, subject: "Hi", text: "Open https://x.example/a now", html: "<p>hi</p>", kind: "invitation" as const });

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
