import { PgDialect } from "drizzle-orm/pg-core";
import { describe, expect, it } from "vitest";
import { ValidationError } from "@/lib/errors";
import { compileFilter, compileSortBy } from "./filter";
import { parseFilter } from "./filter-parse";
import type { ResourceKind } from "./schemas";

const dialect = new PgDialect();
const compile = (kind: ResourceKind, filter: string) => {
  const { sql, params } = dialect.sqlToQuery(compileFilter(kind, filter));
  return { sql, params };
};
const sortBy = (kind: ResourceKind, attribute: string) => dialect.sqlToQuery(compileSortBy(kind, attribute)).sql;

const ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

describe("parseFilter", () => {
  it.each([
    ['userName Eq "a"', { op: "eq", attrPath: "userName", compValue: "a" }],
    ['userName eq "a\\"b"', { op: "eq", attrPath: "userName", compValue: 'a"b' }],
    ['userName eq "a\\\\b"', { op: "eq", attrPath: "userName", compValue: "a\\b" }],
    ['userName eq "a\\\\"', { op: "eq", attrPath: "userName", compValue: "a\\" }],
    ['userName eq "CONTOSO\\jdoe"', { op: "eq", attrPath: "userName", compValue: "CONTOSO\\jdoe" }],
    ['userName eq "caf\\u00e9"', { op: "eq", attrPath: "userName", compValue: "café" }],
    ['userName eq "has ] and [ and ]. inside"', { op: "eq", attrPath: "userName", compValue: "has ] and [ and ]. inside" }],
    ["active EQ false", { op: "eq", attrPath: "active", compValue: false }],
    ['title PR', { op: "pr", attrPath: "title" }],
    [
      'a eq "1" OR b eq "2" AND c eq "3"',
      {
        op: "or",
        filters: [
          { op: "eq", attrPath: "a", compValue: "1" },
          { op: "and", filters: [{ op: "eq", attrPath: "b", compValue: "2" }, { op: "eq", attrPath: "c", compValue: "3" }] },
        ],
      },
    ],
    [
      'emails[type eq "work"].value eq "a@b.c"',
      {
        op: "[]",
        attrPath: "emails",
        valFilter: { op: "and", filters: [{ op: "eq", attrPath: "type", compValue: "work" }, { op: "eq", attrPath: "value", compValue: "a@b.c" }] },
      },
    ],
    [
      'emails[type eq "work" or (type eq "home")].value pr and userName eq "x"',
      {
        op: "and",
        filters: [
          {
            op: "[]",
            attrPath: "emails",
            valFilter: {
              op: "and",
              filters: [
                { op: "or", filters: [{ op: "eq", attrPath: "type", compValue: "work" }, { op: "eq", attrPath: "type", compValue: "home" }] },
                { op: "pr", attrPath: "value" },
              ],
            },
          },
          { op: "eq", attrPath: "userName", compValue: "x" },
        ],
      },
    ],
  ])("parses %s", (filter, ast) => {
    expect(parseFilter(filter)).toEqual(ast);
  });
});

