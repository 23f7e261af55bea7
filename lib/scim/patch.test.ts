import { describe, expect, it } from "vitest";
import { ValidationError } from "@/lib/errors";
import { applyPatch, memberOnlyChanges, parsePatchRequest, patchMayTouch, planGroupPatch, type MemberChanges } from "./patch";

const PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
const CORE_USER = "urn:ietf:params:scim:schemas:core:2.0:User";
const ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

type Json = Record<string, unknown>;

const body = (...operations: unknown[]) => ({ schemas: [PATCH_OP], Operations: operations });
const patchUser = (resource: Json, ...operations: unknown[]) => applyPatch("User", resource, parsePatchRequest(body(...operations)));
const patchGroup = (resource: Json, ...operations: unknown[]) => planGroupPatch(resource, parsePatchRequest(body(...operations)));

/** The scimType of the ValidationError thrown by `run`, or what else happened. */
function scimTypeOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    return error instanceof ValidationError ? error.scimType : `unexpected ${String(error)}`;
  }
  return "no error";
}

const WORK = { value: "bjensen@example.com", type: "work", primary: true };
const USER: Json = {
  schemas: [CORE_USER],
  userName: "bjensen@example.com",
  active: true,
  name: { givenName: "Barbara", familyName: "Jensen" },
  emails: [WORK],
};
const withUser = (extra: Json): Json => ({ ...USER, ...extra });
const HOME = { value: "babs@home.example", type: "home" };

describe("parsePatchRequest", () => {
  it.each([
    { name: "capitalised ops (Entra)", op: "Add", expected: "add" },
    { name: "upper-case op", op: "REPLACE", expected: "replace" },
    { name: "lower-case op", op: "remove", expected: "remove" },
  ])("normalises $name", ({ op, expected }) => {
    expect(parsePatchRequest(body({ op, path: "nickName", value: "x" }))).toEqual([{ op: expected, path: "nickName", value: "x" }]);
  });

  it.each([
    { name: "lower-case operations", input: { schemas: [PATCH_OP], operations: [{ op: "add", path: "title", value: "x" }] } },
    { name: "Operations before schemas (Entra tutorial)", input: { Operations: [{ op: "add", path: "title", value: "x" }], schemas: [PATCH_OP] } },
    { name: "capitalised member names", input: { Schemas: [PATCH_OP], OPERATIONS: [{ Op: "add", Path: "title", Value: "x" }] } },
  ])("accepts $name", ({ input }) => {
    expect(parsePatchRequest(input)).toEqual([{ op: "add", path: "title", value: "x" }]);
  });

  it.each([
    { name: "empty path", raw: { op: "replace", path: "", value: { title: "x" } }, expected: { op: "replace", value: { title: "x" } } },
    { name: "null path", raw: { op: "replace", path: null, value: { title: "x" } }, expected: { op: "replace", value: { title: "x" } } },
    { name: "padded path", raw: { op: "remove", path: " title " }, expected: { op: "remove", path: "title" } },
  ])("drops or trims an $name", ({ raw, expected }) => {
    expect(parsePatchRequest(body(raw))).toEqual([expected]);
  });

  it.each([
    { name: "a non-object body", input: "nope", scimType: "invalidSyntax" },
    { name: "no schemas", input: { Operations: [{ op: "add", path: "title", value: "x" }] }, scimType: "invalidSyntax" },
    { name: "the wrong schema", input: { schemas: [CORE_USER], Operations: [{ op: "add" }] }, scimType: "invalidSyntax" },
    { name: "no Operations", input: { schemas: [PATCH_OP] }, scimType: "invalidSyntax" },
    { name: "empty Operations", input: body(), scimType: "invalidSyntax" },
    { name: "Operations not an array", input: { schemas: [PATCH_OP], Operations: { op: "add" } }, scimType: "invalidSyntax" },
    { name: "an operation without op", input: body({ path: "title", value: "x" }), scimType: "invalidSyntax" },
    { name: "a non-string path", input: body({ op: "add", path: 7, value: "x" }), scimType: "invalidSyntax" },
    { name: "an unknown op", input: body({ op: "move", path: "title", value: "x" }), scimType: "invalidValue" },
  ])("rejects $name", ({ input, scimType }) => {
    expect(scimTypeOf(() => parsePatchRequest(input))).toBe(scimType);
  });
});

