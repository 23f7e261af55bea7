import { asc, eq } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { openDatabase, type Database } from "@/db";
import { activityLog } from "@/db/schema";
import { testDrivers, useTestDatabase } from "@/db/testing";
import { startOutageProxy } from "@/db/testing/outage-proxy";
import { createTenant } from "@/lib/tenants/create-tenant";
import { bufferActivity, stopBufferingActivity, type ActivityEntry } from "./activity";

/**
 * The activity buffer on graceful shutdown (SIGTERM): what waits is written, and from then on each read's entry is
 * written as it is logged, because no later flush may come. An entry the database cannot take then is lost with
 * the process, counted on the console, and the request that logged it is still answered.
 *
 * Stopping is process-wide and cannot be undone, so it has this file (Vitest runs each file in its own process),
 * and the tests run in order: the first one stops the buffer.
 */
describe.runIf(testDrivers.includes("postgres"))("the activity buffer once the process is stopping", () => {
  const t = useTestDatabase("postgres");
  let proxy: Awaited<ReturnType<typeof startOutageProxy>>;
  let proxied: Database;
  let tenantId: string;

  beforeAll(async () => {
    const url = new URL(t.url!);
    proxy = await startOutageProxy({ host: url.hostname, port: Number(url.port || 5432) });
    proxied = await openDatabase({ databaseUrl: proxy.url(t.url!), pgliteDir: "memory://" });
    tenantId = (await createTenant(t.db, { name: "Stopping", slug: "stopping", adminEmail: "owner@stopping.example" })).id;
  });
  afterAll(async () => {
    await proxy.up().catch(() => {});
    await proxied.close();
    await proxy.close();
  });
  afterEach(() => vi.restoreAllMocks());

  const read = (i: number): ActivityEntry => ({
    tenantId,
    at: new Date(Date.UTC(2026, 0, 1, 0, 0, 0, i)),
    actor: "scim",
    method: "GET",
    path: `/Users/secret-${i}`,
    status: 200,
    summary: `read ${i}`,
  });
  const logged = async () =>
    (await t.db.select({ summary: activityLog.summary }).from(activityLog).where(eq(activityLog.tenantId, tenantId)).orderBy(asc(activityLog.at), asc(activityLog.id)))
      .map((r) => r.summary)
      .filter((s) => s.startsWith("read "));

  it("writes what waits when it stops, then each entry before the logging request goes on", async () => {
    for (let i = 0; i < 3; i++) await bufferActivity(proxied.db, read(i));
    expect(await logged()).toEqual([]);
    await stopBufferingActivity();
    expect(await logged()).toEqual(["read 0", "read 1", "read 2"]);
    // No flush from here on: the entry is in the log once the call that logged it has settled.
    await bufferActivity(proxied.db, read(3));
    expect(await logged()).toEqual(["read 0", "read 1", "read 2", "read 3"]);
  });

  it("counts an entry the database cannot take on the console, without its path, and the request goes on", async () => {
    const lines: string[] = [];
    vi.spyOn(console, "error").mockImplementation((...args: unknown[]) => void lines.push(args.map(String).join(" ")));
    await proxy.down();
    await expect(Promise.resolve(bufferActivity(proxied.db, read(4)))).resolves.toBeUndefined();
    expect(lines).toEqual([expect.stringMatching(/^activity log: 1 entries could not be written: \S/)]);
    expect(lines.join("\n")).not.toContain("secret");
    await proxy.up();
    await bufferActivity(proxied.db, read(5));
    // The lost entry is not written later either: nothing keeps it.
    expect(await logged()).toEqual(["read 0", "read 1", "read 2", "read 3", "read 5"]);
  });
});
