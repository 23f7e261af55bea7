// Replays every PATCH body the IdPs' public SCIM documentation quotes against resources stored from that IdP's own
// create request, and asserts the whole result.
import { describe, expect, it } from "vitest";
import { canonicalizeResource } from "./canonicalize";
import { applyPatch, parsePatchRequest, planGroupPatch } from "./patch";

const ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
const CORE_GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group";
const PATCH_OP = '"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"]';

/** A PatchOp body as the IdP writes it: JSON text with the given operations. */
const patchBody = (operations: string) => JSON.parse(`{${PATCH_OP},"Operations":[${operations}]}`);
type Json = Record<string, unknown>;
const patchUser = (stored: Json, operations: string) => applyPatch("User", stored, parsePatchRequest(patchBody(operations)));
const patchGroup = (stored: Json, operations: string) => planGroupPatch(stored, parsePatchRequest(patchBody(operations)));

describe("Microsoft Entra ID (Microsoft Learn: develop and plan provisioning for a SCIM endpoint)", () => {
  const WORK_EMAIL = "Test_User_22370c1a-9012-42b2-bf64-86099c2a1c22@testuser.com";
  const stored = canonicalizeResource("User", {
    schemas: ["urn:ietf:params:scim:schemas:core:2.0:User", ENTERPRISE],
    externalId: "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef",
    userName: "Test_User_dfeef4c5-5681-4387-b016-bdf221e82081",
    active: true,
    emails: [{ primary: true, type: "work", value: WORK_EMAIL }],
    meta: { resourceType: "User" },
    name: { formatted: "givenName familyName", familyName: "familyName", givenName: "givenName" },
    roles: [],
  });
  const user = (changes: Record<string, unknown>) => ({ ...stored, ...changes });

  it.each([
    { name: "default", body: '{"op":"Replace","path":"active","value":"False"}' },
    { name: "aadOptscim062020", body: '{"op":"replace","path":"active","value":false}' },
  ])("disables a user ($name)", ({ body }) => {
    expect(patchUser(stored, body)).toEqual(user({ active: false }));
  });

  it("disables a user (tutorial sample, Operations before schemas)", () => {
    const body = JSON.parse(`{"Operations":[{"op":"Replace","path":"active","value":false}],${PATCH_OP}}`);
    expect(applyPatch("User", stored, parsePatchRequest(body))).toEqual(user({ active: false }));
  });

  it("updates several attributes (default: one op per attribute)", () => {
    const result = patchUser(
      stored,
      `{"op":"Replace","path":"displayName","value":"Pvlo"},
       {"op":"Replace","path":"emails[type eq \\"work\\"].value","value":"TestBcwqnm@test.microsoft.com"},
       {"op":"Replace","path":"${ENTERPRISE}:employeeNumber","value":"Eqpj"}`,
    );
    expect(result).toEqual(
      user({
        displayName: "Pvlo",
        emails: [{ primary: true, type: "work", value: "TestBcwqnm@test.microsoft.com" }],
        [ENTERPRISE]: { employeeNumber: "Eqpj" },
      }),
    );
  });

  it("updates several attributes (aadOptscim062020: filtered op plus one pathless op with dotted and URN keys)", () => {
    const result = patchUser(
      stored,
      `{"op":"replace","path":"emails[type eq \\"work\\"].value","value":"TestBcwqnm@test.microsoft.com"},
       {"op":"replace","value":{"displayName":"Bjfe","name.givenName":"Kkom","name.familyName":"Unua",
        "${ENTERPRISE}:employeeNumber":"Aklq"}}`,
    );
    expect(result).toEqual(
      user({
        displayName: "Bjfe",
        name: { formatted: "givenName familyName", familyName: "Unua", givenName: "Kkom" },
        emails: [{ primary: true, type: "work", value: "TestBcwqnm@test.microsoft.com" }],
        [ENTERPRISE]: { employeeNumber: "Aklq" },
      }),
    );
  });

  it("sets a work email on a user that has none (Microsoft Learn: known issues with SCIM 2.0 protocol compliance)", () => {
    const { emails: _emails, ...withoutEmail } = stored;
    const result = patchUser(withoutEmail, '{"op":"Replace","path":"emails[type eq \\"work\\"].value","value":"new@contoso.com"}');
    expect(result).toEqual({ ...withoutEmail, emails: [{ type: "work", value: "new@contoso.com" }] });
  });

  it.each(["Add", "Replace"])("adds a single value with %s (Entra uses either, Q&A 1373350)", (op) => {
    expect(patchUser(stored, `{"op":"${op}","path":"nickName","value":"Babs"}`)).toEqual(user({ nickName: "Babs" }));
  });

  const MANAGER_ID = "00aa00aa-bb11-cc22-dd33-44ee44ee44ee";
  const MANAGER = { $ref: `http://example.com/scim/Users/${MANAGER_ID}`, value: MANAGER_ID };
  const managed = user({ [ENTERPRISE]: { manager: MANAGER } });

  it("adds a manager with a bare path and a one-element array", () => {
    expect(patchUser(stored, `{"op":"Add","path":"manager","value":[${JSON.stringify(MANAGER)}]}`)).toEqual(managed);
  });

  it("adds a manager given as a bare id", () => {
    const result = patchUser(stored, `{"op":"Replace","path":"${ENTERPRISE}:manager","value":"123456"}`);
    expect(result).toEqual(user({ [ENTERPRISE]: { manager: { value: "123456" } } }));
  });

  it.each([
    { name: "the URN path", path: `${ENTERPRISE}:manager` },
    { name: "the bare path", path: "manager" },
  ])('removes the manager by replacing it with "" ($name)', ({ path }) => {
    expect(patchUser(managed, `{"op":"Replace","path":"${path}","value":""}`)).toEqual(stored);
  });

  const group = canonicalizeResource("Group", {
    schemas: [
      "urn:ietf:params:scim:schemas:core:2.0:Group",
      "http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group",
    ],
    externalId: "8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159",
    displayName: "displayName",
    meta: { resourceType: "Group" },
  });
  const unchanged = { replaceAll: false, add: [], remove: [] };
  // Entra sends back the ids this server issued, which are uuids; the docs' samples shorten them, and a removal of
  // a value that is no uuid is a no-op (planGroupPatch drops it), so removals below use uuids.
  const [u1, u2, u3] = [1, 2, 3].map((n) => `f648f8d5-ea4e-4cd3-8e9c-00000000000${n}`);

  it("renames a group", () => {
    const renamed = "1879db59-3bdf-4490-ad68-ab880a269474updatedDisplayName";
    expect(patchGroup(group, `{"op":"Replace","path":"displayName","value":"${renamed}"}`)).toEqual({
      resource: { ...group, displayName: renamed },
      members: unchanged,
    });
  });

  it.each([
    {
      name: "adds a member",
      body: '{"op":"Add","path":"members","value":[{"$ref":null,"value":"f648f8d5ea4e4cd38e9c"}]}',
      members: { ...unchanged, add: ["f648f8d5ea4e4cd38e9c"] },
    },
    {
      name: "removes just the listed member (default form, not all members: Microsoft Learn: known issues with SCIM 2.0 protocol compliance)",
      body: `{"op":"Remove","path":"members","value":[{"$ref":null,"value":"${u1}"}]}`,
      members: { ...unchanged, remove: [u1] },
    },
    {
      name: "removes a member (aadOptscim062020 form)",
      body: '{"op":"remove","path":"members[value eq \\"7f4bc1a3-285e-48ae-8202-5accb43efb0e\\"]"}',
      members: { ...unchanged, remove: ["7f4bc1a3-285e-48ae-8202-5accb43efb0e"] },
    },
    {
      name: "updates several memberships in one PATCH (gallery checklist)",
      body:
        `{"op":"Add","path":"members","value":[{"$ref":null,"value":"${u1}"},{"$ref":null,"value":"${u2}"}]},` +
        `{"op":"Remove","path":"members","value":[{"$ref":null,"value":"${u3}"}]}`,
      members: { replaceAll: false, add: [u1, u2], remove: [u3] },
    },
  ])("$name", ({ body, members }) => {
    expect(patchGroup(group, body)).toEqual({ resource: group, members });
  });
});

