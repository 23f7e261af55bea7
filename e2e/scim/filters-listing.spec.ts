import type { APIRequestContext } from "@playwright/test";
import { SCIM, expect, test } from "../fixtures";
import { createGroup, createUser, expectJson, expectScimError, filterQuery, list, type Json, type ListBody } from "./helpers";

/** The userNames a filter selects, in list order. */
async function userNames(scim: APIRequestContext, filter: string): Promise<string[]> {
  const body = await list(scim, `Users?${filterQuery(filter)}`);
  expect(body.totalResults).toBe(body.Resources.length);
  return body.Resources.map((u) => u.userName);
}

test("filters: the RFC 7644 §3.4.2.2 grammar over users and groups, names case-insensitive, values decoded", async ({ tenant }) => {
  const { scim } = tenant;
  const alice = await createUser(scim, "alice@example.com", {
    externalId: "A-1",
    displayName: "Alice Smith",
    title: "Engineer",
    name: { givenName: "Alice", familyName: "Smith" },
    emails: [
      { value: "alice@example.com", type: "work", primary: true },
      { value: "alice@home.example", type: "home" },
    ],
    [SCIM.enterprise]: { department: "R&D", employeeNumber: "100" },
  });
  const bob = await createUser(scim, "bob@example.com", {
    externalId: "B-2",
    displayName: "Bob Jones",
    title: "Manager",
    active: false,
    emails: [{ value: "bob@corp.example", type: "work" }],
    [SCIM.enterprise]: { department: "Sales" },
  });
  const carol = await createUser(scim, "carol@sample.org", {
    displayName: "Carol",
    nickName: "Caz",
    emails: [{ value: "carol@home.example", type: "home" }],
  });
  await createUser(scim, "dave+test@example.com", { title: "engineer", name: undefined });
  const admins = await createGroup(scim, "Admins", [alice.id]);
  const everyone = await createGroup(scim, "Everyone", [alice.id, bob.id, carol.id], { externalId: "all" });
  await createGroup(scim, 'R&D "Core" Ü');

  const cases: [string, string[]][] = [
    ['userName eq "ALICE@example.com"', ["alice@example.com"]],
    ['USERNAME Eq "alice@example.com"', ["alice@example.com"]],
    [`${SCIM.user}:userName eq "bob@example.com"`, ["bob@example.com"]],
    ['externalId eq "A-1"', ["alice@example.com"]],
    ['externalId eq "a-1"', []],
    ['userName ne "alice@example.com"', ["bob@example.com", "carol@sample.org", "dave+test@example.com"]],
    ['userName co "EXAMPLE"', ["alice@example.com", "bob@example.com", "dave+test@example.com"]],
    ['userName sw "c"', ["carol@sample.org"]],
    ['userName ew ".org"', ["carol@sample.org"]],
    ['userName gt "bob@example.com"', ["carol@sample.org", "dave+test@example.com"]],
    ['userName le "bob@example.com"', ["alice@example.com", "bob@example.com"]],
    ["title pr", ["alice@example.com", "bob@example.com", "dave+test@example.com"]],
    ["not (title pr)", ["carol@sample.org"]],
    ['title eq "engineer"', ["alice@example.com", "dave+test@example.com"]],
    ["active eq false", ["bob@example.com"]],
    ["active eq true and title pr", ["alice@example.com", "dave+test@example.com"]],
    ['userName sw "a" or userName sw "b"', ["alice@example.com", "bob@example.com"]],
    ['(userName sw "a" or userName sw "b") and active eq true', ["alice@example.com"]],
    ['not (userName sw "a" or userName sw "b") and not (title pr)', ["carol@sample.org"]],
    ['emails[type eq "work"].value eq "bob@corp.example"', ["bob@example.com"]],
    ['emails[type eq "work" and value co "example.com"]', ["alice@example.com", "dave+test@example.com"]],
    ['emails[type eq "home"]', ["alice@example.com", "carol@sample.org"]],
    ['emails.value ew "home.example"', ["alice@example.com", "carol@sample.org"]],
    ['emails eq "carol@home.example"', ["carol@sample.org"]],
    ['emails.type eq "work" and not (emails.value co "corp")', ["alice@example.com", "dave+test@example.com"]],
    ['not (emails pr) or emails[type eq "home"]', ["alice@example.com", "carol@sample.org"]],
    [`${SCIM.enterprise}:department eq "sales"`, ["bob@example.com"]],
    ['name.familyName eq "smith"', ["alice@example.com"]],
    ['displayName co "o"', ["bob@example.com", "carol@sample.org"]],
    ['nickName eq "Caz"', ["carol@sample.org"]],
    ['meta.created gt "2000-01-01T00:00:00Z"', ["alice@example.com", "bob@example.com", "carol@sample.org", "dave+test@example.com"]],
    ['meta.lastModified lt "2000-01-01T00:00:00Z"', []],
    [`id eq "${carol.id}"`, ["carol@sample.org"]],
    [`groups.value eq "${admins.id}"`, ["alice@example.com"]],
    [`groups[value eq "${everyone.id}"] and active eq true`, ["alice@example.com", "carol@sample.org"]],
  ];
  for (const [filter, expected] of cases) {
    expect(await userNames(scim, filter), filter).toEqual(expected);
  }

  const groupCases: [string, string[]][] = [
    ['displayName eq "admins"', ["Admins"]],
    [`members[value eq "${bob.id}"]`, ["Everyone"]],
    [`members.value eq "${alice.id}"`, ["Admins", "Everyone"]],
    ['displayName sw "E" and members pr', ["Everyone"]],
    ['externalId eq "all"', ["Everyone"]],
    [`id eq "${admins.id}" or id eq "${everyone.id}"`, ["Admins", "Everyone"]],
    // Quotes escaped per RFC 7159, non-ASCII compared case-insensitively.
    ['displayName eq "r&d \\"core\\" ü"', ['R&D "Core" Ü']],
    ["not (members pr)", ['R&D "Core" Ü']],
  ];
  for (const [filter, expected] of groupCases) {
    const body = await list(scim, `Groups?excludedAttributes=members&${filterQuery(filter)}`);
    expect(body.Resources.map((g) => g.displayName), filter).toEqual(expected);
  }

  // Query decoding: `+` is a space, %XX is decoded (Entra and Okta encode differently).
  const raw = async (query: string) => (await list(scim, `Users?${query}`)).Resources.map((u) => u.userName);
  expect(await raw("filter=userName+eq+%22dave%2Btest%40example.com%22")).toEqual(["dave+test@example.com"]);
  expect(await raw("filter=userName%20eq%20%22alice%40example.com%22&startIndex=1&count=100")).toEqual(["alice@example.com"]);
  expect(await raw("filter=externalId+eq+%22B-2%22")).toEqual(["bob@example.com"]);
  expect(await raw("Filter=userName+eq+%22carol%40sample.org%22")).toEqual(["carol@sample.org"]);

  const invalid = [
    "userName eq",
    'userName xx "a"',
    '(userName eq "a"',
    'userName eq "a" and',
    'name eq "Alice"',
    'meta.location eq "x"',
    'emails[type eq "work"',
    // An unquoted value is read by the attribute's type (issue 10): `title eq true` compares the text "true",
    // but a boolean attribute still needs a boolean.
    "active eq maybe",
    'userName eq "a" garbage',
    "userName eq a garbage",
  ];
  for (const filter of invalid) {
    await expectScimError(await scim.get(`Users?${filterQuery(filter)}`), 400, "invalidFilter");
  }
  await expectScimError(await scim.get(`Groups?${filterQuery('members.display eq "x"')}`), 400, "invalidFilter");
});

