import { describe, expect, it } from "vitest";
import { testDrivers, useTestDatabase } from "@/db/testing";
import { connectScim } from "@/lib/provisioning/scim-connection";
import { scimClient, scimUser } from "@/lib/provisioning/testing";
import { createTenant } from "@/lib/tenants/create-tenant";

type Page = { totalResults: number; startIndex: number; itemsPerPage: number; Resources: { id: string; userName: string }[] };

/**
 * Index paging (RFC 7644 §3.4.2.4) reads a page in the second half of the matches from the end (listPage): every
 * page, at every startIndex and count, is the slice of the whole list in its order, with a filter too, on both
 * sides of the middle and past the end.
 */
describe.each(testDrivers)("list pages by startIndex on %s", (driver) => {
  const t = useTestDatabase(driver);

  it("every page of 23 users, by startIndex 1 to 26 and counts 1, 4 and 10, is its slice of the whole list, also filtered", async () => {
    const slug = `pages-${process.pid}-${driver}`;
    const tenant = await createTenant(t.db, { name: slug, slug, adminEmail: `owner@${slug}.example` });
    const { token } = await connectScim(t.db, { tenantId: tenant.id, provider: "okta", actor: "test" });
    const scim = scimClient(t.database, token);
    for (let n = 0; n < 23; n++) await scim("POST", "Users", scimUser(`${n % 3 === 0 ? "a" : "b"}${n}@${slug}.example`));
    const whole = (await scim("GET", "Users?count=100")).body as Page;
    expect(whole.totalResults).toBe(23);
    const ids = whole.Resources.map((r) => r.id);
    const filter = encodeURIComponent('userName sw "a"');
    const filtered = ((await scim("GET", `Users?count=100&filter=${filter}`)).body as Page).Resources.map((r) => r.id);
    expect(filtered).toHaveLength(8);

    for (const count of [1, 4, 10]) {
      for (let startIndex = 1; startIndex <= 26; startIndex++) {
        const page = (await scim("GET", `Users?startIndex=${startIndex}&count=${count}`)).body as Page;
        const where = `startIndex=${startIndex} count=${count}`;
        expect(page.Resources?.map((r) => r.id) ?? [], where).toEqual(ids.slice(startIndex - 1, startIndex - 1 + count));
        expect(page.totalResults, where).toBe(23);
        if (startIndex > 10) continue;
        const some = (await scim("GET", `Users?startIndex=${startIndex}&count=${count}&filter=${filter}`)).body as Page;
        expect(some.Resources?.map((r) => r.id) ?? [], `${where} filtered`).toEqual(filtered.slice(startIndex - 1, startIndex - 1 + count));
        expect(some.totalResults, `${where} filtered`).toBe(8);
      }
    }
    // Far past the end: no page, the total still counted.
    const far = (await scim("GET", "Users?startIndex=9007199254740991&count=5")).body as Page;
    expect(far).toMatchObject({ totalResults: 23, itemsPerPage: 0 });
  });
});
