// A stand-in for the Resend HTTP API (POST /emails) so tests drive the real resend SDK over HTTP.
// Repeated Idempotency-Key replays the first result, as Resend does. GET/DELETE /__outbox read and clear it.
// failFirst: the first N sends fail with a 500; failTo: sends to these addresses always fail with a 500.
// perSecond: the API's rate limit, as Resend keeps it (requests per one-second window; every answer says what is
// left in `ratelimit-*` headers, and a request beyond it gets a 429 `rate_limit_exceeded` with `retry-after`).
// dailyQuota: emails accepted before every further send gets a 429 `daily_quota_exceeded`.
// Run alone: `FAKE_RESEND_PORT=4321 node e2e/fake-resend.mjs`; or import { startFakeResend }.
import http from "node:http";
import { pathToFileURL } from "node:url";

export function startFakeResend(port = 0, { failFirst = 0, failTo = [], perSecond = 0, dailyQuota = Infinity } = {}) {
  const outbox = [];
  /** When each request the rate limit counts arrived, per window: [window start (ms), requests in it]. */
  let window = [0, 0];
  const byKey = new Map();
  const requests = [];
  /** The status of each answer to POST /emails, in order. */
  const answers = [];
  let failuresLeft = failFirst;
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      let limitHeaders = {};
      const reply = (status, payload, headers = {}) => {
        if (req.method === "POST" && req.url === "/emails") answers.push({ status });
        res.writeHead(status, { "content-type": "application/json", ...limitHeaders, ...headers });
        res.end(JSON.stringify(payload));
      };
      if (req.url === "/__outbox") {
        if (req.method === "DELETE") outbox.length = 0;
        return reply(200, outbox);
      }
      if (req.method === "POST" && req.url === "/emails") {
        requests.push({ headers: req.headers, body, at: Date.now() });
        if (perSecond > 0) {
          const now = Date.now();
          if (now - window[0] >= 1000) window = [now, 0];
          const reset = String(Math.max(1, Math.ceil((window[0] + 1000 - now) / 1000)));
          if (window[1] >= perSecond) {
            limitHeaders = { "ratelimit-limit": String(perSecond), "ratelimit-remaining": "0", "ratelimit-reset": reset };
            return reply(429, { statusCode: 429, name: "rate_limit_exceeded", message: "Too many requests" }, { "retry-after": reset });
          }
          window[1]++;
          limitHeaders = { "ratelimit-limit": String(perSecond), "ratelimit-remaining": String(perSecond - window[1]), "ratelimit-reset": reset };
        }
        if (outbox.length >= dailyQuota) {
          return reply(429, { statusCode: 429, name: "daily_quota_exceeded", message: "You have reached your daily email sending quota" });
        }
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
        answers,
        close: () => new Promise((done) => server.close(done)),
      });
    });
  });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const fake = await startFakeResend(Number(process.env.FAKE_RESEND_PORT ?? 4321));
  console.log(`fake resend on ${fake.url}`);
}
