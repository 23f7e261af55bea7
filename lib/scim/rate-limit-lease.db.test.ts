import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { openDatabase } from "@/db";
import { scimRateLimits } from "@/db/schema";
import { testDrivers, useTestDatabase } from "@/db/testing";
import { connectScim } from "@/lib/provisioning/scim-connection";
import { scimClient } from "@/lib/provisioning/testing";
import { createTenant } from "@/lib/tenants/create-tenant";
import { RateLimitLeases } from "./rate-limit-lease";

// This file's own module registry reads the environment once: 600 requests a minute per tenant, so an instance
// takes at most 10 tokens per ask (a second's refill).
const PER_MINUTE = 600;
process.env.SCIM_RATE_LIMIT_PER_MINUTE = String(PER_MINUTE);

describe.each(testDrivers)("SCIM requests on leased rate-limit tokens on %s", (driver) => {
  const t = useTestDatabase(driver);
  let n = 0;
  const connect = async () => {
    n++;
    const tenant = await createTenant(t.db, { name: `lease ${n}`, slug: `lease-${driver}-${n}`, adminEmail: `a@lease${n}.example` });
    const { token } = await connectScim(t.db, { tenantId: tenant.id, provider: "entra", actor: "test" });
    return { tenantId: tenant.id, token };
  };
  const lastAsk = async (tenantId: string) =>
    (await t.db.select({ granted: scimRateLimits.granted }).from(scimRateLimits).where(eq(scimRateLimits.tenantId, tenantId)))[0]?.granted;

  it("asks the bucket for 1, 2, 4, 8 tokens as an instance's requests outgrow its lease, then no more than 10", async () => {
    const { tenantId, token } = await connect();
    const scim = scimClient(t.database, token, { leases: new RateLimitLeases({ windowMs: 60_000 }) });
    const asks: number[] = [];
    for (let i = 0; i < 35; i++) {
      expect((await scim("GET", "Users")).status).toBe(200);
      asks.push((await lastAsk(tenantId))!);
    }
    // The bucket is written only when the lease runs out: after requests 1, 2, 4, 8, 16, 26 (by 10 from then on).
    expect(asks.slice(0, 16)).toEqual([1, 2, 2, 4, 4, 4, 4, 8, 8, 8, 8, 8, 8, 8, 8, 10]);
    expect(new Set(asks.slice(15))).toEqual(new Set([10]));
  });

  it.runIf(driver === "postgres")("lets no more through two instances with leases than the one bucket holds", async () => {
    const { token } = await connect();
    const other = await openDatabase({ databaseUrl: t.url!, pgliteDir: "memory://" });
    try {
      const instances = [
        scimClient(t.database, token, { leases: new RateLimitLeases() }),
        scimClient(other, token, { leases: new RateLimitLeases() }),
      ];
      const started = Date.now();
      const replies = await Promise.all(Array.from({ length: 800 }, (_, i) => instances[i % 2]("GET", "Users?count=0")));
      const seconds = (Date.now() - started) / 1000;
      const allowed = replies.filter((r) => r.status === 200).length;
      const limited = replies.filter((r) => r.status === 429);
      expect(allowed + limited.length).toBe(800);
      // A full bucket (a minute's worth) plus its refill while the requests ran, never more.
      expect(allowed).toBeLessThanOrEqual(PER_MINUTE + Math.ceil((seconds * PER_MINUTE) / 60));
      // Tokens a lease holds back are at most a second's refill per instance.
      expect(allowed).toBeGreaterThanOrEqual(PER_MINUTE - 2 * 10);
      for (const reply of limited) expect(reply.headers.get("retry-after")).toMatch(/^[1-9]\d*$/);
    } finally {
      await other.close();
    }
  });
});