/** Unquoted values (Microsoft's samples and reference parser, SCIMMY) are read by the attribute's type. */
describe("parseFilter with unquoted values", () => {
  it.each([
    ["userName sw O", { op: "sw", attrPath: "userName", compValue: "O" }],
    ["userName eq Ada.Lovelace@example.com", { op: "eq", attrPath: "userName", compValue: "Ada.Lovelace@example.com" }],
    [
      "meta.created gt 2015-10-10T14:38:21.8617979-07:00",
      { op: "gt", attrPath: "meta.created", compValue: "2015-10-10T14:38:21.8617979-07:00" },
    ],
    ["userName eq 007", { op: "eq", attrPath: "userName", compValue: "007" }],
    ["active eq True", { op: "eq", attrPath: "active", compValue: "True" }],
    ["active eq true", { op: "eq", attrPath: "active", compValue: true }],
    ["employeeNumber eq 42", { op: "eq", attrPath: "employeeNumber", compValue: 42 }],
    ["title eq null", { op: "eq", attrPath: "title", compValue: null }],
    ['userName eq "quoted stays" or title eq bare', {
      op: "or",
      filters: [
        { op: "eq", attrPath: "userName", compValue: "quoted stays" },
        { op: "eq", attrPath: "title", compValue: "bare" },
      ],
    }],
    [
      "name.familyName eq Employee and (emails.value co example.com or emails.value co example.org)",
      {
        op: "and",
        filters: [
          { op: "eq", attrPath: "name.familyName", compValue: "Employee" },
          {
            op: "or",
            filters: [
              { op: "co", attrPath: "emails.value", compValue: "example.com" },
              { op: "co", attrPath: "emails.value", compValue: "example.org" },
            ],
          },
        ],
      },
    ],
    ["emails[type eq work]", { op: "[]", attrPath: "emails", valFilter: { op: "eq", attrPath: "type", compValue: "work" } }],
    [
      "emails[type eq work].value eq a@b.c",
      {
        op: "[]",
        attrPath: "emails",
        valFilter: { op: "and", filters: [{ op: "eq", attrPath: "type", compValue: "work" }, { op: "eq", attrPath: "value", compValue: "a@b.c" }] },
      },
    ],
  ])("parses %s", (filter, ast) => {
    expect(parseFilter(filter)).toEqual(ast);
  });

  it.each<[ResourceKind, string, string]>([
    ["User", "userName sw O", 'userName sw "O"'],
    ["User", "userName eq true", 'userName eq "true"'],
    ["User", "userName eq 42", 'userName eq "42"'],
    ["User", "active eq False", "active eq false"],
    ["User", "active ne TRUE", "active ne true"],
    ["User", "meta.created gt 2015-10-10T14:38:21.8617979-07:00", 'meta.created gt "2015-10-10T21:38:21.861Z"'],
    ["User", "meta.lastModified le 2015-10-10T14:38:21+0530", 'meta.lastModified le "2015-10-10T09:08:21Z"'],
    ["User", "meta.created ge 2024-01-31", 'meta.created ge "2024-01-31"'],
    ["User", "customCount gt 5", "customCount gt 5"],
    ["Group", "displayName eq Admins", 'displayName eq "Admins"'],
  ])("%s: %s compiles as %s", (kind, bare, quoted) => {
    expect(compile(kind, bare)).toEqual(compile(kind, quoted));
  });
});

