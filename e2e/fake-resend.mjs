// A stand-in for the Resend HTTP API (POST /emails) so tests drive the real resend SDK over HTTP.
// Repeated Idempotency-Key replays the first result, as Resend does. GET/DELETE /__outbox read and clear it.
// failFirst: the first N sends fail with a 500; failTo: sends to these addresses always fail with a 500.
// Run alone: `FAKE_RESEND_PORT=4321 node e2e/fake-resend.mjs`; or import { startFakeResend }.
import http from "node:http";
import { pathToFileURL } from "node:url";

export function startFakeResend(port = 0, { failFirst = 0, failTo = [] } = {}) {
  const outbox = [];
  const byKey = new Map();
  const requests = [];
  let failuresLeft = failFirst;
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      const reply = (status, payload) => {
        res.writeHead(status, { "content-type": "application/json" });
        res.end(JSON.stringify(payload));
      };
      if (req.url === "/__outbox") {
        if (req.method === "DELETE") outbox.length = 0;
        return reply(200, outbox);
      }
      if (req.method === "POST" && req.url === "/emails") {
        requests.push({ headers: req.headers, body });
        if (!String(req.headers.authorization ?? "").startsWith("Bearer re_")) {
          return reply(401, { statusCode: 401, name: "validation_error", message: "API key is invalid" });
        }
        const failsFirst = failuresLeft > 0;
        if (failsFirst) failuresLeft--;
        if (failsFirst || failTo.includes(JSON.parse(body).to)) {
          return reply(500, { statusCode: 500, name: "internal_server_error", message: "temporary failure" });
        }
        const key = req.headers["idempotency-key"];
        if (key && byKey.has(key)) return reply(200, byKey.get(key));
        const result = { id: `fake_${outbox.length + 1}` };
        outbox.push({ ...JSON.parse(body), id: result.id, idempotencyKey: key ?? null });
        if (key) byKey.set(key, result);
        return reply(200, result);
      }
      reply(404, { statusCode: 404, name: "not_found", message: "not found" });
    });
  });
  return new Promise((resolve) => {
    server.listen(port, "127.0.0.1", () => {
      resolve({
        url: `http://127.0.0.1:${server.address().port}`,
        outbox,
        requests,
        close: () => new Promise((done) => server.close(done)),
      });
    });
  });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const fake = await startFakeResend(Number(process.env.FAKE_RESEND_PORT ?? 4321));
  console.log(`fake resend on ${fake.url}`);
}
