import { and, asc, eq, sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import type { Db } from "@/db";
import { scimGroupMembers, scimGroups, scimUsers } from "@/db/schema";
import { testDrivers, useTestDatabase } from "@/db/testing";
import { createTenant } from "@/lib/tenants/create-tenant";
import { canonicalizeResource, groupColumns, userColumns, type JsonObject } from "./canonicalize";
import { compileFilter, compileSortBy } from "./filter";

const ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

/** Four users of tenant A, as IdPs send them; `ada` also exists in tenant B, with the same userName and email. */
const USERS: Record<string, { body: JsonObject; updatedAt: string }> = {
  ada: {
    updatedAt: "2024-01-01T00:00:00Z",
    body: {
      userName: "Ada.Lovelace@Example.com",
      externalId: "ext-Ada",
      title: "Countess",
      name: { givenName: "Ada", familyName: "Lovelace" },
      emails: [
        { value: "ada@work.example", type: "work", primary: true },
        { value: "ada@home.example", type: "home" },
      ],
      [ENTERPRISE]: { employeeNumber: "1001" },
    },
  },
  bob: {
    updatedAt: "2024-02-01T00:00:00Z",
    body: {
      userName: "bob@example.com",
      externalId: "ext-bob",
      displayName: 'Bob "Builder" Babbage',
      active: "False", // Entra's boolean-as-string
      name: { givenName: "Bob", familyName: "babbage" },
      emails: [
        { value: "a-bob@work.example", type: "work" },
        { value: "zed-bob@home.example", type: "home", primary: true },
      ],
      [ENTERPRISE]: { employeeNumber: "1002" },
    },
  },
  cy: {
    // Microseconds: meta.lastModified is served and compared at millisecond precision.
    updatedAt: "2024-03-01T12:00:00.123456Z",
    body: { userName: "Cy@example.com", title: "", emails: [], name: { familyName: "Young" } },
  },
  dan: {
    updatedAt: "2024-04-01T00:00:00Z",
    body: {
      userName: "dan@example.com",
      name: { givenName: "Daniel", familyName: "Adams" },
      emails: [{ value: "dan_d@work.example", type: "work" }],
    },
  },
};

type Fixture = { a: string; b: string; ids: Map<string, string>; byName: Record<string, string> };

async function insertUser(db: Db, tenantId: string, body: JsonObject, updatedAt: string) {
  const resource = canonicalizeResource("User", body);
  const [row] = await db
    .insert(scimUsers)
    .values({ tenantId, resource, ...userColumns(resource), updatedAt: sql`${updatedAt}::timestamptz` })
    .returning({ id: scimUsers.id });
  return row.id;
}

async function insertGroup(db: Db, tenantId: string, displayName: string, memberIds: string[]) {
  const resource = canonicalizeResource("Group", { displayName });
  const [row] = await db.insert(scimGroups).values({ tenantId, resource, ...groupColumns(resource) }).returning({ id: scimGroups.id });
  if (memberIds.length) await db.insert(scimGroupMembers).values(memberIds.map((userId) => ({ groupId: row.id, userId, tenantId })));
  return row.id;
}

async function seed(db: Db): Promise<Fixture> {
  const a = await createTenant(db, { name: "Filter A", slug: "filter-a", adminEmail: "admin@a.example" });
  const b = await createTenant(db, { name: "Filter B", slug: "filter-b", adminEmail: "admin@b.example" });
  const byName: Record<string, string> = {};
  for (const [name, { body, updatedAt }] of Object.entries(USERS)) byName[name] = await insertUser(db, a.id, body, updatedAt);
  byName.adaB = await insertUser(db, b.id, { ...USERS.ada.body, externalId: "ext-Ada-B" }, "2024-05-01T00:00:00Z");
  byName.engineering = await insertGroup(db, a.id, "Engineering", [byName.ada, byName.bob]);
  byName.operations = await insertGroup(db, a.id, "Operations", [byName.cy]);
  byName.empty = await insertGroup(db, a.id, "Empty", []);
  byName.engineeringB = await insertGroup(db, b.id, "Engineering", [byName.adaB]);
  const ids = new Map(Object.entries(byName).map(([name, id]) => [id, name]));
  return { a: a.id, b: b.id, ids, byName };
}

/** `{ada}` in a filter stands for ada's id, which only exists once the rows are inserted. */
const withIds = (filter: string, f: Fixture) => filter.replace(/\{(\w+)\}/g, (_, name: string) => f.byName[name]);

describe.each(testDrivers)("SCIM filters on %s", (driver) => {
  const t = useTestDatabase(driver);
  let f: Fixture;
  // The rows are only read below, so one seed serves every case without making them depend on each other.
  beforeAll(async () => {
    f = await seed(t.db);
  });

  async function users(filter: string, tenantId = f.a) {
    const rows = await t.db
      .select({ id: scimUsers.id })
      .from(scimUsers)
      .where(and(eq(scimUsers.tenantId, tenantId), compileFilter("User", withIds(filter, f))));
    return rows.map((r) => f.ids.get(r.id)).sort();
  }

  async function groups(filter: string, tenantId = f.a) {
    const rows = await t.db
      .select({ id: scimGroups.id })
      .from(scimGroups)
      .where(and(eq(scimGroups.tenantId, tenantId), compileFilter("Group", withIds(filter, f))));
    return rows.map((r) => f.ids.get(r.id)).sort();
  }

  it.each<[string, string[]]>([
    ['userName eq "ADA.LOVELACE@example.COM"', ["ada"]],
    ['userName eq "cy@EXAMPLE.com" or userName eq "nobody@example.com"', ["cy"]],
    ['displayName eq "bob \\"builder\\" babbage"', ["bob"]],
    ['externalId eq "ext-Ada"', ["ada"]],
    ['externalId eq "EXT-ADA"', []],
    ['id eq "{dan}"', ["dan"]],
    ['id eq "not-a-uuid"', []],
    ['emails[type eq "work"].value eq "ADA@work.example"', ["ada"]],
    // Same element: bob has a work email and the value below, but not on one element.
    ['emails[type eq "work"].value eq "zed-bob@home.example"', []],
    ['emails[type eq "home"].value eq "zed-bob@home.example"', ["bob"]],
    ['emails eq "dan_d@work.example"', ["dan"]],
    ['emails.value co "@WORK."', ["ada", "bob", "dan"]],
    ['emails.value co "_"', ["dan"]],
    ['emails.value ew ".example" and not (emails.value sw "a")', ["dan"]],
    ['emails[type eq "work" and primary eq true]', ["ada"]],
    ['emails[type eq "work" and primary eq true].value pr', ["ada"]],
    [`${ENTERPRISE}:employeeNumber eq "1001"`, ["ada"]],
    [`${ENTERPRISE.toUpperCase()}:EMPLOYEENUMBER gt "1001"`, ["bob"]],
    ['name.givenName sw "da"', ["dan"]],
    ['name.familyName eq "BABBAGE"', ["bob"]],
    ["active eq false", ["bob"]],
    ['active eq "False"', ["bob"]],
    ["active eq true", ["ada", "cy", "dan"]],
    ["not (active eq false)", ["ada", "cy", "dan"]],
    ['(name.familyName eq "Lovelace" or name.familyName eq "Adams") and active eq true', ["ada", "dan"]],
    ['name.familyName eq "Lovelace" or name.familyName eq "Adams" and active eq false', ["ada"]],
    ["title pr", ["ada"]],
    ["not (title pr)", ["bob", "cy", "dan"]],
    ["emails pr", ["ada", "bob", "dan"]],
    ["name.givenName pr", ["ada", "bob", "dan"]],
    [`${ENTERPRISE}:employeeNumber pr`, ["ada", "bob"]],
    ['title ne "Countess"', ["bob", "cy", "dan"]],
    ['not (title eq "Countess")', ["bob", "cy", "dan"]],
    ["title eq null", ["bob", "cy", "dan"]],
    ['meta.lastModified gt "2024-02-01T00:00:00Z"', ["cy", "dan"]],
    ['meta.lastModified ge "2024-02-01T00:00:00Z"', ["bob", "cy", "dan"]],
    ['meta.lastModified eq "2024-03-01T12:00:00.123Z"', ["cy"]],
    ['meta.lastModified lt "2024-02-01T01:00:00+02:00"', ["ada"]],
    ['meta.resourceType eq "User"', ["ada", "bob", "cy", "dan"]],
    ['groups.value eq "{engineering}"', ["ada", "bob"]],
    ['groups[value eq "{operations}"] or not (groups pr)', ["cy", "dan"]],
    ['nickName eq "x\\" or \\"1\\" eq \\"1"', []],
    ['customAttribute eq "x"', []],
  ])("User filter %s", async (filter, expected) => {
    expect(await users(filter)).toEqual(expected);
  });

  it.each<[string, string[]]>([
    ['displayName eq "ENGINEERING"', ["engineering"]],
    ['displayName sw "e"', ["empty", "engineering"]],
    ['members[value eq "{ada}"]', ["engineering"]],
    ['members.value eq "{cy}"', ["operations"]],
    ['members eq "{bob}"', ["engineering"]],
    ['members[value eq "not-a-uuid"]', []],
    ['members[value eq "{adaB}"]', []],
    ["members pr", ["engineering", "operations"]],
    ["not (members pr)", ["empty"]],
    ['meta.resourceType eq "Group" and externalId eq null', ["empty", "engineering", "operations"]],
  ])("Group filter %s", async (filter, expected) => {
    expect(await groups(filter)).toEqual(expected);
  });

  it("leaves tenant isolation to the caller's tenant condition", async () => {
    const filter = 'userName eq "ada.lovelace@example.com" and emails[type eq "work"].value eq "ada@work.example"';
    expect(await users(filter, f.a)).toEqual(["ada"]);
    expect(await users(filter, f.b)).toEqual(["adaB"]);
    expect(await groups('members[value eq "{adaB}"]', f.b)).toEqual(["engineeringB"]);
  });

  it.each<[string, "ascending" | "descending", string[]]>([
    // Case-insensitive: "Cy" sorts between "bob" and "dan", not before "bob" as it would byte-wise.
    ["userName", "ascending", ["ada", "bob", "cy", "dan"]],
    ["userName", "descending", ["dan", "cy", "bob", "ada"]],
    // Primary value, else the first: bob sorts by zed-bob@home (primary), not a-bob@work (first); cy has none.
    ["emails", "ascending", ["ada", "dan", "bob", "cy"]],
    ["name.familyName", "ascending", ["dan", "bob", "ada", "cy"]],
    ["meta.lastModified", "descending", ["dan", "cy", "bob", "ada"]],
  ])("sorts users by %s %s", async (attribute, order, expected) => {
    const rows = await t.db
      .select({ id: scimUsers.id })
      .from(scimUsers)
      .where(eq(scimUsers.tenantId, f.a))
      .orderBy(compileSortBy("User", attribute, order), asc(scimUsers.id));
    expect(rows.map((r) => f.ids.get(r.id))).toEqual(expected);
  });
});
