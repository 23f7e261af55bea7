import { expect, test } from "@playwright/test";
import { startCountingProxy } from "../../db/testing/round-trips";
import { SimulatedIdp, SCIM_SCHEMAS } from "./idp";
import { connectTenant, startInstance, type Instance, type OneInstance } from "./instances";

// Round trips to PostgreSQL per SCIM request, counted on the production build, through the counting proxy the
// unit tests use (lib/scim/round-trips.db.test.ts). There every module is loaded once; `next build` puts copies
// of a module in several server chunks (the instrumentation's, the SCIM route's), and the database a request uses
// is the one the first copy opened. A transaction's statements sent with COMMIT must work whichever copy opened
// it: when they did not, every such statement waited for its own answer with the transaction's locks held, and
// nothing in the unit tests could tell.
test.describe.configure({ mode: "serial" });

let ops: OneInstance | undefined;
let proxy: Awaited<ReturnType<typeof startCountingProxy>>;
let instance: Instance;
let idp: SimulatedIdp;

test.beforeAll(async ({}, info) => {
  ops = await startInstance(info, "trips", 17, {
    through: async (databaseUrl) => {
      const url = new URL(databaseUrl);
      proxy = await startCountingProxy({ host: url.hostname, port: Number(url.port || 5432) });
      url.hostname = "127.0.0.1";
      url.port = String(proxy.port);
      return { databaseUrl: url.toString(), close: () => proxy.close() };
    },
  });
  ({ instance } = ops);
  const { token } = await connectTenant(instance.options, "trips", "entra");
  idp = new SimulatedIdp(token, () => [instance.url]);
});

test.afterAll(() => ops?.stop());

/**
 * The fewest round trips `request` took in three runs (each counted from its start to its answer): the instance's
 * own background work (the outbox's timer, a read's buffered activity entry, a rate-limit lease renewed) goes
 * through the same proxy and may fall into one run, not into all three.
 */
async function fewestRoundTrips(request: (run: number) => Promise<{ status: number }>, expectedStatus: number): Promise<number> {
  let fewest = Infinity;
  for (let run = 0; run < 3; run++) {
    proxy.reset();
    const reply = await request(run);
    fewest = Math.min(fewest, proxy.count.roundTrips);
    expect(reply.status).toBe(expectedStatus);
  }
  return fewest;
}

const members = (ids: string[]) => ({ schemas: [SCIM_SCHEMAS.patchOp], Operations: [{ op: "Add", path: "members", value: ids.map((value) => ({ value })) }] });

test("GET /Users/{id}: the read carries the token's check in its own statement, one round trip", async () => {
  const ids = [await idp.createUser("get-0@trips.example"), await idp.createUser("get-1@trips.example")];
  // Warm: the instance knows the token and holds rate-limit tokens for it; the statements are prepared.
  for (let i = 0; i < 9; i++) await idp.send("GET", `Users/${ids[i % 2]}`);
  expect(await fewestRoundTrips((run) => idp.send("GET", `Users/${ids[run % 2]}`), 200)).toBe(1);
});

test("PATCH /Groups/{id} adding 10 members: the members with BEGIN, the version bump and the activity entry with COMMIT, 2 round trips", async () => {
  const ids: string[] = [];
  for (let i = 0; i < 20; i++) ids.push(await idp.createUser(`member-${i}@trips.example`));
  const groups: string[] = [];
  for (let i = 0; i < 12; i++) groups.push(await idp.createGroup(`Department ${i}`));
  // Warm: each statement prepared on every connection the pool hands these requests in turn (a statement new to a
  // connection costs a round trip of its own).
  for (let i = 0; i < 9; i++) await idp.send("PATCH", `Groups/${groups[i]}`, members(ids.slice(0, 10)));
  const fewest = await fewestRoundTrips((run) => idp.send("PATCH", `Groups/${groups[9 + run]}`, members(ids.slice(10, 20))), 204);
  // The token's check with BEGIN, the group's lock, the members and the rules' lock and facts (which find that the
  // group grants nothing); the version bump, the activity entry and COMMIT.
  expect(fewest, proxy.count.texts.join("\n")).toBeLessThanOrEqual(2);
});