test("projection, sorting and POST /.search", async ({ tenant }) => {
  const { scim } = tenant;
  const names = [
    ["mia@example.com", "Mia", "Zeta", "2"],
    ["lea@example.com", "Lea", "Alpha", "3"],
    ["ben@example.com", "Ben", "Mu", "1"],
  ];
  for (const [userName, givenName, familyName, employeeNumber] of names) {
    await createUser(scim, userName, {
      name: { givenName, familyName },
      emails: [
        // The first email orders the users differently from the primary one.
        { value: `${familyName.toLowerCase()}@home.example`, type: "home" },
        { value: userName, type: "work", primary: true },
      ],
      [SCIM.enterprise]: { employeeNumber, department: "Ops" },
    });
  }

  const chosen = await list(scim, "Users?attributes=userName,name.familyName,emails.value");
  expect(chosen.Resources[0]).toEqual({
    id: expect.any(String),
    schemas: [SCIM.user, SCIM.enterprise],
    userName: "mia@example.com",
    name: { familyName: "Zeta" },
    emails: [{ value: "zeta@home.example" }, { value: "mia@example.com" }],
  });
  const enterpriseOnly = await list(scim, `Users?attributes=${encodeURIComponent(`${SCIM.enterprise}:employeeNumber`)}`);
  expect(enterpriseOnly.Resources[0][SCIM.enterprise]).toEqual({ employeeNumber: "2" });
  expect(enterpriseOnly.Resources[0].userName).toBeUndefined();
  const excluded = await list(scim, "Users?excludedAttributes=emails,name.givenName,groups,meta");
  expect(excluded.Resources[0]).toEqual({
    schemas: [SCIM.user, SCIM.enterprise],
    id: expect.any(String),
    userName: "mia@example.com",
    name: { familyName: "Zeta" },
    active: true,
    [SCIM.enterprise]: { employeeNumber: "2", department: "Ops" },
  });
  const one = await expectJson(await scim.get(`Users/${excluded.Resources[0].id}?attributes=USERNAME`), 200);
  expect(Object.keys(one).sort()).toEqual(["id", "schemas", "userName"]);

  const sorted = async (query: string) => (await list(scim, `Users?${query}`)).Resources.map((u) => u.userName);
  expect(await sorted("sortBy=userName")).toEqual(["ben@example.com", "lea@example.com", "mia@example.com"]);
  expect(await sorted("sortBy=userName&sortOrder=descending")).toEqual(["mia@example.com", "lea@example.com", "ben@example.com"]);
  expect(await sorted("sortBy=name.familyName")).toEqual(["lea@example.com", "ben@example.com", "mia@example.com"]);
  expect(await sorted(`sortBy=${encodeURIComponent(`${SCIM.enterprise}:employeeNumber`)}&sortOrder=DESCENDING`)).toEqual([
    "lea@example.com",
    "mia@example.com",
    "ben@example.com",
  ]);
  // A multi-valued attribute sorts by its primary value (RFC 7644 §3.4.2.3).
  expect(await sorted("sortBy=emails")).toEqual(["ben@example.com", "lea@example.com", "mia@example.com"]);
  expect(await sorted("sortBy=userName&sortOrder=descending&startIndex=2&count=1")).toEqual(["lea@example.com"]);
  await expectScimError(await scim.get("Users?sortBy=shoeSize"), 400, "invalidValue");
  await expectScimError(await scim.get("Users?sortBy=userName&sortOrder=sideways"), 400, "invalidValue");

  const search = await expectJson<ListBody>(
    await scim.post("Users/.search", {
      data: {
        schemas: [SCIM.searchRequest],
        filter: 'userName ew "@example.com" and name.familyName ne "Mu"',
        attributes: ["userName"],
        sortBy: "userName",
        sortOrder: "descending",
        startIndex: 1,
        count: 10,
      },
    }),
    200,
  );
  expect(search).toMatchObject({ schemas: [SCIM.listResponse], totalResults: 2, itemsPerPage: 2, startIndex: 1 });
  expect(search.Resources.map((u: Json) => Object.keys(u).sort())).toEqual([["id", "schemas", "userName"], ["id", "schemas", "userName"]]);
  expect(search.Resources.map((u: Json) => u.userName)).toEqual(["mia@example.com", "lea@example.com"]);
  const paged = await expectJson<ListBody>(await scim.post("users/.SEARCH", { data: { excludedAttributes: "emails", startIndex: 3, count: 5 } }), 200);
  expect(paged).toMatchObject({ totalResults: 3, itemsPerPage: 1, startIndex: 3 });
  expect(paged.Resources[0].emails).toBeUndefined();
  await createGroup(scim, "Searchers");
  const groups = await expectJson<ListBody>(await scim.post("Groups/.search", { data: { filter: 'displayName sw "search"' } }), 200);
  expect(groups.Resources.map((g: Json) => g.displayName)).toEqual(["Searchers"]);
  await expectScimError(await scim.post("Users/.search", { data: { filter: "userName zz 1" } }), 400, "invalidFilter");
  await expectScimError(await scim.post("Users/.search", { data: ["userName"] }), 400, "invalidSyntax");
  await expectScimError(await scim.get("Users/.search"), 405);
});