describe("applyPatch: add (RFC 7644 §3.5.2.1)", () => {
  it.each([
    {
      name: "pathless value merges attributes and appends multi-valued ones",
      op: { op: "add", value: { nickName: "Babs", emails: [HOME] } },
      expected: withUser({ nickName: "Babs", emails: [WORK, HOME] }),
    },
    {
      name: "pathless complex value merges sub-attributes",
      op: { op: "add", value: { name: { middleName: "J" } } },
      expected: withUser({ name: { givenName: "Barbara", familyName: "Jensen", middleName: "J" } }),
    },
    { name: "path to a single-valued attribute sets it", op: { op: "add", path: "title", value: "Tour Guide" }, expected: withUser({ title: "Tour Guide" }) },
    { name: "path to a set attribute replaces it", op: { op: "add", path: "userName", value: "babs" }, expected: withUser({ userName: "babs" }) },
    {
      name: "path to an absent multi-valued attribute creates it",
      op: { op: "add", path: "addresses", value: { streetAddress: "1 Main St", type: "work" } },
      expected: withUser({ addresses: [{ streetAddress: "1 Main St", type: "work" }] }),
    },
    {
      name: "path to a multi-valued attribute appends an array",
      op: { op: "add", path: "emails", value: [HOME] },
      expected: withUser({ emails: [WORK, HOME] }),
    },
    {
      name: "path to a multi-valued attribute appends a single object",
      op: { op: "add", path: "phoneNumbers", value: { value: "555-1234", type: "work" } },
      expected: withUser({ phoneNumbers: [{ value: "555-1234", type: "work" }] }),
    },
    {
      name: "exact duplicates are skipped, whatever the key order",
      op: { op: "add", path: "emails", value: [{ primary: true, type: "work", value: "bjensen@example.com" }, HOME, HOME] },
      expected: withUser({ emails: [WORK, HOME] }),
    },
    {
      name: "a new primary value takes primary from the others (RFC 7643 §2.4)",
      op: { op: "add", path: "emails", value: { ...HOME, primary: true } },
      expected: withUser({ emails: [{ value: "bjensen@example.com", type: "work" }, { ...HOME, primary: true }] }),
    },
  ])("$name", ({ op, expected }) => {
    expect(patchUser(USER, op)).toEqual(expected);
  });

  it("sets a sub-attribute and creates its parent", () => {
    const { name: _name, ...nameless } = USER;
    expect(patchUser(nameless, { op: "add", path: "name.givenName", value: "Babs" })).toEqual({ ...nameless, name: { givenName: "Babs" } });
  });
});

describe("applyPatch: replace (RFC 7644 §3.5.2.3)", () => {
  it.each([
    {
      name: "pathless value with dotted and URN keys (Entra), declaring the extension in schemas",
      op: { op: "replace", value: { displayName: "Babs", "name.givenName": "Babs", [`${ENTERPRISE}:employeeNumber`]: "701984" } },
      expected: withUser({
        schemas: [CORE_USER, ENTERPRISE],
        displayName: "Babs",
        name: { givenName: "Babs", familyName: "Jensen" },
        [ENTERPRISE]: { employeeNumber: "701984" },
      }),
    },
    { name: "pathless {active:false} (Okta)", op: { op: "replace", value: { active: false } }, expected: withUser({ active: false }) },
    {
      name: "pathless read-only attributes are ignored",
      op: { op: "replace", value: { id: "other", meta: { version: "W/1" }, groups: [{ value: "g" }], title: "CEO" } },
      expected: withUser({ title: "CEO" }),
    },
    { name: "boolean strings are coerced (Entra)", op: { op: "replace", path: "active", value: "False" }, expected: withUser({ active: false }) },
    {
      name: "a multi-valued attribute without filter is replaced whole",
      op: { op: "replace", path: "emails", value: [HOME] },
      expected: withUser({ emails: [HOME] }),
    },
    {
      name: "a complex attribute keeps sub-attributes not given",
      op: { op: "replace", path: "name", value: { givenName: "Babs" } },
      expected: withUser({ name: { givenName: "Babs", familyName: "Jensen" } }),
    },
    { name: "null clears an attribute (RFC 7643 §2.5)", op: { op: "replace", path: "name", value: null }, expected: withUser({ name: undefined }) },
    {
      name: "null in a complex value clears that sub-attribute",
      op: { op: "replace", path: "name", value: { familyName: null } },
      expected: withUser({ name: { givenName: "Barbara" } }),
    },
  ])("$name", ({ op, expected }) => {
    expect(patchUser(USER, op)).toEqual(JSON.parse(JSON.stringify(expected)));
  });
});

