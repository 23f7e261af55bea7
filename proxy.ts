import { NextResponse, type NextRequest } from "next/server";
import { env } from "@/lib/env";
import { NON_PAGE_CONTENT_SECURITY_POLICY, createNonce, pageContentSecurityPolicy, withSecurityHeaders } from "@/lib/security-headers";

/**
 * IdPs are configured by hand, so the Tenant URL's prefix arrives in any case (`/SCIM/v2/Users`); route segments
 * are case-sensitive, so such requests are rewritten onto /scim/v2 (method and body unchanged). Every other
 * response gets the security headers (lib/security-headers.ts): a page a Content-Security-Policy with a fresh
 * nonce, an API route the non-page one, Next's assets and public files the rest. The lower-case SCIM prefix never
 * comes here (see `config`): its route handler sets its own headers, and SCIM requests skip this step.
 */
export function proxy(request: NextRequest) {
  const { pathname } = request.nextUrl;
  const prefix = /^\/scim\/v2(?=\/|$)/i.exec(pathname);
  if (prefix) {
    const url = request.nextUrl.clone();
    url.pathname = `/scim/v2${pathname.slice(prefix[0].length)}`;
    return NextResponse.rewrite(url);
  }
  if (pathname.startsWith("/api/")) return withSecurityHeaders(NextResponse.next(), NON_PAGE_CONTENT_SECURITY_POLICY);
  if (pathname.startsWith("/_next/") || /\.[A-Za-z0-9]+$/.test(pathname)) return withSecurityHeaders(NextResponse.next());
  return withPageSecurity(request);
}

/** Next reads the nonce from the request's CSP header and puts it on the scripts it renders. */
function withPageSecurity(request: NextRequest): NextResponse {
  const { nodeEnv, appUrl } = env();
  const policy = pageContentSecurityPolicy(createNonce(), { dev: nodeEnv === "development", https: appUrl.startsWith("https:") });
  const headers = new Headers(request.headers);
  headers.set("content-security-policy", policy);
  return withSecurityHeaders(NextResponse.next({ request: { headers } }), policy);
}

// Everything but the lower-case SCIM prefix (`/scim/v2`, `/scim/v2/…`), the hot path of every IdP.
export const config = { matcher: ["/((?!scim/v2(?:/|$)).*)"] };
