// Baseline (a): the baselines' SCIM behind a bare node:http server. Env: PORT, DATABASE_URL, BENCH_TOKEN.
import http from "node:http";
import postgres from "postgres";
import { BASELINE_POOL_SIZE, createBaselineSchema, handleScim } from "./logic";

const sql = postgres(process.env.DATABASE_URL!, { max: BASELINE_POOL_SIZE, onnotice: () => {} });
const token = process.env.BENCH_TOKEN!;

const PREFIX = "/scim/v2/";

const server = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on("data", (c: Buffer) => chunks.push(c));
  req.on("end", () => {
    const url = new URL(req.url ?? "/", "http://baseline");
    if (url.pathname === "/api/health") {
      res.writeHead(200, { "content-type": "application/json" }).end('{"ok":true}');
      return;
    }
    if (!url.pathname.startsWith(PREFIX)) {
      res.writeHead(404).end();
      return;
    }
    handleScim(sql, token, {
      method: req.method ?? "GET",
      path: url.pathname.slice(PREFIX.length).split("/").filter(Boolean),
      query: url.searchParams,
      body: Buffer.concat(chunks).toString("utf8"),
      authorization: req.headers.authorization ?? null,
    }).then(
      (answer) => {
        const headers: Record<string, string> = { "content-type": "application/scim+json" };
        if (answer.location) headers.location = answer.location;
        res.writeHead(answer.status, headers).end(answer.body === undefined ? undefined : JSON.stringify(answer.body));
      },
      (error: unknown) => {
        console.error(error);
        res.writeHead(500, { "content-type": "application/scim+json" }).end('{"status":"500"}');
      },
    );
  });
});
server.keepAliveTimeout = 65_000;
createBaselineSchema(sql).then(
  () => server.listen(Number(process.env.PORT), "127.0.0.1"),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
process.on("SIGTERM", () => server.close(() => void sql.end({ timeout: 2 }).then(() => process.exit(0))));