describe("applyPatch: value filters", () => {
  const twoEmails = withUser({ emails: [WORK, HOME] });
  const noEmails = withUser({ emails: undefined });
  const WORK_ADDRESS = { type: "work", streetAddress: "1 Main St", locality: "Hollywood" };

  it.each([
    {
      name: "replace a sub-attribute of the matching value",
      resource: twoEmails,
      op: { op: "replace", path: 'emails[type eq "work"].value', value: "babs@example.com" },
      expected: withUser({ emails: [{ value: "babs@example.com", type: "work", primary: true }, HOME] }),
    },
    {
      name: "replace a filtered sub-attribute that matches nothing creates the value (Entra)",
      resource: noEmails,
      op: { op: "replace", path: 'emails[type eq "work"].value', value: "babs@example.com" },
      expected: withUser({ emails: [{ type: "work", value: "babs@example.com" }] }),
    },
    {
      name: "add a filtered value that matches nothing creates it from the filter",
      resource: USER,
      op: { op: "add", path: 'phoneNumbers[type eq "mobile"]', value: { value: "555-0100" } },
      expected: withUser({ phoneNumbers: [{ type: "mobile", value: "555-0100" }] }),
    },
    {
      name: "replace a whole matching value, keeping the filter's terms",
      resource: twoEmails,
      op: { op: "replace", path: 'emails[type eq "home"]', value: { value: "new@home.example" } },
      expected: withUser({ emails: [WORK, { type: "home", value: "new@home.example" }] }),
    },
    {
      name: "add to a matching value merges into it",
      resource: twoEmails,
      op: { op: "add", path: 'emails[type eq "home"]', value: { display: "Home" } },
      expected: withUser({ emails: [WORK, { ...HOME, display: "Home" }] }),
    },
    {
      name: "replace a sub-attribute of a work address",
      resource: withUser({ addresses: [WORK_ADDRESS] }),
      op: { op: "replace", path: 'addresses[type eq "work"].streetAddress', value: "2 Side St" },
      expected: withUser({ addresses: [{ ...WORK_ADDRESS, streetAddress: "2 Side St" }] }),
    },
    {
      name: "replace a sub-attribute of a work address that does not exist yet",
      resource: USER,
      op: { op: "replace", path: 'addresses[type eq "work"].streetAddress', value: "2 Side St" },
      expected: withUser({ addresses: [{ type: "work", streetAddress: "2 Side St" }] }),
    },
    {
      name: "string values match case-insensitively",
      resource: twoEmails,
      op: { op: "replace", path: 'emails[type eq "HOME"].display', value: "Home" },
      expected: withUser({ emails: [WORK, { ...HOME, display: "Home" }] }),
    },
    {
      name: "an and-filter creates a value with all its eq terms",
      resource: noEmails,
      op: { op: "replace", path: 'emails[type eq "work" and primary eq true].value', value: "a@b.c" },
      expected: withUser({ emails: [{ type: "work", primary: true, value: "a@b.c" }] }),
    },
    {
      name: "making a filtered value primary takes primary from the others",
      resource: twoEmails,
      op: { op: "replace", path: 'emails[type eq "home"].primary', value: "True" },
      expected: withUser({ emails: [{ value: "bjensen@example.com", type: "work" }, { ...HOME, primary: true }] }),
    },
    {
      name: "remove the matching values",
      resource: twoEmails,
      op: { op: "remove", path: 'emails[type eq "home"]' },
      expected: USER,
    },
    {
      name: "remove a sub-attribute of the matching values",
      resource: twoEmails,
      op: { op: "remove", path: 'emails[type eq "work"].primary' },
      expected: withUser({ emails: [{ value: "bjensen@example.com", type: "work" }, HOME] }),
    },
    {
      name: "a value left without sub-attributes is dropped",
      resource: withUser({ ims: [{ value: "babs" }] }),
      op: { op: "remove", path: 'ims[value eq "babs"].value' },
      expected: USER,
    },
    {
      name: "pr matches assigned sub-attributes only",
      resource: withUser({ emails: [{ ...WORK, display: "Work" }, { ...HOME, display: "" }] }),
      op: { op: "remove", path: "emails[display pr]" },
      expected: withUser({ emails: [{ ...HOME, display: "" }] }),
    },
    { name: "remove with a filter matching nothing is no error", resource: USER, op: { op: "remove", path: 'emails[type eq "other"]' }, expected: USER },
    {
      name: "removing the last value removes the attribute",
      resource: USER,
      op: { op: "remove", path: 'emails[value eq "BJENSEN@example.com"]' },
      expected: withUser({ emails: undefined }),
    },
  ])("$name", ({ resource, op, expected }) => {
    expect(patchUser(resource, op)).toEqual(JSON.parse(JSON.stringify(expected)));
  });

  it.each([
    { name: "an or-filter matching nothing cannot create a value", path: 'emails[type eq "work" or type eq "home"].value', scimType: "noTarget" },
    { name: "a non-eq filter matching nothing cannot create a value", path: 'emails[type sw "wo"].value', scimType: "noTarget" },
    { name: "a filter on a single-valued attribute", path: 'name[givenName eq "x"].familyName', scimType: "invalidPath" },
  ])("rejects $name", ({ path, scimType }) => {
    expect(scimTypeOf(() => patchUser(withUser({ emails: undefined }), { op: "replace", path, value: "x" }))).toBe(scimType);
  });
});

