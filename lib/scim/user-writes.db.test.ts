import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { activityLog, scimUsers, users } from "@/db/schema";
import { testDrivers, useTestDatabase } from "@/db/testing";
import { flushActivity } from "@/lib/activity";
import { connectScim } from "@/lib/provisioning/scim-connection";
import { PATCH_OP, scimClient, scimUser } from "@/lib/provisioning/testing";
import { createTenant } from "@/lib/tenants/create-tenant";

let n = 0;

async function setup(t: ReturnType<typeof useTestDatabase>) {
  const slug = `uw-${process.pid}-${++n}`;
  const tenant = await createTenant(t.db, { name: slug, slug, adminEmail: `owner@${slug}.example` });
  const { token } = await connectScim(t.db, { tenantId: tenant.id, provider: "entra", actor: "test" });
  const scim = scimClient(t.database, token);
  const post = async (name: string) =>
    (await scim("POST", "Users", scimUser(`${name}@${slug}.example`, { displayName: name }))).body as { id: string; userName: string };
  const [ann, bob] = [await post("ann"), await post("bob")];
  const stored = async (id: string) => {
    const [scimUser] = await t.db.select().from(scimUsers).where(eq(scimUsers.id, id));
    const [sallyUser] = await t.db.select().from(users).where(eq(users.scimUserId, id));
    return { userName: scimUser.userName, displayName: scimUser.displayName, version: scimUser.version, name: sallyUser.name };
  };
  return { tenant, scim, ann, bob, stored };
}

const rename = (userName: string, displayName: string) => ({
  schemas: [PATCH_OP],
  Operations: [{ op: "Replace", value: { userName, displayName } }],
});

/**
 * A user's write on PUT and PATCH goes with COMMIT (its answer is read once committed; lib/scim/users.ts), and so
 * does the Sally user's profile when only that changed. What the client gets is still the write's outcome: the
 * user as written, or the write's own error with nothing of the request kept.
 */
describe.each(testDrivers)("user writes answered at commit on %s", (driver) => {
  const t = useTestDatabase(driver);

  it("a rename answers with the user as written (body, ETag, Location) and renames the Sally user too", async () => {
    const { scim, ann, stored } = await setup(t);
    const reply = await scim("PATCH", `Users/${ann.id}`, rename(ann.userName, "Ann Renamed"));
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ id: ann.id, displayName: "Ann Renamed", groups: [], meta: { version: 'W/"2"' } });
    expect(reply.headers.get("etag")).toBe('W/"2"');
    expect(reply.headers.get("location")).toMatch(new RegExp(`/Users/${ann.id}$`));
    expect(await stored(ann.id)).toEqual({ userName: ann.userName, displayName: "Ann Renamed", version: 2, name: "Ann Renamed" });
  });

  it("PATCH and PUT to a userName another user holds are a 409 uniqueness, and nothing of the request is kept", async () => {
    const { tenant, scim, ann, bob, stored } = await setup(t);
    const before = await stored(ann.id);
    const patched = await scim("PATCH", `Users/${ann.id}`, rename(bob.userName.toUpperCase(), "Ann Taken"));
    expect(patched.status).toBe(409);
    expect(patched.body).toMatchObject({ status: "409", scimType: "uniqueness" });
    const put = await scim("PUT", `Users/${ann.id}`, scimUser(bob.userName, { displayName: "Ann Taken" }));
    expect(put.status).toBe(409);
    expect(put.body).toMatchObject({ status: "409", scimType: "uniqueness" });
    // Neither the user's write nor the Sally user's profile (sent with it) committed.
    expect(await stored(ann.id)).toEqual(before);
    await flushActivity();
    const logged = await t.db.select().from(activityLog).where(eq(activityLog.tenantId, tenant.id));
    expect(logged.filter((e) => e.method !== "POST" && e.method !== null).map((e) => e.status)).toEqual([409, 409]);
  });

  it("in a Bulk request only the failing operation is refused: the others commit", async () => {
    const { scim, ann, bob, stored } = await setup(t);
    const reply = await scim("POST", "Bulk", {
      schemas: ["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],
      Operations: [
        { method: "PATCH", path: `/Users/${ann.id}`, data: rename(bob.userName, "Ann Taken") },
        { method: "PATCH", path: `/Users/${bob.id}`, data: rename(bob.userName, "Bob Renamed") },
      ],
    });
    expect(reply.status).toBe(200);
    expect(reply.body.Operations.map((o: { status: string }) => o.status)).toEqual(["409", "200"]);
    expect(reply.body.Operations[1].version).toBe('W/"2"');
    expect((await stored(ann.id)).displayName).toBe("ann");
    expect(await stored(bob.id)).toMatchObject({ displayName: "Bob Renamed", name: "Bob Renamed", version: 2 });
  });
});
