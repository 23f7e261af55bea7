// The request limits: body size, page size and bulk size (operations and payload), each enforced with its RFC 7644
// error, each advertised in ServiceProviderConfig (with the rate limit, whose 429 router-rate-limit.db.test.ts
// covers), and no rejected request changing anything.
import { sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { testDrivers, useTestDatabase } from "@/db/testing";
import { scimConnections } from "@/db/schema";
import { Checker, groupBody, makeWorld, userBody, type World } from "./fuzz-testing";
import { LIMITS_EXTENSION } from "./discovery";
import { SCHEMA } from "./schemas";

// This file's own module registry reads the environment once: small limits, so they are cheap to reach.
process.env.SCIM_MAX_PAYLOAD_BYTES = "20000";
process.env.SCIM_MAX_PAGE_SIZE = "4";
process.env.SCIM_MAX_BULK_OPERATIONS = "3";
process.env.SCIM_RATE_LIMIT_PER_MINUTE = "100000";

const bulk = (count: number, pad = 0) =>
  JSON.stringify({
    schemas: [SCHEMA.bulkRequest],
    Operations: Array.from({ length: count }, (_, i) => ({
      method: "POST",
      path: "/Groups",
      bulkId: `g${i}`,
      data: groupBody(`Bulk ${i} ${"x".repeat(pad)}`),
    })),
  });

describe.each(testDrivers)("SCIM limits on %s", (driver) => {
  const t = useTestDatabase(driver);
  let world: World;
  let checker: Checker;

  beforeAll(async () => {
    world = await makeWorld(t.database, `lim-${driver}`);
    checker = new Checker(world);
    await checker.start();
  });

  it("advertises every limit in ServiceProviderConfig", async () => {
    const { body } = await checker.run({ method: "GET", segments: ["ServiceProviderConfig"] }, { status: [200] });
    expect(body).toMatchObject({
      schemas: [SCHEMA.serviceProviderConfig, LIMITS_EXTENSION],
      bulk: { supported: true, maxOperations: 3, maxPayloadSize: 20000 },
      filter: { supported: true, maxResults: 4 },
      pagination: { defaultPageSize: 4, maxPageSize: 4 },
      [LIMITS_EXTENSION]: { maxPayloadSize: 20000, rateLimit: { requestsPerMinute: 100000, per: "tenant" } },
    });
  });

  it("refuses a body over maxPayloadSize with 413, declared or streamed, on every endpoint that reads one", async () => {
    const big = JSON.stringify(userBody("big@limits.example", { title: "t".repeat(20_001) }));
    const targets: [string, string[]][] = [
      ["POST", ["Users"]],
      ["PUT", ["Users", world.a.userIds[0]]],
      ["PATCH", ["Groups", world.a.groupIds[0]]],
      ["POST", ["Bulk"]],
      ["POST", [".search"]],
    ];
    for (const [method, segments] of targets) {
      // As sent with Content-Length, and as a stream without it (the reader stops at the limit).
      await checker.run({ method, segments, body: big }, { status: [413] });
      const stream = new Blob([big]).stream() as unknown as Uint8Array;
      const reply = await checker.run({ method, segments, body: stream }, { status: [413] });
      expect(reply.body.detail).toContain("20000");
    }
    // Exactly at the limit is accepted.
    const base = JSON.stringify(userBody("edge@limits.example", { title: "" }));
    const edge = JSON.stringify(userBody("edge@limits.example", { title: "t".repeat(20_000 - base.length) }));
    expect(Buffer.byteLength(edge)).toBe(20_000);
    await checker.run({ method: "POST", segments: ["Users"], body: edge }, { status: [201] });
  });

  it("clamps count to maxPageSize and refuses startIndex past 2^53 - 1", async () => {
    const list = await checker.run({ method: "GET", segments: ["Users"], query: "count=1000" }, { status: [200] });
    expect(list.body.itemsPerPage).toBe(4);
    expect(list.body.Resources).toHaveLength(4);
    const search = await checker.run(
      { method: "POST", segments: ["Users", ".search"], body: JSON.stringify({ schemas: [SCHEMA.searchRequest], count: 10 ** 9 }) },
      { status: [200] },
    );
    expect(search.body.itemsPerPage).toBe(4);
    const defaulted = await checker.run({ method: "GET", segments: ["Groups"] }, { status: [200] });
    expect(defaulted.body.itemsPerPage).toBeLessThanOrEqual(4);
    for (const query of ["startIndex=1e30", "startIndex=9007199254740992", "count=1.5", "startIndex=x"]) {
      await checker.run({ method: "GET", segments: ["Users"], query }, { status: [400], scimType: ["invalidValue"] });
    }
    const far = await checker.run({ method: "GET", segments: ["Users"], query: "startIndex=9007199254740991" }, { status: [200] });
    expect(far.body.Resources).toEqual([]);
  });

  it("refuses a bulk request over maxOperations or maxPayloadSize with 413 and runs none of it", async () => {
    // The connection's last use is due for an update: a refused request must not commit even that.
    await t.db.update(scimConnections).set({ lastUsedAt: sql`null` });
    await checker.start();
    const tooMany = await checker.run({ method: "POST", segments: ["Bulk"], body: bulk(4) }, { status: [413] });
    expect(tooMany.body.detail).toContain("maximum is 3");
    const tooBig = await checker.run({ method: "POST", segments: ["Bulk"], body: bulk(2, 12_000) }, { status: [413] });
    expect(tooBig.body.detail).toContain("20000");
    const ok = await checker.run({ method: "POST", segments: ["Bulk"], body: bulk(3) }, { status: [200] });
    expect(ok.body.Operations.map((op: { status: string }) => op.status)).toEqual(["201", "201", "201"]);
  });

  it("answers a bulk operation whose path has a malformed percent-encoding with its own 400, never a 5xx", async () => {
    // Found by the fuzzer: decodeURIComponent throws on "%E0%A4%A".
    const body = JSON.stringify({ schemas: [SCHEMA.bulkRequest], Operations: [{ method: "DELETE", path: "/Users/%E0%A4%A" }, { method: "DELETE", path: "/Users/%zz" }] });
    await checker.start();
    const reply = await checker.run({ method: "POST", segments: ["Bulk"], body }, { status: [200] });
    expect(reply.body.Operations.map((op: { status: string; response?: { scimType?: string } }) => [op.status, op.response?.scimType])).toEqual([
      ["400", "invalidValue"],
      ["400", "invalidValue"],
    ]);
  });
});
