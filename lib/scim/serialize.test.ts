import { describe, expect, it } from "vitest";
import type { ScimGroupRow } from "@/db/queries/scim-groups";
import type { ScimUserRow } from "@/db/queries/scim-users";
import { serializeGroup, serializeUser } from "./serialize";

const ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
const CUSTOM = "urn:ietf:params:scim:schemas:extension:CustomExtension:2.0:User";
const row = { id: "7f4bc1a3-285e-48ae-8202-5accb43efb0e", createdAt: new Date(0), updatedAt: new Date(0), version: 1 };

describe("serializeUser", () => {
  const user = (resource: Record<string, unknown>) =>
    serializeUser({ ...row, active: true, resource } as unknown as ScimUserRow, null);

  it("returns only what /Schemas declares, and lists only our extensions in schemas (RFC 7643 §3)", () => {
    const served = user({
      schemas: ["urn:ietf:params:scim:schemas:core:2.0:User", ENTERPRISE, CUSTOM],
      userName: "ada",
      favouriteColour: "blue",
      name: { givenName: "Ada", nickname: "A" },
      emails: [{ value: "ada@example.com", type: "work", label: "x" }],
      [ENTERPRISE]: { employeeNumber: 42, shoeSize: 9 },
      [CUSTOM]: { badge: "7" },
    });
    expect(served).toEqual({
      schemas: ["urn:ietf:params:scim:schemas:core:2.0:User", ENTERPRISE],
      id: row.id,
      userName: "ada",
      name: { givenName: "Ada" },
      emails: [{ value: "ada@example.com", type: "work" }],
      [ENTERPRISE]: { employeeNumber: "42" },
      active: true,
      meta: expect.objectContaining({ resourceType: "User", version: 'W/"1"' }),
    });
  });

  it("leaves out an extension that holds nothing declared", () => {
    const served = user({ userName: "ada", [ENTERPRISE]: { shoeSize: 9 } });
    expect(served.schemas).toEqual(["urn:ietf:params:scim:schemas:core:2.0:User"]);
    expect(served[ENTERPRISE]).toBeUndefined();
  });
});

describe("serializeGroup", () => {
  it("returns the declared attributes and the members", () => {
    const group = serializeGroup({ ...row, resource: { displayName: "Admins", colour: "red" } } as unknown as ScimGroupRow, [
      { value: "u1", display: "Ada" },
    ]);
    expect(group).toMatchObject({ schemas: ["urn:ietf:params:scim:schemas:core:2.0:Group"], displayName: "Admins" });
    expect(group.colour).toBeUndefined();
    expect(group.members).toEqual([{ value: "u1", display: "Ada", $ref: expect.stringMatching(/\/Users\/u1$/), type: "User" }]);
  });
});
