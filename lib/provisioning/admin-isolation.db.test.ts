import { describe, expect, it } from "vitest";
import type { Database } from "@/db";
import { testDrivers, useTestDatabase } from "@/db/testing";
import { digestTables } from "@/db/testing/digest";
import { NotFoundError } from "@/lib/errors";
import { createTenant } from "@/lib/tenants/create-tenant";
import { previewGroupMapping, saveGroupMapping } from "./group-mapping";
import { removeUser } from "./remove-user";
import { connectScim } from "./scim-connection";
import { addMembers, scimClient, scimUser } from "./testing";

/** A tenant with one SCIM user in one group; its admin is a manual user. */
async function tenantWithGroup(database: Database, slug: string) {
  const tenant = await createTenant(database.db, { name: slug, slug, adminEmail: `admin@${slug}.example` });
  const { token } = await connectScim(database.db, { tenantId: tenant.id, provider: "okta", actor: "test" });
  const scim = scimClient(database, token);
  const user = await scim("POST", "Users", scimUser(`member@${slug}.example`));
  const group = await scim("POST", "Groups", { schemas: ["urn:ietf:params:scim:schemas:core:2.0:Group"], displayName: "Staff" });
  expect((await scim("PATCH", `Groups/${group.body.id}`, addMembers([user.body.id]))).status).toBe(204);
  return { tenant, groupId: group.body.id as string, adminEmail: `admin@${slug}.example` };
}

// The admin screens' server actions take the tenant from the session and ids from the form; these are the verbs
// they call, given tenant A's session and tenant B's ids.
describe.each(testDrivers)("admin verbs with another tenant's ids on %s", (driver) => {
  const t = useTestDatabase(driver);

  it("never change or reveal another tenant's users, groups, seats or mapping", async () => {
    const a = await tenantWithGroup(t.database, `adm-iso-a-${driver}-${process.pid}`);
    const b = await tenantWithGroup(t.database, `adm-iso-b-${driver}-${process.pid}`);
    const before = await digestTables(t.db, { tenantId: b.tenant.id });
    const bMapping = { userGroupId: b.groupId, adminGroupId: null, licenseGroups: [{ groupId: b.groupId, tier: "team" as const }], inviteOnProvision: true };

    // Removing B's admin by email from A's session: no such user in A.
    await expect(removeUser(t.db, { tenantId: a.tenant.id, email: b.adminEmail, actor: "test" })).rejects.toBeInstanceOf(NotFoundError);
    // Mapping B's group from A's session: refused, nothing saved.
    await expect(saveGroupMapping(t.db, { tenantId: a.tenant.id, mapping: bMapping, actor: "test" })).rejects.toBeInstanceOf(NotFoundError);
    // A preview with B's group ids speaks only of A's users: B's member is nowhere in it.
    const preview = await previewGroupMapping(t.db, a.tenant.id, bMapping);
    const emails = [...preview.gainAccess, ...preview.loseAccess, ...preview.change].map((c) => c.email);
    expect(emails.filter((e) => e.includes("adm-iso-b"))).toEqual([]);
    expect(preview.gainAccess).toEqual([]);

    expect(await digestTables(t.db, { tenantId: b.tenant.id })).toEqual(before);
  });
});
