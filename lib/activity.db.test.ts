import { asc, eq } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { openDatabase, type Database } from "@/db";
import { activityLog } from "@/db/schema";
import { testDrivers, useTestDatabase } from "@/db/testing";
import { startOutageProxy } from "@/db/testing/outage-proxy";
import { createTenant } from "@/lib/tenants/create-tenant";
import { MAX_BUFFERED, bufferActivity, flushActivity, type ActivityEntry } from "./activity";

/**
 * Buffered entries (reads) while PostgreSQL cannot be reached: a flush that cannot write them keeps them, in
 * order, for the next one, within the buffer's bound; nothing is written twice, and the console says when the
 * database went, when it came back and how many entries did not fit.
 */
describe.runIf(testDrivers.includes("postgres"))("the activity buffer while the database is unavailable", () => {
  const t = useTestDatabase("postgres");
  let proxy: Awaited<ReturnType<typeof startOutageProxy>>;
  let proxied: Database;
  let n = 0;

  beforeAll(async () => {
    const url = new URL(t.url!);
    proxy = await startOutageProxy({ host: url.hostname, port: Number(url.port || 5432) });
    proxied = await openDatabase({ databaseUrl: proxy.url(t.url!), pgliteDir: "memory://" });
  });
  afterAll(async () => {
    await proxy.up().catch(() => {});
    await flushActivity();
    await proxied.close();
    await proxy.close();
  });
  afterEach(() => vi.restoreAllMocks());

  const newTenant = async () => {
    const slug = `outage-${process.pid}-${++n}`;
    return (await createTenant(t.db, { name: slug, slug, adminEmail: `owner@${slug}.example` })).id;
  };
  const read = (tenantId: string, i: number): ActivityEntry => ({
    tenantId,
    at: new Date(Date.UTC(2026, 0, 1, 0, 0, 0, i)),
    actor: "scim",
    method: "GET",
    path: `/Users/${i}`,
    status: 200,
    summary: `read ${i}`,
  });
  const logged = async (tenantId: string) =>
    (await t.db.select({ summary: activityLog.summary }).from(activityLog).where(eq(activityLog.tenantId, tenantId)).orderBy(asc(activityLog.at), asc(activityLog.id)))
      .map((r) => r.summary)
      .filter((s) => s.startsWith("read "));
  const consoleLines = () => {
    const lines: string[] = [];
    const take = (...args: unknown[]) => void lines.push(args.map(String).join(" "));
    vi.spyOn(console, "warn").mockImplementation(take);
    vi.spyOn(console, "error").mockImplementation(take);
    return lines;
  };

  it("keeps what a flush could not write and writes it, in order and once, when the database is back", async () => {
    const tenantId = await newTenant();
    const lines = consoleLines();
    for (let i = 0; i < 3; i++) bufferActivity(proxied.db, read(tenantId, i));
    await proxy.down();
    await flushActivity();
    for (let i = 3; i < 5; i++) bufferActivity(proxied.db, read(tenantId, i));
    await flushActivity();
    expect(await logged(tenantId)).toEqual([]);
    expect(lines).toEqual([expect.stringMatching(/^activity log: the database is unavailable; up to 5000 entries wait for it$/)]);

    await proxy.up();
    await flushActivity();
    expect(await logged(tenantId)).toEqual(["read 0", "read 1", "read 2", "read 3", "read 4"]);
    expect(lines.slice(1)).toEqual([expect.stringMatching(/^activity log: the database is back; entries kept since \S+ are written$/)]);
    await flushActivity();
    expect(await logged(tenantId)).toHaveLength(5);
  });

  it("keeps at most MAX_BUFFERED entries while it is unavailable, the oldest, and counts the rest", async () => {
    const tenantId = await newTenant();
    const lines = consoleLines();
    await proxy.down();
    // A full buffer makes the logging request wait for a flush: it fails, and the request goes on.
    for (let i = 0; i < MAX_BUFFERED + 7; i++) await bufferActivity(proxied.db, read(tenantId, i));
    await flushActivity();
    expect(await logged(tenantId)).toEqual([]);
    await proxy.up();
    await flushActivity();
    const written = await logged(tenantId);
    expect(written).toHaveLength(MAX_BUFFERED);
    expect(written.at(0)).toBe("read 0");
    expect(written.at(-1)).toBe(`read ${MAX_BUFFERED - 1}`);
    expect(lines.at(-1)).toBe(`activity log: 7 entries were dropped while the database was unavailable (more than ${MAX_BUFFERED} waited)`);
  });
});
