// Property-based fuzzing of every SCIM endpoint through the real router (auth, body reading, transaction, tenant
// lock, rules) on both drivers. Each case must be answered (no hang), never 5xx, in RFC 7644 §3.12 form with the
// right status and scimType, and a rejected request must leave the database as it was (see Checker).
// Replay a failure with FUZZ_SEED=<seed printed by fast-check>; FUZZ_RUNS_SCALE=10 fuzzes ten times longer.
// One test file per driver (bad-input.<driver>.fuzz.db.test.ts), so the two run side by side.
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testDrivers, useTestDatabase, type Driver } from "@/db/testing";
import { LONE_SURROGATE } from "@/lib/unicode";
import { digestTables } from "@/db/testing/digest";
import {
  Checker,
  SCIM_TYPES,
  anyJson,
  attributePaths,
  encodeSegment,
  fuzz,
  groupBody,
  hostileString,
  makeWorld,
  methodToken,
  nested,
  setAt,
  userBody,
  wrongTypeFor,
  type Expected,
  type RawRequest,
  type World,
} from "./fuzz-testing";
import { SCHEMA, resolvePath, type ResourceKind } from "./schemas";

// Thousands of requests from one tenant: the rate limit has its own test (router-rate-limit.db.test.ts).
process.env.SCIM_RATE_LIMIT_PER_MINUTE = "100000000";

const ENTERPRISE = SCHEMA.enterpriseUser;

/** Each property sends hundreds of requests, a few of them megabytes long: minutes on a busy machine. */
const FUZZ_TIMEOUT = 20 * 60_000;

/** A JSON text that is not a JSON object (or not JSON at all) can only be refused as invalidSyntax. */
const isJsonObject = (text: string) => {
  try {
    const v: unknown = JSON.parse(text);
    return typeof v === "object" && v !== null && !Array.isArray(v);
  } catch {
    return false;
  }
};


const PATCH_TYPES = ["invalidValue", "invalidPath", "noTarget", "invalidSyntax", "mutability", "invalidFilter"] as const;

