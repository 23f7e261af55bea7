import { eq, inArray } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { emailOutbox } from "@/db/schema";
import { useTestDatabase } from "@/db/testing";
import { startFakeResend, type FakeResend } from "@/e2e/fake-resend.mjs";

// The real resend SDK against a local fake of its HTTP API that keeps Resend's rate limit (2 requests a second, the
// default) and a daily quota of 10 emails. A file of its own: the SDK's client keeps the base URL it was made with.
let fake: FakeResend;
beforeAll(async () => {
  fake = await startFakeResend(0, { perSecond: 2, dailyQuota: 10 });
  process.env.RESEND_API_KEY = "re_test_key";
  process.env.RESEND_BASE_URL = fake.url;
});
afterAll(() => fake.close());

const email = (to: string) => ({
  message: { to, subject: "Welcome", text: "Hello", html: "<p>Hello</p>", kind: "invitation" as const },
  idempotencyKey: `invite-${to}`,
});
const rowsOf = (db: ReturnType<typeof useTestDatabase>["db"], tos: string[]) =>
  db.select().from(emailOutbox).where(inArray(emailOutbox.to, tos));
const statuses = (answers: { status: number }[]) => answers.map((a) => a.status);

describe("email through the Resend API under its rate limit and quota", () => {
  const t = useTestDatabase("pglite");

  it("sends at the pace the API's headers allow: five emails in one drain, none refused", async () => {
    const { drainOutbox, enqueueEmails } = await import("./outbox");
    const tos = ["p1", "p2", "p3", "p4", "p5"].map((n) => `${n}@pace.example`);
    await enqueueEmails(t.db, tos.map(email));
    const before = fake.requests.length;
    expect(await drainOutbox(t.db)).toEqual({ sent: 5, failed: 0, deferred: 0 });
    const made = fake.requests.slice(before);
    // Two a second: without the pace, the third request would have been refused with a 429.
    expect(made).toHaveLength(5);
    expect(fake.answers.slice(before).map((a) => a.status)).toEqual([200, 200, 200, 200, 200]);
    expect(made[2].at - made[0].at).toBeGreaterThanOrEqual(900);
    expect((await rowsOf(t.db, tos)).map((r) => [r.status, r.attempts])).toEqual(tos.map(() => ["sent", 1]));
  });

  it("defers the rest of a drain on a 429 from requests elsewhere, without counting an attempt, and sends them later", async () => {
    const { drainOutbox, enqueueEmails } = await import("./outbox");
    const tos = ["d1", "d2", "d3"].map((n) => `${n}@defer.example`);
    await enqueueEmails(t.db, tos.map(email));
    // Another instance of the same Resend team takes this second's requests.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const elsewhere = (to: string) =>
      fetch(`${fake.url}/emails`, {
        method: "POST",
        headers: { authorization: "Bearer re_test_key", "content-type": "application/json" },
        body: JSON.stringify({ from: "other@sally.example", to, subject: "Hi", text: "Hi" }),
      });
    expect((await elsewhere("e1@elsewhere.example")).status).toBe(200);
    expect((await elsewhere("e2@elsewhere.example")).status).toBe(200);
    const before = fake.requests.length;
    const drained = await drainOutbox(t.db);
    expect(drained).toEqual({ sent: 0, failed: 0, deferred: 3 });
    // One request was refused; the drain asked nothing more of the API in that second.
    expect(statuses(fake.answers.slice(before))).toEqual([429]);
    const deferred = await rowsOf(t.db, tos);
    for (const row of deferred) {
      expect(row).toMatchObject({ status: "pending", attempts: 0 });
      expect(row.lastError).toMatch(/rate_limit_exceeded/);
      // Due again when the API said (retry-after: 1 s), not after the failed attempts' 30 s backoff.
      expect(row.nextAttemptAt.getTime()).toBeLessThanOrEqual(Date.now() + 2_000);
    }
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect(await drainOutbox(t.db)).toEqual({ sent: 3, failed: 0, deferred: 0 });
    expect((await rowsOf(t.db, tos)).map((r) => [r.status, r.attempts])).toEqual(tos.map(() => ["sent", 1]));
    expect(fake.outbox.filter((m) => tos.includes(String(m.to)))).toHaveLength(3);
  });

  it("keeps an email past the daily quota pending however many drains meet it, and asks the API again only when it said", async () => {
    const { MAX_ATTEMPTS, drainOutbox, enqueueEmails } = await import("./outbox");
    // The two tests before took the quota's 10 (two of them sent elsewhere).
    expect(fake.outbox).toHaveLength(10);
    const to = "late@quota.example";
    await enqueueEmails(t.db, [email(to)]);
    await new Promise((resolve) => setTimeout(resolve, 1100)); // the rate limit's window, not the quota's
    const before = fake.requests.length;
    expect(await drainOutbox(t.db)).toEqual({ sent: 0, failed: 0, deferred: 1 });
    const [refused] = await rowsOf(t.db, [to]);
    expect(refused).toMatchObject({ status: "pending", attempts: 0 });
    expect(refused.lastError).toMatch(/daily_quota_exceeded/);
    // Without retry-after, a quota is looked at again in an hour.
    expect(refused.nextAttemptAt.getTime()).toBeGreaterThan(Date.now() + 3_000_000);

    // Drains that find it due sooner (made due here) defer it again without asking the API, and never give it up.
    for (let drain = 0; drain < MAX_ATTEMPTS + 2; drain++) {
      await t.db.update(emailOutbox).set({ nextAttemptAt: new Date(0) }).where(eq(emailOutbox.to, to));
      expect(await drainOutbox(t.db)).toEqual({ sent: 0, failed: 0, deferred: 1 });
    }
    expect(fake.requests.length - before).toBe(1);
    const [row] = await rowsOf(t.db, [to]);
    expect(row).toMatchObject({ status: "pending", attempts: 0 });
    expect(row.lastError).toMatch(/asked to wait/);
    expect(row.nextAttemptAt.getTime()).toBeGreaterThan(Date.now() + 3_000_000);
  });
});
