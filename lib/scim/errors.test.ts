import { afterEach, describe, expect, it, vi } from "vitest";
import { WriteConflictError } from "@/db/errors";
import { ConnectionClosedError } from "@/db/transaction";
import { ConflictError, NotFoundError } from "@/lib/errors";
import { errorResult } from "./errors";

/** drizzle wraps a failed statement's error: the driver's is its `cause`. */
const failedQuery = (cause: unknown) => Object.assign(new Error("Failed query: select 1\nparams: "), { cause });

describe("errorResult", () => {
  afterEach(() => vi.restoreAllMocks());

  it.each([
    ["a statement refused on a closed connection", new ConnectionClosedError(), 503],
    ["postgres.js's closed connection, wrapped by drizzle", failedQuery(Object.assign(new Error("write CONNECTION_CLOSED"), { code: "CONNECTION_CLOSED" })), 503],
    ["PostgreSQL's admin_shutdown (pg_terminate_backend)", failedQuery({ code: "57P01" }), 503],
    ["a reset socket", failedQuery({ code: "ECONNRESET" }), 503],
    ["PostgreSQL not listening (a new connection refused)", failedQuery(Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), { code: "ECONNREFUSED" })), 503],
    ["postgres.js's connect_timeout", failedQuery({ code: "CONNECT_TIMEOUT" }), 503],
    ["PostgreSQL's too_many_connections", failedQuery({ code: "53300" }), 503],
    ["a conflict still there after the retries", new WriteConflictError("changed"), 503],
    ["a unique violation the handler did not expect", failedQuery({ code: "23505" }), 500],
    ["anything else", new Error("bug"), 500],
  ])("%s → %i", (_, error, status) => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    const result = errorResult(error);
    expect(result.status).toBe(status);
    expect(result.headers?.["retry-after"]).toBe(status === 503 ? "1" : undefined);
  });

  it("says what happened when the connection was lost, and does not log the statement or its parameters", () => {
    const logged = vi.spyOn(console, "error").mockImplementation(() => {});
    const result = errorResult(failedQuery({ code: "57P01" }));
    expect(result.body).toMatchObject({ status: "503", detail: "The database connection was lost while the request ran; try again" });
    expect(logged.mock.calls.flat().join(" ")).not.toContain("Failed query");
  });

  it("says when no connection could be made, and does not log the statement or its parameters", () => {
    const logged = vi.spyOn(console, "error").mockImplementation(() => {});
    const result = errorResult(failedQuery({ code: "ECONNREFUSED" }));
    expect(result.body).toMatchObject({ status: "503", detail: "The database is unavailable; nothing was written, try again" });
    expect(logged.mock.calls.flat().join(" ")).not.toContain("Failed query");
  });

  it("keeps the app's own errors", () => {
    expect(errorResult(new NotFoundError("Users/x not found")).status).toBe(404);
    expect(errorResult(new ConflictError("taken")).body).toMatchObject({ scimType: "uniqueness" });
  });
});
