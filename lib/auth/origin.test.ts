import { describe, expect, it } from "vitest";
import { onAppOrigin, pinLocation, sameOriginRedirect } from "./origin";

describe("sameOriginRedirect", () => {
  const origin = "http://127.0.0.1:3900";
  it.each([
    ["/", "http://127.0.0.1:3900/"],
    ["/settings/users?x=1", "http://127.0.0.1:3900/settings/users?x=1"],
    ["http://127.0.0.1:3900/me", "http://127.0.0.1:3900/me"],
    ["http://localhost:3900/me", "http://127.0.0.1:3900/"],
    ["https://127.0.0.1:3900/me", "http://127.0.0.1:3900/"],
    ["http://127.0.0.1:3901/me", "http://127.0.0.1:3900/"],
    ["//evil.example/x", "http://127.0.0.1:3900/"],
    ["https://evil.example/", "http://127.0.0.1:3900/"],
    ["javascript:alert(1)", "http://127.0.0.1:3900/"],
    ["http://[bad", "http://127.0.0.1:3900/"],
  ])("%s → %s", (target, expected) => {
    expect(sameOriginRedirect(target, origin)).toBe(expected);
  });
});

describe("pinLocation", () => {
  const origin = "http://127.0.0.1:3900";
  it.each([
    ["http://localhost:3900/sign-in?error=Verification", "http://127.0.0.1:3900/sign-in?error=Verification"],
    ["/sign-in/check-email", "http://127.0.0.1:3900/sign-in/check-email"],
    ["http://127.0.0.1:3900/", "http://127.0.0.1:3900/"],
    [
      "http://localhost:3900/sign-in?callbackUrl=http%3A%2F%2Flocalhost%3A3900",
      "http://127.0.0.1:3900/sign-in?callbackUrl=http%3A%2F%2F127.0.0.1%3A3900%2F",
    ],
    ["https://evil.example/x?callbackUrl=https%3A%2F%2Fevil.example", "http://127.0.0.1:3900/x?callbackUrl=http%3A%2F%2F127.0.0.1%3A3900%2F"],
  ])("%s → %s", (location, expected) => {
    expect(pinLocation(location, origin)).toBe(expected);
  });
});

describe("onAppOrigin", () => {
  it("rewrites the Location of a redirect, keeps status and every cookie, and leaves other responses alone", async () => {
    process.env.APP_URL ??= "http://localhost:3000";
    const { appOrigin } = await import("./origin");
    const redirect = Response.redirect("http://localhost:9/sign-in?error=Verification", 302);
    const withCookies = new Response(null, { status: 302, headers: new Headers([["location", "http://localhost:9/me"], ["set-cookie", "a=1"], ["set-cookie", "b=2"]]) });
    const handler = onAppOrigin(async (request: Request) => (request.url.endsWith("/r") ? redirect : request.url.endsWith("/c") ? withCookies : Response.json({ ok: true })));
    const moved = await handler(new Request("http://localhost:9/r"));
    expect(moved.status).toBe(302);
    expect(moved.headers.get("location")).toBe(`${appOrigin()}/sign-in?error=Verification`);
    const cookies = await handler(new Request("http://localhost:9/c"));
    expect(cookies.headers.getSetCookie()).toEqual(["a=1", "b=2"]);
    expect(cookies.headers.get("location")).toBe(`${appOrigin()}/me`);
    const plain = await handler(new Request("http://localhost:9/j"));
    expect(await plain.json()).toEqual({ ok: true });
  });
});
