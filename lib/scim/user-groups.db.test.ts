import { describe, expect, it } from "vitest";
import { testDrivers, useTestDatabase } from "@/db/testing";
import { connectScim } from "@/lib/provisioning/scim-connection";
import { addMembers, PATCH_OP, scimClient, scimUser } from "@/lib/provisioning/testing";
import { createTenant } from "@/lib/tenants/create-tenant";

const GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group";

/**
 * A user's read-only `groups` (RFC 7643 §4.1.2) come with the statement that reads or writes the user; every
 * answer that shows a user shows the same list, by display name, and none when the request leaves them out.
 */
describe.each(testDrivers)("a user's groups in every answer on %s", (driver) => {
  const t = useTestDatabase(driver);

  it("GET, filter, first and later pages, PATCH, PUT and search show the same groups; attributes without groups show none", async () => {
    const slug = `ug-${process.pid}-${driver}`;
    const tenant = await createTenant(t.db, { name: slug, slug, adminEmail: `owner@${slug}.example` });
    const { token } = await connectScim(t.db, { tenantId: tenant.id, provider: "entra", actor: "test" });
    const scim = scimClient(t.database, token);
    const user = (await scim("POST", "Users", scimUser(`ada@${slug}.example`))).body;
    const other = (await scim("POST", "Users", scimUser(`bob@${slug}.example`))).body;
    const zeta = (await scim("POST", "Groups", { schemas: [GROUP], displayName: "Zeta" })).body.id;
    const alpha = (await scim("POST", "Groups", { schemas: [GROUP], displayName: "Alpha" })).body.id;
    await scim("PATCH", `Groups/${zeta}`, addMembers([user.id, other.id]));
    await scim("PATCH", `Groups/${alpha}`, addMembers([user.id]));
    const expected = [
      { value: alpha, display: "Alpha", $ref: `../Groups/${alpha}`, type: "direct" },
      { value: zeta, display: "Zeta", $ref: `../Groups/${zeta}`, type: "direct" },
    ].map((g) => expect.objectContaining({ value: g.value, display: g.display, type: g.type }));

    expect((await scim("GET", `Users/${user.id}`)).body.groups).toEqual(expected);
    const filtered = await scim("GET", `Users?filter=${encodeURIComponent(`userName eq "ada@${slug}.example"`)}`);
    expect(filtered.body.Resources.map((r: { groups: unknown }) => r.groups)).toEqual([expected]);
    const listed = await scim("GET", "Users?count=10");
    const byId = new Map(listed.body.Resources.map((r: { id: string; groups: { value: string }[] }) => [r.id, r.groups.map((g) => g.value)]));
    expect(byId.get(user.id)).toEqual([alpha, zeta]);
    expect(byId.get(other.id)).toEqual([zeta]);
    // A later page reads the groups of its own rows in a second statement: the same lists.
    const second = await scim("GET", "Users?startIndex=2&count=1");
    const [row] = second.body.Resources as { id: string; groups: { value: string }[] }[];
    expect(row.groups.map((g) => g.value)).toEqual(byId.get(row.id));
    const patched = await scim("PATCH", `Users/${user.id}`, { schemas: [PATCH_OP], Operations: [{ op: "replace", path: "displayName", value: "Ada L." }] });
    expect(patched.body).toMatchObject({ displayName: "Ada L.", groups: expected });
    const replaced = await scim("PUT", `Users/${user.id}`, scimUser(`ada@${slug}.example`, { displayName: "Ada" }));
    expect(replaced.body).toMatchObject({ displayName: "Ada", groups: expected });
    const searched = await scim("POST", "Users/.search", { schemas: ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"], filter: `userName eq "ada@${slug}.example"` });
    expect(searched.body.Resources[0].groups).toEqual(expected);

    const narrowed = await scim("GET", `Users/${user.id}?attributes=userName`);
    expect(narrowed.body.groups).toBeUndefined();
    const narrowedList = await scim("GET", `Users?attributes=userName&filter=${encodeURIComponent(`userName eq "ada@${slug}.example"`)}`);
    expect(narrowedList.body.Resources[0].groups).toBeUndefined();
  });
});