describe("Okta (Okta developer docs: SCIM 2.0 protocol)", () => {
  const stored = canonicalizeResource("User", {
    schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"],
    userName: "test.user@okta.local",
    name: { givenName: "Test", familyName: "User" },
    emails: [{ primary: true, value: "test.user@okta.local", type: "work" }],
    displayName: "Test User",
    locale: "en-US",
    externalId: "00ujl29u0le5T6Aj10h7",
    groups: [],
    password: "1mz050nq",
    active: true,
  });

  it("deactivates a user with a pathless replace", () => {
    expect(patchUser(stored, '{"op":"replace","value":{"active":false}}')).toEqual({ ...stored, active: false });
  });

  const group = canonicalizeResource("Group", { schemas: [CORE_GROUP], displayName: "Test SCIMv2", members: [] });
  const ALICE = '{"value":"23a35c27-23d3-4c03-b4c5-6443c09e7173","display":"test.user@okta.local"}';
  const BOB = '{"value":"89bb1940-b905-4575-9e7f-6f887cfb368e","display":"bob@okta.local"}';

  it("renames a group with a pathless replace that repeats the read-only id", () => {
    const body = '{"op":"replace","value":{"id":"abf4dd94-a4c0-4f67-89c9-76b03340cb9b","displayName":"Test SCIMv2 renamed"}}';
    expect(patchGroup(group, body)).toEqual({
      resource: { ...group, displayName: "Test SCIMv2 renamed" },
      members: { replaceAll: false, add: [], remove: [] },
    });
  });

  it("removes and adds members in one PATCH", () => {
    const result = patchGroup(
      group,
      `{"op":"remove","path":"members[value eq \\"89bb1940-b905-4575-9e7f-6f887cfb368e\\"]"},
       {"op":"add","path":"members","value":[${ALICE}]}`,
    );
    expect(result.members).toEqual({
      replaceAll: false,
      add: ["23a35c27-23d3-4c03-b4c5-6443c09e7173"],
      remove: ["89bb1940-b905-4575-9e7f-6f887cfb368e"],
    });
  });

  it("replaces all members", () => {
    const result = patchGroup(group, `{"op":"replace","path":"members","value":[${ALICE},${BOB}]}`);
    expect(result).toEqual({
      resource: group,
      members: { replaceAll: true, add: ["23a35c27-23d3-4c03-b4c5-6443c09e7173", "89bb1940-b905-4575-9e7f-6f887cfb368e"], remove: [] },
    });
  });
});