describe("applyPatch: remove (RFC 7644 §3.5.2.2)", () => {
  const withRoles = withUser({ roles: [{ value: "admin" }, { value: "billing" }, { value: "viewer" }] });

  it.each([
    { name: "an attribute", resource: withUser({ title: "CEO" }), op: { op: "remove", path: "title" }, expected: USER },
    { name: "a sub-attribute", resource: USER, op: { op: "remove", path: "name.familyName" }, expected: withUser({ name: { givenName: "Barbara" } }) },
    {
      name: "the last sub-attribute removes the parent",
      resource: withUser({ name: { givenName: "Barbara" } }),
      op: { op: "remove", path: "name.givenName" },
      expected: withUser({ name: undefined }),
    },
    { name: "a multi-valued attribute without value", resource: withRoles, op: { op: "remove", path: "roles" }, expected: USER },
    {
      name: "the listed values of a multi-valued attribute (Entra)",
      resource: withRoles,
      op: { op: "remove", path: "roles", value: [{ value: "admin" }, { value: "viewer" }] },
      expected: withUser({ roles: [{ value: "billing" }] }),
    },
    { name: "an attribute that is not there", resource: USER, op: { op: "remove", path: "nickName" }, expected: USER },
  ])("removes $name", ({ resource, op, expected }) => {
    expect(patchUser(resource, op)).toEqual(JSON.parse(JSON.stringify(expected)));
  });

  it.each([
    { name: "no path", op: { op: "remove" }, scimType: "noTarget" },
    { name: "the required userName", op: { op: "remove", path: "userName" }, scimType: "mutability" },
    { name: "the read-only id", op: { op: "remove", path: "id" }, scimType: "mutability" },
    { name: "the read-only meta", op: { op: "remove", path: "meta.lastModified" }, scimType: "mutability" },
    { name: "the read-only groups", op: { op: "remove", path: "groups" }, scimType: "mutability" },
    { name: "a replace of the read-only id with a path", op: { op: "replace", path: "id", value: "x" }, scimType: "mutability" },
  ])("rejects $name", ({ op, scimType }) => {
    expect(scimTypeOf(() => patchUser(USER, op))).toBe(scimType);
  });
});

