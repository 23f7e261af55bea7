// Baseline (b): the baselines' SCIM behind one Next.js route handler, built in place with the repo's Next.js.
import postgres, { type Sql } from "postgres";
import { BASELINE_POOL_SIZE, createBaselineSchema, handleScim } from "../../../../../logic";

const g = globalThis as { __baselineSql?: Promise<Sql> };

function database(): Promise<Sql> {
  g.__baselineSql ??= (async () => {
    const sql = postgres(process.env.DATABASE_URL!, { max: BASELINE_POOL_SIZE, onnotice: () => {} });
    await createBaselineSchema(sql);
    return sql;
  })();
  return g.__baselineSql;
}

async function handle(req: Request, ctx: { params: Promise<{ path?: string[] }> }): Promise<Response> {
  const { path = [] } = await ctx.params;
  const answer = await handleScim(await database(), process.env.BENCH_TOKEN!, {
    method: req.method,
    path,
    query: new URL(req.url).searchParams,
    body: req.method === "GET" ? "" : await req.text(),
    authorization: req.headers.get("authorization"),
  });
  const headers: Record<string, string> = { "content-type": "application/scim+json" };
  if (answer.location) headers.location = answer.location;
  return new Response(answer.body === undefined ? null : JSON.stringify(answer.body), { status: answer.status, headers });
}

export const GET = handle;
export const POST = handle;
export const PATCH = handle;
