import { NextResponse, type NextRequest } from "next/server";
import { env } from "@/lib/env";
import { createNonce, pageContentSecurityPolicy } from "@/lib/security-headers";

/**
 * IdPs are configured by hand, so the Tenant URL's prefix arrives in any case (`/SCIM/v2/Users`); route segments
 * are case-sensitive, so such requests are rewritten onto /scim/v2 (method and body unchanged).
 * Every other request is a page (or a public file): it gets a Content-Security-Policy with a fresh nonce.
 */
export function proxy(request: NextRequest) {
  const { pathname } = request.nextUrl;
  const prefix = /^\/scim\/v2(?=\/|$)/i.exec(pathname);
  if (!prefix) return withPageSecurity(request);
  if (prefix[0] === "/scim/v2") return NextResponse.next();
  const url = request.nextUrl.clone();
  url.pathname = `/scim/v2${pathname.slice(prefix[0].length)}`;
  return NextResponse.rewrite(url);
}

/** Next reads the nonce from the request's CSP header and puts it on the scripts it renders. */
function withPageSecurity(request: NextRequest): NextResponse {
  const { nodeEnv, appUrl } = env();
  const policy = pageContentSecurityPolicy(createNonce(), { dev: nodeEnv === "development", https: appUrl.startsWith("https:") });
  const headers = new Headers(request.headers);
  headers.set("content-security-policy", policy);
  const response = NextResponse.next({ request: { headers } });
  response.headers.set("content-security-policy", policy);
  return response;
}

// Everything except Next's assets, the API routes and the already lower-case SCIM prefix.
export const config = { matcher: ["/((?!_next/|api/|scim/v2).*)"] };