describe("applyPatch: enterprise extension", () => {
  const MANAGER = { value: "26118915-6090-4610-87e4-49d8ca9f808d", $ref: "../Users/26118915-6090-4610-87e4-49d8ca9f808d" };
  const managed = withUser({ schemas: [CORE_USER, ENTERPRISE], [ENTERPRISE]: { employeeNumber: "701984", manager: MANAGER } });
  const enterprise = (extension: Json | undefined) => withUser({ schemas: [CORE_USER, ENTERPRISE], [ENTERPRISE]: extension });

  it.each([
    {
      name: "set the manager by URN path",
      resource: USER,
      op: { op: "add", path: `${ENTERPRISE}:manager`, value: { value: "m1" } },
      expected: enterprise({ manager: { value: "m1" } }),
    },
    {
      name: "set the manager from a bare id string",
      resource: USER,
      op: { op: "replace", path: `${ENTERPRISE}:manager`, value: "m1" },
      expected: enterprise({ manager: { value: "m1" } }),
    },
    {
      name: "a new manager value drops the old $ref",
      resource: managed,
      op: { op: "replace", path: `${ENTERPRISE}:manager.value`, value: "m2" },
      expected: enterprise({ employeeNumber: "701984", manager: { value: "m2" } }),
    },
    {
      name: "clear the manager with an empty string (Entra)",
      resource: managed,
      op: { op: "replace", path: `${ENTERPRISE}:manager`, value: "" },
      expected: enterprise({ employeeNumber: "701984" }),
    },
    {
      name: "clear the manager with an empty value",
      resource: managed,
      op: { op: "replace", path: `${ENTERPRISE}:manager`, value: { value: "" } },
      expected: enterprise({ employeeNumber: "701984" }),
    },
    { name: "remove the manager", resource: managed, op: { op: "remove", path: `${ENTERPRISE}:manager` }, expected: enterprise({ employeeNumber: "701984" }) },
    {
      name: "removing the last extension attribute removes the extension",
      resource: enterprise({ manager: MANAGER }),
      op: { op: "remove", path: `${ENTERPRISE}:manager` },
      expected: enterprise(undefined),
    },
    {
      name: "a pathless value with the extension object merges into it",
      resource: managed,
      op: { op: "replace", value: { [ENTERPRISE]: { department: "Tour Operations" } } },
      expected: enterprise({ employeeNumber: "701984", manager: MANAGER, department: "Tour Operations" }),
    },
    {
      name: "a path to the extension itself merges into it",
      resource: managed,
      op: { op: "add", path: ENTERPRISE, value: { costCenter: "4130" } },
      expected: enterprise({ employeeNumber: "701984", manager: MANAGER, costCenter: "4130" }),
    },
    { name: "remove the whole extension", resource: managed, op: { op: "remove", path: ENTERPRISE }, expected: enterprise(undefined) },
  ])("$name", ({ resource, op, expected }) => {
    expect(patchUser(resource, op)).toEqual(JSON.parse(JSON.stringify(expected)));
  });
});

