import fs from "node:fs";
import http from "node:http";
import { expect, test } from "./fixtures";
import { NEXT_START_OPTIONS } from "./servers";

/** One GET on the agent's connection; says whether it went over a connection the agent had kept open. */
function get(agent: http.Agent, port: number, path: string): Promise<{ status: number; reusedSocket: boolean }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: "127.0.0.1", port, path, agent }, (res) => {
      res.resume();
      res.on("end", () => resolve({ status: res.statusCode ?? 0, reusedSocket: req.reusedSocket }));
    });
    req.on("error", reject);
  });
}

// IdPs and the load balancers in front of Sally keep connections open between requests. Node.js closes an idle
// one after 5 s by default, and a request the client sends just as it closes is reset (ECONNRESET) without an
// answer; `npm start` keeps idle connections for 65 s, beyond the usual 60 s idle timeout of load balancers.
test("an idle keep-alive connection is still open after Node.js's default 5 s", async ({ server }) => {
  // Both projects' servers are `npm start`; the database behind them plays no part here.
  test.skip(server.name !== "pglite", "the PGlite project's server stands for both");
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  try {
    const closed: string[] = [];
    agent.on("free", (socket) => socket.once("close", () => closed.push("closed")));
    expect((await get(agent, server.port, "/api/health")).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 6_500));
    expect(closed).toEqual([]);
    expect(await get(agent, server.port, "/api/health")).toEqual({ status: 200, reusedSocket: true });
  } finally {
    agent.destroy();
  }
});

test("the specs that start `next` themselves give it the options of `npm start`", ({ server }) => {
  test.skip(server.name !== "pglite", "one check of the repository is enough");
  const { scripts } = JSON.parse(fs.readFileSync("package.json", "utf8")) as { scripts: Record<string, string> };
  expect(scripts.start).toMatch(new RegExp(`\\bnext start ${NEXT_START_OPTIONS.join(" ")}$`));
});
