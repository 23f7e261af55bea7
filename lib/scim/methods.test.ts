import { describe, expect, it } from "vitest";
import { answerUnroutedMethod } from "./method-guard";
import { allowedMethods, malformedScimTarget, scimSegments } from "./methods";

describe("allowedMethods", () => {
  it.each([
    [["Users"], ["GET", "POST", "HEAD", "OPTIONS"]],
    [["groups", "x"], ["GET", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]],
    [["Users", ".search"], ["POST", "OPTIONS"]],
    [[".search"], ["POST", "OPTIONS"]],
    [["Bulk"], ["POST", "OPTIONS"]],
    [["ServiceProviderConfig"], ["GET", "HEAD", "OPTIONS"]],
    [["Schemas", "urn:x"], ["GET", "HEAD", "OPTIONS"]],
    [["Nope"], null],
    [["Users", "1", "2"], null],
    [[], null],
  ])("%j → %j", (segments, allowed) => {
    expect(allowedMethods(segments)).toEqual(allowed);
  });
});

describe("scimSegments", () => {
  it.each([
    ["/scim/v2/Users?filter=x", ["Users"]],
    ["/SCIM/V2/Groups/a%2Fb/", ["Groups", "a/b"]],
    ["/scim/v2", []],
    ["/scim/v2/Users/%E0%A4%A", ["Users", "%E0%A4%A"]],
    ["/scim/v20/Users", null],
    ["/sign-in", null],
  ])("%s → %j", (target, segments) => {
    expect(scimSegments(target)).toEqual(segments);
  });
});

describe("malformedScimTarget", () => {
  it.each([
    ["/scim/v2/Users/%E0%A4%A", true],
    ["/SCIM/v2/Users/%zz?x=1", true],
    ["/scim/v2/Users/%E2%9C%93", false],
    ["/scim/v2/Users?filter=%zz", false],
    ["/sign-in/%E0%A4%A", false],
  ])("%s → %s", (target, malformed) => {
    expect(malformedScimTarget(target)).toBe(malformed);
  });
});

describe("answerUnroutedMethod", () => {
  it("answers a SCIM path with an RFC 7644 error: 405 with Allow, or 404 for an unknown path", () => {
    const trace = answerUnroutedMethod("TRACE", "/scim/v2/Users");
    expect(trace.status).toBe(405);
    expect(trace.headers).toEqual({ allow: "GET, POST, HEAD, OPTIONS", "content-type": "application/scim+json" });
    expect(JSON.parse(trace.body)).toMatchObject({ schemas: ["urn:ietf:params:scim:api:messages:2.0:Error"], status: "405" });
    const unknown = answerUnroutedMethod("PROPFIND", "/scim/v2/Devices");
    expect(unknown.status).toBe(404);
    expect(JSON.parse(unknown.body)).toMatchObject({ status: "404" });
  });

  it("answers any other path with a plain 405", () => {
    expect(answerUnroutedMethod("TRACE", "/sign-in")).toMatchObject({ status: 405, headers: { allow: "GET, HEAD, POST" } });
  });
});