/** The fuzzing of one driver (skipped when this run has no such database). */
export const fuzzBadInput = (driver: Driver) =>
  describe.runIf(testDrivers.includes(driver))(`SCIM bad input, fuzzed through the router on ${driver}`, { timeout: FUZZ_TIMEOUT }, () => {
    const t = useTestDatabase(driver);
    let world: World;
    let checker: Checker;
    let serial = 0;
    const fresh = (prefix: string) => `${prefix}-${serial++}@fuzz.example`;

    beforeAll(async () => {
      world = await makeWorld(t.database, `fz-${driver}`);
      checker = new Checker(world);
      await checker.start();
    });
    afterAll(() => {
      console.log(`fuzz ${driver}: ${checker?.cases} requests, ${checker?.rejected} rejected with the database unchanged`);
    });

    const validBodies = () => {
      const { a } = world;
      return [
        JSON.stringify(userBody("valid@fuzz.example")),
        JSON.stringify(groupBody("Valid", { members: [{ value: a.userIds[0] }] })),
        JSON.stringify({ schemas: [SCHEMA.patchOp], Operations: [{ op: "replace", path: "displayName", value: "X" }] }),
        JSON.stringify({ schemas: [SCHEMA.bulkRequest], Operations: [{ method: "POST", path: "/Groups", bulkId: "g", data: groupBody("B") }] }),
        JSON.stringify({ schemas: [SCHEMA.searchRequest], filter: 'userName sw "a"', startIndex: 1, count: 2 }),
      ];
    };

    const writeTargets = (): [string, string[]][] => {
      const { a } = world;
      return [
        ["POST", ["Users"]],
        ["POST", ["Groups"]],
        ["PUT", ["Users", a.userIds[2]]],
        ["PUT", ["Groups", a.groupIds[1]]],
        ["PATCH", ["Users", a.userIds[2]]],
        ["PATCH", ["Groups", a.groupIds[1]]],
        ["POST", ["Bulk"]],
        ["POST", [".search"]],
        ["POST", ["Users", ".search"]],
        ["POST", ["Groups", ".search"]],
      ];
    };

    it("refuses malformed, truncated, mistyped, deeply nested and huge bodies", async () => {
      const text = fc.oneof(
        fc.constantFrom(...validBodies()).chain((s) => fc.nat(s.length - 1).map((i) => s.slice(0, i))),
        fc.string(),
        fc.jsonValue().map((v) => JSON.stringify(v)),
        fc.tuple(fc.integer({ min: 1, max: 300_000 }), fc.constantFrom("array" as const, "object" as const)).map(([d, k]) => nested(d, k)),
        fc.tuple(fc.integer({ min: 1, max: 100_000 }), fc.constantFrom("array" as const, "object" as const)).map(
          ([d, k]) => `{"schemas":["${SCHEMA.user}"],"userName":"deep-${d}-${k}@fuzz.example","x":${nested(d, k)}}`,
        ),
        fc.integer({ min: 1, max: 1_200_000 }).map((n) => JSON.stringify(userBody(`big-${n}@fuzz.example`, { title: "t".repeat(n) }))),
        fc.integer({ min: 1, max: 60_000 }).map((n) =>
          JSON.stringify(userBody(`many-${n}@fuzz.example`, { emails: Array.from({ length: n }, (_, i) => ({ value: `e${i}@x.example` })) })),
        ),
      );
      const body = fc.oneof(text, fc.uint8Array({ maxLength: 300 }));
      await fuzz(
        fc.asyncProperty(fc.constantFrom(...writeTargets()), body, async ([method, segments], raw) => {
          const request: RawRequest = { method, segments, body: raw };
          const decoded = typeof raw === "string" ? raw : Buffer.from(raw).toString("utf8");
          const bytes = Buffer.byteLength(decoded);
          const expected: Expected =
            bytes > 1_048_576
              ? { status: [413] }
              : isJsonObject(decoded)
                ? { status: [200, 201, 204, 400, 409], scimType: SCIM_TYPES }
                : { status: [400], scimType: ["invalidSyntax"] };
          await checker.run(request, expected);
        }),
        250,
      );
    });

    it("refuses a value of the wrong type at every attribute, on create, replace and patch", async () => {
      const cases = (kind: ResourceKind) =>
        attributePaths(kind)
          .filter(({ attribute }) => attribute.mutability !== "writeOnly")
          .map((c) => ({ kind, ...c }));
      const paths = [...cases("User"), ...cases("Group")];
      const multi = (kind: ResourceKind) => (name: string) => resolvePath(kind, name)?.attribute.multiValued ?? false;
      await fuzz(
        fc.asyncProperty(
          fc.constantFrom(...paths).chain((c) => fc.tuple(fc.constant(c), wrongTypeFor(c.attribute))),
          fc.constantFrom("POST", "PUT", "PATCH"),
          async ([{ kind, path }, value], method) => {
            const { a } = world;
            const resource = kind === "User" ? "Users" : "Groups";
            const base = kind === "User" ? userBody(fresh("typed")) : groupBody(`Typed ${serial++}`);
            const segments = method === "POST" ? [resource] : [resource, kind === "User" ? a.userIds[2] : a.groupIds[1]];
            if (method === "PATCH") {
              const [first, ...rest] = path;
              const patchPath = first === ENTERPRISE ? `${ENTERPRISE}:${rest.join(".")}` : path.join(".");
              const body = { schemas: [SCHEMA.patchOp], Operations: [{ op: "replace", path: patchPath, value }] };
              await checker.run({ method, segments, body: JSON.stringify(body) }, { status: [200, 204, 400], scimType: PATCH_TYPES });
              return;
            }
            const body = setAt(base, path, value, multi(kind));
            await checker.run({ method, segments, body: JSON.stringify(body) }, { status: [400], scimType: ["invalidValue"] });
          },
        ),
        250,
      );
    });

    const attributeNames = [
      "userName", "displayName", "id", "externalId", "emails", "emails.value", "emails.type", "emails.primary", "name",
      "name.givenName", "meta", "meta.created", "meta.lastModified", "meta.resourceType", "meta.version", "active",
      "members", "members.value", "members.display", "groups", "groups.value", "title", "x", "a.b.c", "$ref",
      `${ENTERPRISE}:department`, `${ENTERPRISE}:manager.value`, `${ENTERPRISE}:manager`, `${SCHEMA.user}:userName`,
    ];
    const filterValue = () =>
      fc.oneof(
        hostileString().map((s) => JSON.stringify(s)),
        hostileString().map((s) => `"${s}"`),
        fc.double().map(String),
        fc.integer().map(String),
        fc.constantFrom("true", "false", "null", "1e999", "-0", "0x1F", '"2020-01-01T00:00:00Z"', '"9999-99-99T99:99:99Z"', '""', "x", ""),
        fc.uuid().map((u) => `"${u}"`),
      );
    const comparison = fc.oneof(
      fc.tuple(
        fc.oneof(fc.constantFrom(...attributeNames), fc.stringMatching(/^[A-Za-z$][\w$.:-]{0,20}$/)),
        fc.constantFrom("eq", "ne", "co", "sw", "ew", "gt", "ge", "lt", "le", "EQ", "Gt", "xx", "==", ""),
        filterValue(),
      ).map(([a, op, v]) => `${a} ${op} ${v}`),
      fc.constantFrom(...attributeNames).map((a) => `${a} pr`),
    );
    const { filter: filterArb } = fc.letrec<{ filter: string }>((tie) => ({
      filter: fc.oneof(
        { depthSize: "small", withCrossShrink: true },
        comparison,
        fc.tuple(tie("filter"), fc.constantFrom("and", "or", "AND", "Or"), tie("filter")).map(([x, op, y]) => `${x} ${op} ${y}`),
        tie("filter").map((x) => `not (${x})`),
        tie("filter").map((x) => `(${x})`),
        fc.tuple(fc.constantFrom("emails", "members", "groups", "addresses", "name", "x", "userName"), tie("filter")).map(([a, f]) => `${a}[${f}]`),
      ),
    }));
    const hostileFilter = fc.oneof(
      filterArb,
      // One character dropped, doubled or replaced somewhere: almost-valid filters.
      fc.tuple(filterArb, fc.nat(), fc.constantFrom("", '"', "(", ")", "[", "]", " ", "\\", "\u0000")).map(
        ([f, i, c]) => f.slice(0, i % (f.length + 1)) + c + f.slice((i % (f.length + 1)) + 1),
      ),
      fc.string(),
      fc.integer({ min: 1, max: 100_000 }).map((n) => `${"(".repeat(n)}userName eq "x"${")".repeat(n)}`),
      fc.integer({ min: 1, max: 3_000 }).map((n) => Array.from({ length: n }, (_, i) => `userName eq "u${i}"`).join(" or ")),
      fc.integer({ min: 1, max: 5_000 }).map((n) => `${"not (".repeat(n)}active eq true${")".repeat(n)}`),
      fc.integer({ min: 1, max: 200_000 }).map((n) => `userName eq "${"x".repeat(n)}"`),
    );

    it("answers every hostile filter with results or invalidFilter", async () => {
      await fuzz(
        fc.asyncProperty(hostileFilter, fc.constantFrom("Users", "Groups", ".search", "Users/.search"), async (filter, where) => {
          const request: RawRequest = where.includes("search")
            ? { method: "POST", segments: where.split("/"), body: JSON.stringify({ schemas: [SCHEMA.searchRequest], filter }) }
            : { method: "GET", segments: [where], query: `filter=${encodeSegment(filter)}` };
          const tooBig = Buffer.byteLength(request.body ?? "") > 1_048_576;
          // A NUL character or a lone surrogate in a request body is refused as an invalid value before the filter
          // is read; one that only a filter's own string escape produces ("\\u0000" inside quotes) is an invalid filter.
          const unstorable = filter.includes("\u0000") || LONE_SURROGATE.test(filter);
          const scimType: Expected["scimType"] = request.body !== undefined && unstorable ? ["invalidValue"] : ["invalidFilter"];
          await checker.run(request, tooBig ? { status: [413] } : { status: [200, 400], scimType });
        }),
        300,
      );
    });

    it("answers 404 for any id that is not one of the tenant's, in every verb", async () => {
      await fuzz(
        fc.asyncProperty(
          fc.constantFrom("GET", "PUT", "PATCH", "DELETE"),
          fc.constantFrom("Users", "Groups", "users", "GROUPS"),
          fc.oneof(hostileString(), fc.uuid(), fc.constantFrom(...world.b.userIds, ...world.b.groupIds)).filter(
            (id) => id !== "" && id.toLowerCase() !== ".search",
          ),
          async (method, resource, id) => {
            const body =
              method === "PUT"
                ? JSON.stringify(resource.toLowerCase() === "users" ? userBody(fresh("put")) : groupBody("Put"))
                : method === "PATCH"
                  ? JSON.stringify({ schemas: [SCHEMA.patchOp], Operations: [{ op: "replace", path: "displayName", value: "P" }] })
                  : undefined;
            await checker.run({ method, segments: [resource, id], body }, { status: [404] });
          },
        ),
        200,
      );
    });

    it("refuses member values, member filters and bulk references that name no user of the tenant", async () => {
      const memberValue = fc.oneof(anyJson(), fc.uuid(), fc.constantFrom(...world.b.userIds, ...world.a.groupIds));
      const removedValue = memberValue;
      const memberOp = fc.oneof(
        fc.tuple(fc.constantFrom("add", "replace", "Add"), fc.array(memberValue, { minLength: 1, maxLength: 4 })).map(([op, values]) => ({
          op,
          path: "members",
          value: values.map((value) => ({ value })),
        })),
        fc.array(removedValue, { minLength: 1, maxLength: 4 }).map((values) => ({ op: "remove", path: "members", value: values.map((value) => ({ value })) })),
        fc.tuple(fc.constantFrom("add", "replace"), memberValue).map(([op, v]) => ({ op, path: "members", value: v })),
        fc.tuple(fc.constantFrom("add", "remove", "replace"), removedValue, fc.option(memberValue)).map(([op, v, value]) => ({
          op,
          path: `members[value eq ${JSON.stringify(v)}]`,
          ...(value === null ? {} : { value }),
        })),
        fc
          .tuple(fc.constantFrom("remove", "replace"), hostileFilter)
          .map(([op, f]) => ({ op, path: `members[${f}]` })),
        fc.tuple(fc.constantFrom("add", "replace"), memberValue).map(([op, v]) => ({ op, value: { members: [{ value: v }] } })),
      );
      const patch = fc.array(memberOp, { minLength: 1, maxLength: 3 }).map((Operations) => ({
        method: "PATCH",
        segments: ["Groups", world.a.groupIds[1]],
        body: JSON.stringify({ schemas: [SCHEMA.patchOp], Operations }),
      }));
      const create = fc.array(memberValue, { minLength: 1, maxLength: 3 }).chain((values) =>
        fc.constantFrom("POST", "PUT").map((method) => ({
          method,
          segments: method === "POST" ? ["Groups"] : ["Groups", world.a.groupIds[1]],
          body: JSON.stringify(groupBody(`Members ${serial++}`, { members: values.map((value) => ({ value })) })),
        })),
      );
      const reference = fc.oneof(hostileString(), fc.constantFrom("g1", "u1", "missing"));
      const bulkOp = fc.oneof(
        fc.tuple(fc.option(reference), reference).map(([bulkId, ref]) => ({
          method: "POST",
          path: "/Groups",
          ...(bulkId === null ? {} : { bulkId }),
          data: groupBody(`Bulk ${serial++}`, { members: [{ value: `bulkId:${ref}` }] }),
        })),
        fc.tuple(fc.constantFrom("PATCH", "PUT", "DELETE", "GET", "post"), reference, fc.constantFrom("Users", "Groups")).map(([method, ref, r]) => ({
          method,
          path: `/${r}/bulkId:${ref}`,
          data: { schemas: [SCHEMA.patchOp], Operations: [{ op: "add", path: "members", value: [{ value: `bulkId:${ref}` }] }] },
        })),
        fc.tuple(fc.constantFrom("PATCH", "PUT", "DELETE", "POST"), hostileString(), anyJson()).map(([method, path, data]) => ({ method, path, data })),
        fc.constantFrom("u1", "g1").map((bulkId) => ({ method: "POST", path: "/Users", bulkId, data: userBody(fresh("bulk")) })),
      );
      const bulk = fc
        .tuple(fc.array(bulkOp, { minLength: 1, maxLength: 5 }), fc.option(fc.oneof(fc.integer({ min: -2, max: 3 }), anyJson())))
        .map(([Operations, failOnErrors]) => ({
          method: "POST",
          segments: ["Bulk"],
          body: JSON.stringify({ schemas: [SCHEMA.bulkRequest], Operations, ...(failOnErrors === null ? {} : { failOnErrors }) }),
        }));
      await fuzz(
        fc.asyncProperty(fc.oneof(patch, create, bulk), async (request) => {
          const reply = await checker.run(request, { status: [200, 201, 204, 400], scimType: PATCH_TYPES });
          if (request.segments[0] === "Bulk" && reply.status === 200) {
            for (const op of reply.body.Operations as { status: string; response?: { status: string; scimType?: string } }[]) {
              expect(Number(op.status), JSON.stringify(op)).toBeLessThan(500);
              if (Number(op.status) >= 400) expect(op.response?.status).toBe(op.status);
            }
          }
        }),
        250,
      );
    });

    it("a member remove naming a non-UUID id is answered without a 5xx (ids never reach the database unchecked)", async () => {
      const group = world.a.groupIds[1];
      for (const body of [
        { schemas: [SCHEMA.patchOp], Operations: [{ op: "remove", path: 'members[value eq "not-a-uuid"]' }] },
        { schemas: [SCHEMA.patchOp], Operations: [{ op: "remove", path: "members", value: [{ value: "not-a-uuid" }] }] },
      ]) {
        await checker.run({ method: "PATCH", segments: ["Groups", group], body: JSON.stringify(body) }, { status: [204, 400], scimType: PATCH_TYPES });
      }
    });

    it("answers bad startIndex, count, cursor, sortBy and projections with results or invalidValue/invalidCursor", async () => {
      const param = fc.oneof(
        hostileString(),
        fc.integer().map(String),
        fc.double().map(String),
        fc.bigInt({ min: -(10n ** 40n), max: 10n ** 40n }).map(String),
        fc.constantFrom("1e999", "-1e999", "9007199254740993", "2147483648", "0", "-0", " 1", "1 ", "0x10", "1.0", "1,2"),
      );
      const cursorValue = fc.oneof(
        param,
        fc.tuple(anyJson(), anyJson()).map((pair) => Buffer.from(JSON.stringify(pair)).toString("base64url")),
        fc.tuple(fc.date({ noInvalidDate: true }), hostileString()).map(([d, id]) => Buffer.from(JSON.stringify([d.toISOString(), id])).toString("base64url")),
        anyJson().map((v) => Buffer.from(JSON.stringify(v) ?? "").toString("base64url")),
      );
      const names = ["startIndex", "count", "cursor", "sortBy", "sortOrder", "attributes", "excludedAttributes", "filter", "STARTINDEX"];
      const entries = fc.array(
        fc.tuple(fc.constantFrom(...names), fc.oneof(param, cursorValue)),
        { minLength: 1, maxLength: 4 },
      );
      const viaQuery = fc.tuple(fc.constantFrom("Users", "Groups"), entries).map(([resource, e]) => ({
        method: "GET",
        segments: [resource],
        query: e.map(([k, v]) => `${k}=${encodeSegment(v)}`).join("&"),
      }));
      const viaBody = fc
        .tuple(fc.constantFrom(["Users", ".search"], ["Groups", ".search"], [".search"]), fc.array(fc.tuple(fc.constantFrom(...names), anyJson()), { maxLength: 4 }))
        .map(([segments, e]) => ({ method: "POST", segments, body: JSON.stringify({ schemas: [SCHEMA.searchRequest], ...Object.fromEntries(e) }) }));
      await fuzz(
        fc.asyncProperty(fc.oneof(viaQuery, viaBody), async (request) => {
          await checker.run(request, { status: [200, 400], scimType: ["invalidValue", "invalidCursor", "invalidFilter", "invalidSyntax"] });
        }),
        250,
      );
    });

    it("answers bad and missing headers with the right error and no change", async () => {
      const { a } = world;
      const header = fc.oneof(hostileString().filter((s) => /^[\t\x20-\x7e\x80-\xff]*$/.test(s)), fc.constantFrom("*", 'W/"1"', '"1"', 'W/"999"', "W/", "text/plain", "application/xml", "multipart/form-data; boundary=x", "application/scim+json; charset=utf-16", "application/json", ""));
      const auth = fc.oneof(
        fc.constant<string | null>(null),
        fc.constantFrom(a.token, a.token.slice(0, -1), `${a.token}x`, a.token.toUpperCase(), world.b.token.slice(0, -2) + a.token.slice(-2)),
        header,
      );
      const target = fc.constantFrom<[string, string[], unknown]>(
        ["GET", ["Users"], undefined],
        ["GET", ["Users", a.userIds[0]], undefined],
        ["GET", ["Groups", a.groupIds[0]], undefined],
        ["POST", ["Users"], "fresh-user"],
        ["PATCH", ["Groups", a.groupIds[0]], { schemas: [SCHEMA.patchOp], Operations: [{ op: "replace", path: "displayName", value: a.groupNames[0] }] }],
        ["PUT", ["Users", a.userIds[1]], userBody(a.userNames[1])],
        ["DELETE", ["Groups", a.groupIds[1]], undefined],
      );
      const headerName = fc.constantFrom("content-type", "if-match", "if-none-match", "accept", "content-encoding", "x-http-method-override", "transfer-encoding-x");
      await fuzz(
        fc.asyncProperty(target, auth, fc.array(fc.tuple(headerName, header), { maxLength: 3 }), async ([method, segments, body], authorization, extra) => {
          const headers = Object.fromEntries(extra);
          const realBody = body === "fresh-user" ? userBody(fresh("hdr")) : body;
          const request: RawRequest = { method, segments, headers, body: realBody === undefined ? undefined : JSON.stringify(realBody) };
          const token = authorization === a.token ? a.token : null;
          if (authorization !== null && authorization !== a.token) request.headers = { ...headers, authorization: authorization };
          // A DELETE that succeeds would empty the world: only ever send it with a stale If-Match.
          if (method === "DELETE" && token) request.headers = { ...request.headers, "if-match": 'W/"0"' };
          const reply = await checker.run(request, { status: [200, 201, 204, 304, 400, 401, 409, 412, 415], scimType: SCIM_TYPES }, token);
          if (!token) expect(reply.status).toBe(401);
        }),
        150,
      );
    });

    it("answers unknown paths and methods with 404 or 405 and Allow", async () => {
      const segment = fc.oneof(
        fc.constantFrom("Users", "users", "Groups", "Bulk", "bulk", ".search", "ServiceProviderConfig", "serviceproviderconfig", "Schemas", "ResourceTypes", "Me", "v2", "scim", ""),
        hostileString(),
      );
      await fuzz(
        fc.asyncProperty(methodToken(), fc.array(segment, { maxLength: 4 }), fc.option(fc.constantFrom("{}", "x", '{"schemas":[]}')), async (method, segments, body) => {
          const request: RawRequest = { method, segments, body: body ?? undefined };
          if (method.toUpperCase() === "DELETE" || method.toUpperCase() === "PUT" || method.toUpperCase() === "PATCH") {
            request.headers = { "if-match": 'W/"0"' };
          }
          await checker.run(request, { status: [200, 201, 204, 400, 404, 405, 409, 412, 415], scimType: SCIM_TYPES });
        }),
        200,
      );
    });

    it("never shows or changes another tenant's data, whatever tenant A sends", async () => {
      const { a, b } = world;
      const bDigest = await digestTables(t.db, { tenantId: b.id });
      const secrets = [...b.userIds, ...b.groupIds, ...b.userNames, ...b.groupNames, b.token, ...b.userNames.map((n) => `ext-${n}`)];
      const bId = fc.constantFrom(...b.userIds, ...b.groupIds);
      const bName = fc.constantFrom(...b.userNames, ...b.groupNames, ...b.userNames.map((n) => `ext-${n}`));
      const filter = fc.oneof(
        fc.tuple(fc.constantFrom("id", "members.value", "groups.value", "members", "groups", "emails[value eq \"x\"].value", "manager.value"), fc.constantFrom("eq", "co", "sw", "ne", "ge"), bId).map(([x, op, v]) => `${x} ${op} "${v}"`),
        fc.tuple(fc.constantFrom("userName", "displayName", "externalId", "emails.value"), fc.constantFrom("eq", "co", "sw", "ew", "ne", "gt", "le"), bName).map(([x, op, v]) => `${x} ${op} "${v}"`),
        fc.constantFrom('userName pr', 'members pr', 'displayName sw ""', 'id ne ""', 'not (id eq "x")', 'meta.created gt "2000-01-01T00:00:00Z"'),
      );
      const request: fc.Arbitrary<RawRequest> = fc.oneof(
        fc.tuple(fc.constantFrom("GET", "DELETE", "PUT", "PATCH"), fc.constantFrom("Users", "Groups"), bId).map(([method, r, id]) => ({
          method,
          segments: [r, id],
          body:
            method === "PUT"
              ? JSON.stringify(r === "Users" ? userBody(fresh("steal")) : groupBody("Stolen"))
              : method === "PATCH"
                ? JSON.stringify({ schemas: [SCHEMA.patchOp], Operations: [{ op: "replace", path: "active", value: false }] })
                : undefined,
        })),
        fc.tuple(fc.constantFrom("Users", "Groups"), filter, fc.constantFrom("", "&attributes=members,groups,userName", "&excludedAttributes=emails")).map(([r, f, extra]) => ({
          method: "GET",
          segments: [r],
          query: `filter=${encodeSegment(f)}${extra}`,
        })),
        fc.tuple(fc.constantFrom([".search"], ["Users", ".search"], ["Groups", ".search"]), filter).map(([segments, f]) => ({
          method: "POST",
          segments,
          body: JSON.stringify({ schemas: [SCHEMA.searchRequest], filter: f, count: 50 }),
        })),
        fc.tuple(fc.constantFrom("add", "remove", "replace"), fc.array(bId, { minLength: 1, maxLength: 3 }), fc.boolean()).map(([op, ids, filtered]) => ({
          method: "PATCH",
          segments: ["Groups", a.groupIds[0]],
          body: JSON.stringify({
            schemas: [SCHEMA.patchOp],
            Operations: filtered
              ? ids.map((id) => ({ op: "remove", path: `members[value eq "${id}"]` }))
              : [{ op, path: "members", value: ids.map((value) => ({ value })) }],
          }),
        })),
        fc.array(bId, { minLength: 1, maxLength: 3 }).map((ids) => ({
          method: "POST",
          segments: ["Groups"],
          body: JSON.stringify(groupBody(`Cross ${serial++}`, { members: ids.map((value) => ({ value })) })),
        })),
        fc.tuple(fc.constantFrom("PATCH", "PUT", "DELETE"), fc.constantFrom("Users", "Groups"), bId).map(([method, r, id]) => ({
          method: "POST",
          segments: ["Bulk"],
          body: JSON.stringify({
            schemas: [SCHEMA.bulkRequest],
            Operations: [
              {
                method,
                path: `/${r}/${id}`,
                data: method === "PUT" ? (r === "Users" ? userBody(fresh("bulk-steal")) : groupBody("Stolen")) : { schemas: [SCHEMA.patchOp], Operations: [{ op: "add", path: "members", value: [{ value: id }] }] },
              },
              { method: "POST", path: "/Groups", data: groupBody(`Bulk cross ${serial++}`, { members: [{ value: id }] }) },
            ],
          }),
        })),
      );
      await fuzz(
        fc.asyncProperty(request, async (req) => {
          const reply = await checker.run(req, { status: [200, 201, 204, 400, 404], scimType: ["invalidValue", "invalidFilter", "invalidPath", "noTarget"] });
          const sent = `${req.segments.join("/")}?${req.query ?? ""} ${typeof req.body === "string" ? req.body : ""}`;
          for (const secret of secrets) {
            if (!sent.includes(secret)) expect(reply.text, `tenant B's "${secret}" leaked`).not.toContain(secret);
          }
          expect(await digestTables(t.db, { tenantId: b.id })).toEqual(bDigest);
        }),
        250,
      );
    });
  });
