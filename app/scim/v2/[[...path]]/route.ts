import { handleScimRequest } from "@/lib/scim/router";

type Params = { params: Promise<{ path?: string[] }> };

/** The SCIM 2.0 endpoint (RFC 7644): every method and path goes to lib/scim/router.ts. */
async function handle(request: Request, { params }: Params): Promise<Response> {
  const { path = [] } = await params;
  return handleScimRequest(request, path);
}

export const GET = handle;
export const POST = handle;
export const PUT = handle;
export const PATCH = handle;
export const DELETE = handle;