describe("compileFilter", () => {
  it.each<[ResourceKind, string, string, unknown[]]>([
    ["User", 'userName eq "Ada@Example.com"', 'lower("scim_users"."user_name") = lower($1)', ["Ada@Example.com"]],
    ["User", 'USERNAME Eq "a"', 'lower("scim_users"."user_name") = lower($1)', ["a"]],
    ["User", 'externalId eq "Ext-1"', '"scim_users"."external_id" = $1', ["Ext-1"]],
    ["User", 'id eq "not-a-uuid"', '"scim_users"."id"::text = $1', ["not-a-uuid"]],
    ["User", 'displayName ne "x"', 'lower("scim_users"."display_name") is distinct from lower($1)', ["x"]],
    ["User", "active eq true", '"scim_users"."active" = $1', [true]],
    ["User", 'active eq "False"', '"scim_users"."active" = $1', [false]],
    ["User", 'userName co "50%_\\\\"', `lower("scim_users"."user_name") like lower($1) escape '\\'`, ["%50\\%\\_\\\\%"]],
    ["User", 'userName sw "a"', `lower("scim_users"."user_name") like lower($1) escape '\\'`, ["a%"]],
    ["User", 'externalId ew "Z"', `"scim_users"."external_id" like $1 escape '\\'`, ["%Z"]],
    ["User", 'userName gt "m"', 'lower("scim_users"."user_name") collate "C" > lower($1)', ["m"]],
    [
      "User",
      'meta.created ge "2024-01-31"',
      `date_trunc('milliseconds', "scim_users"."created_at") >= $1::timestamptz`,
      ["2024-01-31T00:00:00.000Z"],
    ],
    ["User", 'meta.resourceType eq "User"', "$1::text = $2", ["User", "User"]],
    ["User", 'name.givenName eq "Ada"', 'lower(("scim_users"."resource" -> $1 ->> $2)) = lower($3)', ["name", "givenName", "Ada"]],
    [
      "User",
      `${ENTERPRISE}:manager.value eq "M-1"`,
      'lower(("scim_users"."resource" -> $1 -> $2 ->> $3)) = lower($4)',
      [ENTERPRISE, "manager", "value", "M-1"],
    ],
    [
      "User",
      "customFlag eq true",
      `(case when jsonb_typeof("scim_users"."resource" -> $1) = 'boolean' then ("scim_users"."resource" -> $2)::boolean end) = $3`,
      ["customFlag", "customFlag", true],
    ],
    ["User", "title eq null", `not coalesce("scim_users"."resource" -> $1 not in ('null'::jsonb, '""'::jsonb, '[]'::jsonb, '{}'::jsonb), false)`, ["title"]],
    [
      "Group",
      'displayName eq "Admins"',
      'lower("scim_groups"."display_name") = lower($1)',
      ["Admins"],
    ],
    [
      "Group",
      'members.value eq "0b0e2c1c-0000-4000-8000-000000000001"',
      'exists (select 1 from "scim_group_members" where "scim_group_members"."group_id" = "scim_groups"."id" and "scim_group_members"."user_id"::text = $1)',
      ["0b0e2c1c-0000-4000-8000-000000000001"],
    ],
    [
      "User",
      'groups[value eq "g"]',
      'exists (select 1 from "scim_group_members" where "scim_group_members"."user_id" = "scim_users"."id" and "scim_group_members"."group_id"::text = $1)',
      ["g"],
    ],
    ["Group", "members pr", 'exists (select 1 from "scim_group_members" where "scim_group_members"."group_id" = "scim_groups"."id")', []],
  ])("%s: %s", (kind, filter, text, params) => {
    expect(compile(kind, filter)).toEqual({ sql: text, params });
  });

  it("keeps every condition of a value path on the same element, Entra's .value form included", () => {
    const { sql, params } = compile("User", 'emails[type eq "work"].value eq "a@b.c"');
    expect(sql.match(/exists/g)).toHaveLength(1);
    expect(sql).toContain("as e(item) where (lower((e.item ->> $3)) = lower($4) and lower((e.item ->> $5)) = lower($6))");
    expect(params).toEqual(["emails", "emails", "type", "work", "value", "a@b.c"]);
  });

  it("reads `emails eq` as the value sub-attribute of any element", () => {
    expect(compile("User", 'emails eq "a@b.c"')).toEqual(compile("User", 'emails[value eq "a@b.c"]'));
    expect(compile("User", 'Emails.Value eq "a@b.c"')).toEqual(compile("User", 'emails[value eq "a@b.c"]'));
  });

  it("binds hostile values and attribute names instead of writing them into the SQL", () => {
    const { sql, params } = compile("User", `userName eq "x'); drop table scim_users; --" or weird-Attr.sub eq "y"`);
    expect(sql).not.toContain("drop");
    expect(sql).not.toContain("weird");
    expect(params).toEqual(["x'); drop table scim_users; --", "weird-Attr", "sub", "y"]);
  });

  it("makes `not` treat a comparison with an absent attribute as false", () => {
    expect(compile("User", 'not (title eq "x")').sql).toBe(
      '(not coalesce(lower(("scim_users"."resource" ->> $1)) = lower($2), false))',
    );
  });

  it.each<[ResourceKind, string]>([
    ["User", ""],
    ["User", "userName eq"],
    ["User", 'userName zz "x"'],
    ["User", '(userName eq "a"'],
    ["User", 'userName eq "a")'],
    ["User", 'userName eq "a'],
    ["User", 'userName eq "a" userName eq "b"'],
    ["User", "active gt true"],
    ["User", "active le false"],
    ["User", 'active co "t"'],
    ["User", 'active eq "yes"'],
    ["User", "userName eq"],
    ["User", "userName eq O P"],
    ["User", "userName sw O)"],
    ["User", "meta.created gt 2015-10-10T25:38:21-07:00"],
    ["User", "meta.created gt yesterday"],
    ["User", "meta.created gt 2015"],
    ["User", "active eq maybe"],
    ["User", "customCount gt"],
    ["User", "userName gt null"],
    ["User", 'meta.created gt "not a date"'],
    ["User", 'meta.created gt "2024-13-45T99:00:00Z"'],
    ["User", 'meta.created co "2024"'],
    ["User", 'meta.location eq "https://x"'],
    ["User", "meta pr"],
    ["User", 'name eq "Ada"'],
    ["User", 'addresses eq "x"'],
    ["User", 'x509Certificates.value gt "a"'],
    ["User", 'emails[type eq "work"'],
    ["User", 'emails[type eq "work"]]'],
    ["User", 'emails[type eq "work"].value'],
    ["User", 'emails[value[type eq "x"]]'],
    ["User", 'emails[type.x eq "y"]'],
    ["User", 'title[value eq "x"]'],
    ["User", 'emails.value[type eq "work"]'],
    ["User", 'a.b.c eq "x"'],
    ["User", 'a/b eq "x"'],
    ["User", 'groups.display eq "Admins"'],
    ["Group", 'members.display eq "Ada"'],
    ["Group", 'members[type eq "User"]'],
    ["Group", 'displayName eq "x" and customFlag gt true'],
    ["User", `${"not (".repeat(40)}userName eq "a"${")".repeat(40)}`],
    ["User", Array.from({ length: 1_000 }, (_, i) => `userName eq "user-${i}"`).join(" or ")],
    // Found by the fuzzer: PostgreSQL text cannot hold U+0000, quoted or bare.
    ["User", 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value le "\u0000x"'],
    ["User", "userName eq a\u0000b"],
    // and written as a JSON escape inside a string, which decodes to it.
    ["User", 'IO eq "a\\u0000b"'],
    ["Group", 'displayName eq "\\u0000"'],
    // Found by the fuzzer: a logical operator where a value belongs was read as the bare value "and" …
    ["User", "(emails co  and not (emails.value pr))"],
    ["User", "emails co and"],
    // … and a value followed by `not`, which the library parses into a tree with a hole in it.
    ["User", 'emails co "x" not (emails.value pr)'],
  ])("%s: rejects %s as invalidFilter", (kind, filter) => {
    let error: unknown;
    try {
      compileFilter(kind, filter);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toMatchObject({ scimType: "invalidFilter" });
  });
});

describe("compileSortBy", () => {
  it.each<[ResourceKind, string, string]>([
    ["User", "userName", 'lower("scim_users"."user_name") collate "C"'],
    ["User", "externalId", '"scim_users"."external_id" collate "C"'],
    ["User", "meta.lastModified", '"scim_users"."updated_at"'],
    ["User", "name.familyName", 'lower(("scim_users"."resource" -> $1 ->> $2)) collate "C"'],
    ["Group", "DISPLAYNAME", 'lower("scim_groups"."display_name") collate "C"'],
  ])("%s: %s", (kind, attribute, text) => {
    expect(sortBy(kind, attribute)).toBe(text);
  });

  it.each([
    ["ascending", 'lower("scim_users"."user_name") collate "C" asc'],
    ["descending", 'lower("scim_users"."user_name") collate "C" desc'],
  ] as const)("adds the direction for sortOrder=%s", (order, text) => {
    expect(dialect.sqlToQuery(compileSortBy("User", "userName", order)).sql).toBe(text);
  });

  it("sorts a multi-valued attribute by its primary value, else its first", () => {
    expect(sortBy("User", "emails")).toBe(
      "lower((select (e.item ->> $1) from jsonb_array_elements(case when jsonb_typeof(\"scim_users\".\"resource\" -> $2) = 'array' then \"scim_users\".\"resource\" -> $3 else '[]'::jsonb end) with ordinality as e(item, n) order by coalesce(e.item -> 'primary' = 'true'::jsonb, false) desc, e.n limit 1)) collate \"C\"",
    );
  });

  it.each<[ResourceKind, string]>([
    ["User", "nosuch"],
    ["User", "name"],
    ["User", "addresses"],
    ["User", "groups"],
    ["User", "meta.location"],
    ["Group", "members"],
    ["Group", "userName"],
    ["User", "a'b"],
  ])("%s: rejects %s as invalidValue", (kind, attribute) => {
    expect(() => compileSortBy(kind, attribute)).toThrow(expect.objectContaining({ scimType: "invalidValue" }));
  });
});
