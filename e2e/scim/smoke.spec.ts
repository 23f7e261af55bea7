import { SCIM, expect, test } from "../fixtures";

test("a connected tenant answers Entra's Test Connection with an empty ListResponse", async ({ tenant }) => {
  const res = await tenant.scim.get(`Users?filter=${encodeURIComponent('userName eq "3f1c2a56-0d7e-4f43-9a6c-b0d1a3e2f9c4"')}`);
  expect(res.status()).toBe(200);
  expect(res.headers()["content-type"]).toContain("application/scim+json");
  expect(await res.json()).toEqual({ schemas: [SCIM.listResponse], totalResults: 0, itemsPerPage: 0, startIndex: 1, Resources: [] });
});
