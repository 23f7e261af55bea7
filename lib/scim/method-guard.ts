import http from "node:http";
import type { Duplex } from "node:stream";
import { errorBody, SCIM_CONTENT_TYPE } from "./responses";
import { ROUTED_METHODS, allowedMethods, malformedScimTarget, scimSegments } from "./methods";

/** Pages and route handlers outside SCIM answer these; a method outside them has no meaning anywhere in the app. */
const APP_METHODS = "GET, HEAD, POST";

type Answer = { status: number; headers: Record<string, string>; body: string };

/**
 * A request whose method Next.js does not route: SCIM paths get an RFC 7644 §3.12 error (404 for an unknown
 * path, else 405 with the path's `Allow`), other paths a plain 405.
 */
export function answerUnroutedMethod(method: string, target: string): Answer {
  const segments = scimSegments(target);
  if (!segments) {
    return { status: 405, headers: { allow: APP_METHODS, "content-type": "text/plain; charset=utf-8" }, body: "Method Not Allowed\n" };
  }
  const allowed = allowedMethods(segments);
  const path = `/${segments.join("/")}`;
  if (!allowed) {
    return { status: 404, headers: { "content-type": SCIM_CONTENT_TYPE }, body: JSON.stringify(errorBody(404, `No such endpoint: ${path}`)) };
  }
  const detail = `Method ${method} is not allowed on ${path}; use ${allowed.join(", ")}`;
  return { status: 405, headers: { allow: allowed.join(", "), "content-type": SCIM_CONTENT_TYPE }, body: JSON.stringify(errorBody(405, detail)) };
}

const routed = new Set<string>(ROUTED_METHODS);

const notFound = (why: string): Answer => ({
  status: 404,
  headers: { "content-type": SCIM_CONTENT_TYPE },
  body: JSON.stringify(errorBody(404, `No such resource: ${why}`)),
});

/** The request line of a raw packet Node's parser refused: method and target, if it reads as one. */
function requestLine(packet: Buffer | undefined): { method: string; target: string } | null {
  const line = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+) (\S+) HTTP\/1\.[01]\r?\n/.exec(packet?.subarray(0, 8192).toString("latin1") ?? "");
  return line ? { method: line[1], target: line[2] } : null;
}

function writeRaw(socket: Duplex, answer: Answer): void {
  const body = Buffer.from(answer.body);
  const reason = answer.status === 404 ? "Not Found" : "Method Not Allowed";
  const headers = Object.entries({ ...answer.headers, "content-length": String(body.length), connection: "close" })
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join("");
  socket.end(Buffer.concat([Buffer.from(`HTTP/1.1 ${answer.status} ${reason}\r\n${headers}\r\n`), body]));
}

/**
 * Answers every HTTP method (RFC 9110 §9 and any other token) before Next.js sees it, where Next cannot:
 * - TRACE (and TRACK, CONNECT): Next builds a WHATWG Request, which refuses them (Fetch's forbidden methods), so
 *   it answered 500 in plain text on every path;
 * - PROPFIND, PURGE, QUERY…: Next answers a route handler a bodiless 400, and renders pages as if GET;
 * - tokens Node's HTTP parser does not know (`FOO`): it closes with a bare 400; CONNECT: it closes unanswered;
 * - and, for any method, a SCIM path with a broken percent-escape, which Next answers 500 in plain text.
 * The proxy (proxy.ts) runs too late for all three. Installed once per process from instrumentation.ts.
 */
export function installMethodGuard(): void {
  const state = globalThis as { __sallyMethodGuard?: boolean };
  if (state.__sallyMethodGuard) return;
  state.__sallyMethodGuard = true;
  const emit = http.Server.prototype.emit;
  // Node destroys a CONNECT socket unanswered unless the server has a "connect" listener; the server exists before
  // this runs, so the listener is added on its first event (a new connection).
  const servers = new WeakSet<http.Server>();
  http.Server.prototype.emit = function guardedEmit(this: http.Server, event: string | symbol, ...args: unknown[]): boolean {
    if (!servers.has(this)) {
      servers.add(this);
      if (this.listenerCount("connect") === 0) {
        this.on("connect", (req: http.IncomingMessage, socket: Duplex) => writeRaw(socket, answerUnroutedMethod("CONNECT", req.url ?? "/")));
      }
    }
    if (event === "request") {
      const [req, res] = args as [http.IncomingMessage, http.ServerResponse];
      const target = req.url ?? "/";
      const answer = !routed.has(req.method ?? "")
        ? answerUnroutedMethod(req.method ?? "", target)
        : malformedScimTarget(target)
          ? notFound("the path is not valid percent-encoding (RFC 3986 §2.1)")
          : null;
      if (answer) {
        req.resume();
        res.writeHead(answer.status, answer.headers).end(answer.body);
        return true;
      }
    } else if (event === "clientError") {
      const [error, socket] = args as [NodeJS.ErrnoException & { rawPacket?: Buffer }, Duplex & { bytesWritten?: number }];
      const line = error.code === "HPE_INVALID_METHOD" ? requestLine(error.rawPacket) : null;
      if (line && socket.writable && !socket.bytesWritten) {
        writeRaw(socket, answerUnroutedMethod(line.method, line.target));
        return true;
      }
    }
    return (emit as (event: string | symbol, ...args: unknown[]) => boolean).call(this, event, ...args);
  } as typeof emit;
}