describe("applyPatch: paths", () => {
  it.each([
    { name: "attribute names in any case", op: { op: "replace", path: "Active", value: false }, expected: withUser({ active: false }) },
    {
      name: "sub-attribute names in any case",
      op: { op: "replace", path: "name.GivenName", value: "Babs" },
      expected: withUser({ name: { givenName: "Babs", familyName: "Jensen" } }),
    },
    {
      name: "filters in any case",
      op: { op: "replace", path: 'EMAILS[Type eq "work"].Value', value: "babs@example.com" },
      expected: withUser({ emails: [{ value: "babs@example.com", type: "work", primary: true }] }),
    },
    { name: "a core URN prefix", op: { op: "replace", path: `${CORE_USER}:displayName`, value: "Babs" }, expected: withUser({ displayName: "Babs" }) },
    {
      name: "an extension URN in any case",
      op: { op: "add", path: `${ENTERPRISE.toLowerCase()}:EmployeeNumber`, value: "7" },
      expected: withUser({ schemas: [CORE_USER, ENTERPRISE], [ENTERPRISE]: { employeeNumber: "7" } }),
    },
    { name: "an unknown attribute, kept as sent", op: { op: "add", path: "favouriteColour", value: "teal" }, expected: withUser({ favouriteColour: "teal" }) },
    {
      name: "an unknown extension, kept under its URN",
      op: { op: "replace", path: "urn:ietf:params:scim:schemas:extension:Custom:2.0:User:badge", value: "B-7" },
      expected: withUser({ "urn:ietf:params:scim:schemas:extension:Custom:2.0:User": { badge: "B-7" } }),
    },
    {
      name: "a quoted ']' inside a filter",
      op: { op: "add", path: 'ims[value eq "a]b"].type', value: "xmpp" },
      expected: withUser({ ims: [{ value: "a]b", type: "xmpp" }] }),
    },
  ])("resolves $name", ({ op, expected }) => {
    expect(patchUser(USER, op)).toEqual(expected);
  });

  it.each([
    { path: 'emails[type eq "work"' },
    { path: "emails[type eq" },
    { path: 'emails[type eq "work"]value' },
    { path: "name..givenName" },
    { path: "display name" },
    { path: "userName.first" },
    { path: 'name.givenName[value eq "x"]' },
  ])("rejects the malformed path $path", ({ path }) => {
    expect(scimTypeOf(() => patchUser(USER, { op: "replace", path, value: "x" }))).toBe("invalidPath");
  });

  it("rejects a malformed filter inside a path", () => {
    expect(scimTypeOf(() => patchUser(USER, { op: "replace", path: 'emails[type eqq "work"].value', value: "x" }))).toBe("invalidFilter");
  });

  it.each([
    { name: "a non-object pathless value", op: { op: "replace", value: "x" } },
    { name: "a missing value", op: { op: "add", path: "title" } },
    { name: "a wrongly typed value", op: { op: "replace", path: "active", value: "maybe" } },
    { name: "a non-object value for a complex attribute", op: { op: "replace", path: "name", value: "Babs" } },
    { name: "a non-object value for an extension", op: { op: "add", path: ENTERPRISE, value: "x" } },
    { name: "a non-object value for an extension in a pathless value", op: { op: "add", value: { [ENTERPRISE]: "x" } } },
  ])("rejects $name", ({ op }) => {
    expect(scimTypeOf(() => patchUser(USER, op))).toBe("invalidValue");
  });
});

describe("applyPatch: atomicity", () => {
  it("throws and leaves the input untouched when a later operation fails", () => {
    const before = structuredClone(USER);
    const run = () => patchUser(USER, { op: "replace", path: "active", value: false }, { op: "remove", path: "userName" });
    expect(scimTypeOf(run)).toBe("mutability");
    expect(USER).toEqual(before);
  });

  it("never mutates the input", () => {
    const before = structuredClone(USER);
    patchUser(USER, { op: "replace", path: 'emails[type eq "work"].value', value: "x@y.z" }, { op: "remove", path: "name.givenName" });
    expect(USER).toEqual(before);
  });
});