// OneLogin's group PATCH is seen in traffic (authentik#11249) but its body is not published; these are the RFC 7644
// §3.5.2 shapes with OneLogin's template habit of quoting booleans (OneLogin's SCIM provisioning documentation).
describe("OneLogin-style PATCH (OneLogin's SCIM provisioning documentation)", () => {
  const group = canonicalizeResource("Group", { schemas: [CORE_GROUP], displayName: "Engineering" });

  it("adds members through a pathless value and removes one by filter", () => {
    const [ol1, ol2, ol3] = [1, 2, 3].map((n) => `0e1c0000-0000-4000-8000-00000000000${n}`);
    const result = patchGroup(
      group,
      `{"op":"add","value":{"members":[{"value":"${ol1}"},{"value":"${ol2}"}]}},{"op":"remove","path":"members[value eq \\"${ol3}\\"]"}`,
    );
    expect(result).toEqual({ resource: group, members: { replaceAll: false, add: [ol1, ol2], remove: [ol3] } });
  });

  it("accepts a quoted boolean from a JSON template", () => {
    const user = canonicalizeResource("User", { userName: "ada@example.com", active: "true" });
    expect(patchUser(user, '{"op":"replace","value":{"active":"false"}}')).toEqual({ userName: "ada@example.com", active: false });
  });
});