test("paging: startIndex/count with stable order and totals, the advertised maximum page size, RFC 9865 cursors", async ({ tenant }) => {
  const { scim } = tenant;
  const operations = Array.from({ length: 205 }, (_, i) => ({
    method: "POST",
    path: "/Groups",
    bulkId: `g${i}`,
    data: { schemas: [SCIM.group], displayName: `G-${String(i).padStart(3, "0")}` },
  }));
  const bulk = await expectJson(await scim.post("Bulk", { data: { schemas: [SCIM.bulkRequest], Operations: operations } }), 200);
  expect(bulk.Operations.filter((o: Json) => o.status === "201")).toHaveLength(205);
  const page = (query: string) => list(scim, `Groups?excludedAttributes=members&${query}`);

  const { maxPageSize } = (await expectJson(await scim.get("ServiceProviderConfig"), 200)).pagination;
  expect(maxPageSize).toBe(200);
  for (const query of ["count=1000", "", "count=200"]) {
    const body = await page(query);
    expect(body, query).toMatchObject({ totalResults: 205, itemsPerPage: 200, startIndex: 1 });
  }

  const all = (await page("count=200")).Resources.map((g) => g.id);
  const pages = [await page("startIndex=1&count=100"), await page("startIndex=101&count=100"), await page("startIndex=201&count=100")];
  expect(pages.map((p) => [p.startIndex, p.itemsPerPage, p.totalResults])).toEqual([[1, 100, 205], [101, 100, 205], [201, 5, 205]]);
  const indexed = pages.flatMap((p) => p.Resources.map((g) => g.id));
  expect(new Set(indexed).size).toBe(205);
  expect(indexed.slice(0, 200)).toEqual(all);
  expect((await page("startIndex=1&count=100")).Resources.map((g) => g.id)).toEqual(indexed.slice(0, 100));
  expect(await page("startIndex=300&count=10")).toMatchObject({ totalResults: 205, itemsPerPage: 0, startIndex: 300, Resources: [] });
  expect(await page("count=0")).toMatchObject({ totalResults: 205, itemsPerPage: 0, Resources: [] });
  expect(await page("startIndex=0&count=1")).toMatchObject({ startIndex: 1, itemsPerPage: 1 });
  expect(await page(`count=5&${filterQuery('displayName sw "G-20"')}`)).toMatchObject({ totalResults: 5, itemsPerPage: 5 });
  await expectScimError(await scim.get("Groups?count=ten"), 400, "invalidValue");
  await expectScimError(await scim.get("Groups?startIndex=1.5"), 400, "invalidValue");

  // RFC 9865: `cursor=` starts, `nextCursor` continues, the last page has none.
  const cursorIds: string[] = [];
  let cursor = "";
  const sizes: number[] = [];
  for (let i = 0; i < 5; i++) {
    const body = await page(`count=90&cursor=${encodeURIComponent(cursor)}`);
    expect(body.totalResults).toBe(205);
    sizes.push(body.itemsPerPage);
    cursorIds.push(...body.Resources.map((g) => g.id));
    if (!body.nextCursor) break;
    cursor = body.nextCursor;
  }
  expect(sizes).toEqual([90, 90, 25]);
  expect(cursorIds).toEqual(indexed);
  const filtered = await page(`cursor=&count=3&${filterQuery('displayName sw "G-00"')}`);
  expect(filtered).toMatchObject({ totalResults: 10, itemsPerPage: 3, nextCursor: expect.any(String) });
  await expectScimError(await scim.get("Groups?cursor=not-a-cursor"), 400, "invalidCursor");
  await expectScimError(await scim.get("Groups?cursor=&sortBy=displayName"), 400, "invalidValue");

  const descending = (await page("sortBy=displayName&sortOrder=descending&count=3")).Resources.map((g) => g.displayName);
  expect(descending).toEqual(["G-204", "G-203", "G-202"]);
});