describe("planGroupPatch", () => {
  const GROUP = { schemas: ["urn:ietf:params:scim:schemas:core:2.0:Group"], displayName: "Tour Guides", externalId: "ext-1" };
  const none: MemberChanges = { replaceAll: false, add: [], remove: [] };
  // Member ids are ours, so uuids; a value that is no uuid names no member (see the cases at the end).
  const [a, b, c, x] = ["a", "b", "c", "d"].map((n) => `00000000-0000-4000-8000-00000000000${n}`);
  const m = (...ids: string[]) => ids.map((value) => ({ value, display: `User ${value}`, $ref: null }));

  it.each([
    { name: "add members", ops: [{ op: "add", path: "members", value: m(a, b) }], members: { ...none, add: [a, b] } },
    { name: "remove a member by filter", ops: [{ op: "remove", path: `members[value eq "${a}"]` }], members: { ...none, remove: [a] } },
    {
      name: "remove members by an or-filter",
      ops: [{ op: "remove", path: `members[value eq "${a}" or value eq "${b}"]` }],
      members: { ...none, remove: [a, b] },
    },
    { name: "remove listed members (Entra)", ops: [{ op: "remove", path: "members", value: m(a) }], members: { ...none, remove: [a] } },
    { name: "remove all members", ops: [{ op: "remove", path: "members" }], members: { replaceAll: true, add: [], remove: [] } },
    {
      name: "replace all members",
      ops: [{ op: "replace", path: "members", value: m(a, b) }],
      members: { replaceAll: true, add: [a, b], remove: [] },
    },
    {
      name: "replace with no members",
      ops: [{ op: "replace", path: "members", value: [] }],
      members: { replaceAll: true, add: [], remove: [] },
    },
    {
      name: "remove then add the same member",
      ops: [{ op: "remove", path: `members[value eq "${x}"]` }, { op: "add", path: "members", value: m(x) }],
      members: { ...none, add: [x] },
    },
    {
      name: "add then remove the same member",
      ops: [{ op: "add", path: "members", value: m(x) }, { op: "remove", path: "members", value: m(x) }],
      members: { ...none, remove: [x] },
    },
    {
      name: "replace then add",
      ops: [{ op: "replace", path: "members", value: m(a, b) }, { op: "add", path: "members", value: m(c) }],
      members: { replaceAll: true, add: [a, b, c], remove: [] },
    },
    {
      name: "replace then remove",
      ops: [{ op: "replace", path: "members", value: m(a, b) }, { op: "remove", path: `members[value eq "${a}"]` }],
      members: { replaceAll: true, add: [b], remove: [] },
    },
    {
      name: "duplicate adds",
      ops: [{ op: "add", path: "members", value: m(a, a) }, { op: "add", path: "members", value: m(a) }],
      members: { ...none, add: [a] },
    },
    { name: "a pathless members value", ops: [{ op: "add", value: { members: m(a) } }], members: { ...none, add: [a] } },
    {
      name: "add on a filtered path names the member",
      ops: [{ op: "add", path: `members[value eq "${a}"]`, value: { display: "A" } }],
      members: { ...none, add: [a] },
    },
    { name: "a members path in any case", ops: [{ op: "add", path: "Members", value: m(a) }], members: { ...none, add: [a] } },
    // A value that is no uuid cannot be a member: removing it is a no-op and never reaches the database.
    { name: 'remove members[value eq "null"]', ops: [{ op: "remove", path: 'members[value eq "null"]' }], members: none },
    {
      name: "remove listed values that are no uuids, and one that is",
      ops: [{ op: "remove", path: "members", value: [{ value: "null" }, { value: "bulkId:u1" }, { value: a }] }],
      members: { ...none, remove: [a] },
    },
    { name: "an upper-case uuid", ops: [{ op: "remove", path: `members[value eq "${a.toUpperCase()}"]` }], members: { ...none, remove: [a] } },
  ])("folds $name", ({ ops, members }) => {
    expect(patchGroup(GROUP, ...ops)).toEqual({ resource: GROUP, members });
  });

  it("applies displayName and externalId to the resource, and members to the delta, from one pathless value", () => {
    const result = patchGroup(GROUP, { op: "replace", value: { displayName: "Guides", externalId: "ext-2", members: m(a) } });
    expect(result).toEqual({
      resource: { ...GROUP, displayName: "Guides", externalId: "ext-2" },
      members: { replaceAll: true, add: [a], remove: [] },
    });
  });

  it.each([
    { name: "a member without value", op: { op: "add", path: "members", value: [{ display: "A" }] }, scimType: "invalidValue" },
    { name: "a member with a numeric value", op: { op: "add", path: "members", value: [{ value: 7 }] }, scimType: "invalidValue" },
    { name: "add without value", op: { op: "add", path: "members" }, scimType: "invalidValue" },
    { name: "a filter on display", op: { op: "remove", path: `members[display eq "A"]` }, scimType: "invalidFilter" },
    { name: "a filter with and", op: { op: "remove", path: `members[value eq "${a}" and type eq "User"]` }, scimType: "invalidFilter" },
    { name: "a sub-attribute path", op: { op: "replace", path: "members.display", value: "A" }, scimType: "invalidPath" },
    { name: "removing the required displayName", op: { op: "remove", path: "displayName" }, scimType: "mutability" },
  ])("rejects $name", ({ op, scimType }) => {
    expect(scimTypeOf(() => patchGroup(GROUP, op))).toBe(scimType);
  });

  it("refuses member operations in applyPatch, which cannot express them", () => {
    expect(() => applyPatch("Group", GROUP, [{ op: "add", path: "members", value: m(a) }])).toThrow(/planGroupPatch/);
  });
});

