import { expect, test } from "@playwright/test";
import postgres from "postgres";
import { SimulatedIdp, SCIM_SCHEMAS } from "./idp";
import { connectTenant, startInstance, type Instance, type OneInstance } from "./instances";

// PostgreSQL ends the instance's connections while IdP requests run (a restart, a failover, an administrator's
// pg_terminate_backend, a proxy dropping connections): the requests in flight fail with a 503 (try again), the
// process lives on, and the next requests are served on new connections. With postgres.js 3.4.9 alone, a
// statement sent on a reserved connection that had closed threw where nothing could catch it, and statements or
// reservations waiting when a connection closed waited forever (db/transaction.ts); and a statement handed to a
// connection being made again waited out postgres.js's reconnect delay, up to 20 s and more than once per request,
// so a request could outlast the IdP's 60 s (db/index.ts, reconnectDelay).
test.describe.configure({ mode: "serial" });

let ops: OneInstance | undefined;
let instance: Instance;
let idp: SimulatedIdp;

test.beforeAll(async ({}, info) => {
  ops = await startInstance(info, "ended", 19);
  instance = ops.instance;
  const { token } = await connectTenant(instance.options, "ended", "okta");
  idp = new SimulatedIdp(token, () => [instance.url]);
});

test.afterAll(() => ops?.stop());

/** Ends every connection to the instance's database, from a connection to another one; how many it ended. */
async function endConnections(): Promise<number> {
  const admin = postgres(process.env.DATABASE_URL!, { max: 1, onnotice: () => {} });
  try {
    // The connections are chosen first (OFFSET 0 keeps the subquery whole): in one WHERE, PostgreSQL may call
    // pg_terminate_backend before it has checked the database, and end every connection of the server.
    const ended = await admin<{ pid: number }[]>`
      select pid from (
        select pid from pg_stat_activity where datname = ${new URL(ops!.database.url).pathname.slice(1)} and pid <> pg_backend_pid() offset 0
      ) as chosen
      where pg_terminate_backend(pid)`;
    return ended.length;
  } finally {
    await admin.end();
  }
}

test("connections ended under load three times: requests in flight may get a 503, the instance lives on and serves again", async () => {
  test.setTimeout(180_000);
  const users: string[] = [];
  for (let i = 0; i < 8; i++) users.push(await idp.createUser(`user-${i}@ended.example`));
  const group = await idp.createGroup("Everyone");

  // Eight IdP connections, each reading and writing in turn (reads on the shared pool, writes in
  // transactions), until the three rounds of ended connections are over.
  let running = true;
  const statuses = new Map<number, number>();
  const worker = async (w: number) => {
    for (let i = 0; running; i++) {
      const user = users[(w + i) % users.length];
      const request =
        i % 3 === 0
          ? idp.send("GET", `Users/${user}`)
          : i % 3 === 1
            ? idp.send("PATCH", `Users/${user}`, { schemas: [SCIM_SCHEMAS.patchOp], Operations: [{ op: "replace", path: "displayName", value: `User ${w}.${i}` }] })
            : idp.send("PATCH", `Groups/${group}`, { schemas: [SCIM_SCHEMAS.patchOp], Operations: [{ op: i % 2 ? "add" : "remove", path: "members", value: [{ value: user }] }] });
      // 0: no answer at all (the process is gone).
      const status = await request.then((reply) => reply.status, () => 0);
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
      if (status === 0) await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };
  const load = Promise.all(Array.from({ length: 8 }, (_, w) => worker(w)));
  let ended = 0;
  for (let round = 0; round < 3; round++) {
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    ended += await endConnections();
  }
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  running = false;
  await load;

  expect(ended, "connections the instance held were ended").toBeGreaterThan(0);
  expect(instance.exits, instance.output).toBe(0);
  expect(instance.output).not.toContain("Cannot read properties of null");
  // Nothing failed where nobody handles it (Next.js logs such errors under these names).
  expect(instance.output).not.toMatch(/unhandledRejection|uncaughtException/);
  // Only the requests whose statements met an ended connection failed, each with a 503 the IdP retries: no other
  // answer, and none missing.
  expect([...statuses.keys()].filter((status) => ![200, 204, 503].includes(status)), `${JSON.stringify([...statuses])}\n${instance.output.slice(-3000)}`).toEqual([]);
  expect((statuses.get(200) ?? 0) + (statuses.get(204) ?? 0)).toBeGreaterThan(100);

  // Afterwards every request is served.
  for (let i = 0; i < 24; i++) {
    const user = users[i % users.length];
    expect((await idp.send("GET", `Users/${user}`)).status).toBe(200);
    expect((await idp.send("PATCH", `Users/${user}`, { schemas: [SCIM_SCHEMAS.patchOp], Operations: [{ op: "replace", path: "displayName", value: `After ${i}` }] })).status).toBe(200);
  }
  expect(instance.exits).toBe(0);
});
