import { allowedMethods } from "@/lib/scim/methods";
import { scimError, toResponse } from "@/lib/scim/responses";
import { handleScimRequest } from "@/lib/scim/router";
import { NON_PAGE_CONTENT_SECURITY_POLICY, withSecurityHeaders } from "@/lib/security-headers";

type Params = { params: Promise<{ path?: string[] }> };

/** Every response's security headers: proxy.ts, which sets them elsewhere, does not run for SCIM. */
const secured = (response: Response) => withSecurityHeaders(response, NON_PAGE_CONTENT_SECURITY_POLICY);

/** The SCIM 2.0 endpoint (RFC 7644): every method and path goes to lib/scim/router.ts. */
async function handle(request: Request, { params }: Params): Promise<Response> {
  const { path = [] } = await params;
  return secured(await handleScimRequest(request, path));
}

export const GET = handle;
export const POST = handle;
export const PUT = handle;
export const PATCH = handle;
export const DELETE = handle;

/** RFC 9110 §9.3.2: HEAD is GET without the content (same status, same headers). */
export async function HEAD(request: Request, context: Params): Promise<Response> {
  const response = await handle(new Request(request.url, { method: "GET", headers: request.headers }), context);
  return new Response(null, { status: response.status, headers: response.headers });
}

/** RFC 9110 §9.3.7: the methods this path answers, without authentication (they are the same for every tenant). */
export async function OPTIONS(_request: Request, { params }: Params): Promise<Response> {
  const { path = [] } = await params;
  const allowed = allowedMethods(path);
  if (!allowed) return secured(toResponse(scimError(404, `No such endpoint: /${path.join("/")}`)));
  return secured(new Response(null, { status: 204, headers: { allow: allowed.join(", ") } }));
}
