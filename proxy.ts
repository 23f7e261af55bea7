import { NextResponse, type NextRequest } from "next/server";

/**
 * IdPs are configured by hand, so the Tenant URL's prefix arrives in any case (`/SCIM/v2/Users`); route segments
 * are case-sensitive, so such requests are rewritten onto /scim/v2 (method and body unchanged).
 */
export function proxy(request: NextRequest) {
  const { pathname } = request.nextUrl;
  const prefix = /^\/scim\/v2(?=\/|$)/i.exec(pathname);
  if (!prefix || prefix[0] === "/scim/v2") return NextResponse.next();
  const url = request.nextUrl.clone();
  url.pathname = `/scim/v2${pathname.slice(prefix[0].length)}`;
  return NextResponse.rewrite(url);
}

// Everything except Next's assets, the API routes and the already lower-case SCIM prefix.
export const config = { matcher: ["/((?!_next/|api/|scim/v2).*)"] };