describe("patchMayTouch: may a User PATCH change active, emails or userName?", () => {
  const ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
  const CORE = "urn:ietf:params:scim:schemas:core:2.0:User";
  const ops = (...operations: unknown[]) => parsePatchRequest({ schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], Operations: operations });
  it.each<[string, ReturnType<typeof ops>, boolean]>([
    ["Entra's rename", ops({ op: "Replace", path: "displayName", value: "Ada" }), false],
    ["a sub-attribute of name", ops({ op: "replace", path: "name.givenName", value: "Ada" }), false],
    ["a department in the enterprise extension", ops({ op: "Add", path: `${ENTERPRISE}:department`, value: "R&D" }), false],
    ["Entra's deactivation", ops({ op: "Replace", path: "active", value: "False" }), true],
    ["active under the core URN", ops({ op: "replace", path: `${CORE}:active`, value: false }), true],
    ["an email by value filter", ops({ op: "replace", path: 'emails[type eq "work"].value', value: "a@b.example" }), true],
    ["userName in another case", ops({ op: "replace", path: "USERNAME", value: "a@b.example" }), true],
    ["a rename among several", ops({ op: "replace", path: "title", value: "CTO" }, { op: "replace", path: "active", value: true }), true],
    ["no path, profile keys only", ops({ op: "replace", value: { displayName: "Ada", [ENTERPRISE]: { department: "R&D" } } }), false],
    ["no path, active among the keys (Okta, OneLogin)", ops({ op: "replace", value: { active: false } }), true],
    ["no path, emails under the core URN", ops({ op: "replace", value: { [CORE]: { emails: [] } } }), true],
    ["no path, a value that is not an object", ops({ op: "replace", value: "Ada" }), true],
  ])("%s → %s", (_, operations, expected) => {
    expect(patchMayTouch("User", operations, ["active", "emails", "userName"])).toBe(expected);
  });
});

describe("memberOnlyChanges: a Group PATCH that touches nothing but members, known without reading the group", () => {
  const GROUP = { schemas: ["urn:ietf:params:scim:schemas:core:2.0:Group"], displayName: "Tour Guides" };
  const [a, b] = ["a", "b"].map((n) => `00000000-0000-4000-8000-00000000000${n}`);
  const m = (...ids: string[]) => ids.map((value) => ({ value }));
  it.each<[string, unknown[], boolean]>([
    ["Entra's add", [{ op: "Add", path: "members", value: m(a, b) }], true],
    ["Entra's remove of listed members", [{ op: "Remove", path: "members", value: m(a) }], true],
    ["a remove by filter", [{ op: "remove", path: `members[value eq "${a}"]` }], true],
    ["no path, members only (Okta, OneLogin)", [{ op: "add", value: { members: m(a) } }], true],
    ["members under the core URN", [{ op: "add", path: "urn:ietf:params:scim:schemas:core:2.0:Group:members", value: m(a) }], true],
    ["a rename", [{ op: "replace", path: "displayName", value: "Guides" }], false],
    ["members and a rename", [{ op: "add", path: "members", value: m(a) }, { op: "replace", path: "displayName", value: "Guides" }], false],
    ["no path, members and displayName", [{ op: "replace", value: { displayName: "Guides", members: m(a) } }], false],
    ["a removal of externalId", [{ op: "remove", path: "externalId" }], false],
  ])("%s → %s, the members as planGroupPatch has them", (_, operations, membersOnly) => {
    const parsed = parsePatchRequest(body(...operations));
    const changes = memberOnlyChanges(parsed);
    if (!membersOnly) return expect(changes).toBeNull();
    expect(changes).toEqual(planGroupPatch(GROUP, parsed).members);
    expect(planGroupPatch(GROUP, parsed).resource).toEqual(GROUP);
  });
});
