import { describe, expect, it } from "vitest";
import type { JsonObject } from "./canonicalize";
import { parseListParams } from "./list-params";
import { includesAttribute, project } from "./projection";

const ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

const emails = [
  { value: "ada@work.example", type: "work", primary: true },
  { value: "ada@home.example", type: "home" },
  { value: "ada@other.example", type: "Work" },
];
const user: JsonObject = {
  schemas: ["urn:ietf:params:scim:schemas:core:2.0:User", ENTERPRISE],
  id: "u1",
  userName: "ada",
  name: { givenName: "Ada", familyName: "Lovelace" },
  emails,
  [ENTERPRISE]: { department: "R&D", manager: { value: "m1", displayName: "Babbage" } },
  meta: { resourceType: "User" },
};

const attributes = (list: string) => project("User", user, parseListParams({ attributes: list }, 10));
const excluded = (list: string) => project("User", user, parseListParams({ excludedAttributes: list }, 10));
const base = { schemas: user.schemas, id: "u1" };

describe("project with attributes", () => {
  it.each<[string, JsonObject]>([
    ["userName", { ...base, userName: "ada" }],
    ["name.givenName", { ...base, name: { givenName: "Ada" } }],
    ["emails", { ...base, emails: emails }],
    // RFC 7644 §3.10 value paths: only the matching values, compared case-insensitively (type is not caseExact).
    ['emails[type eq "work"]', { ...base, emails: [emails[0], emails[2]] }],
    ["emails[type eq home]", { ...base, emails: [emails[1]] }],
    ['emails[type eq "work"].value', { ...base, emails: [{ value: "ada@work.example" }, { value: "ada@other.example" }] }],
    ['emails[type eq "home"],emails[primary eq true]', { ...base, emails: [emails[0], emails[1]] }],
    ['emails[type eq "home"],emails', { ...base, emails: emails }],
    ['emails[value co ","]', { ...base }],
    ['emails[type eq "fax"]', { ...base }],
    ['emails[type eq "home"],userName', { ...base, emails: [emails[1]], userName: "ada" }],
    [`${ENTERPRISE}:manager.displayName`, { ...base, [ENTERPRISE]: { manager: { displayName: "Babbage" } } }],
    ['emails[type eq "work"', { ...base }],
    ['userName[type eq "work"]', { ...base }],
  ])("%s", (list, expected) => {
    expect(attributes(list)).toEqual(expected);
  });
});

describe("project with excludedAttributes", () => {
  it("drops the values a value path matches and keeps the others", () => {
    expect(excluded('emails[type eq "work"]').emails).toEqual([emails[1]]);
    expect(excluded('emails[type eq "home"].value').emails).toEqual([emails[0], { type: "home" }, emails[2]]);
    expect(excluded("emails").emails).toBeUndefined();
    expect(excluded("id").id).toBe("u1");
  });
});

describe("includesAttribute", () => {
  it.each<[string, string, boolean]>([
    ["attributes", 'members[value eq "x"]', true],
    ["attributes", "displayName", false],
    ["excludedAttributes", 'members[value eq "x"]', true],
    ["excludedAttributes", "members", false],
  ])("%s=%s reads members: %s", (parameter, list, expected) => {
    expect(includesAttribute("Group", parseListParams({ [parameter]: list }, 10), "members")).toBe(expected);
  });
});
