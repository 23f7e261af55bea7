import { ConfigError } from "@/lib/errors";

/** Does this error, or one in its `cause` chain (drizzle wraps the driver's), carry one of these codes? */
function hasCode(error: unknown, codes: ReadonlySet<string>): boolean {
  for (let e = error as { code?: unknown; cause?: unknown } | undefined; e; e = e.cause as typeof e) {
    if (typeof e.code === "string" && codes.has(e.code)) return true;
  }
  return false;
}

const UNIQUE_VIOLATION = new Set(["23505"]);

/** Is this (possibly drizzle-wrapped) database error a unique-constraint violation (SQLSTATE 23505)? */
export function isUniqueViolation(error: unknown): boolean {
  return hasCode(error, UNIQUE_VIOLATION);
}

/**
 * A write found its row changed since the transaction read it (optimistic concurrency, e.g. two PATCHes of one
 * group's attributes at once): nothing of this attempt is kept, and the request runs again with the change in view.
 */
export class WriteConflictError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "WriteConflictError";
  }
}

type PgError = { code?: unknown; constraint_name?: unknown; constraint?: unknown; cause?: unknown };

/**
 * May the transaction that failed with this error simply run again? PostgreSQL's deadlock and serialization
 * failures roll it back whole; so does a lost race for an email's sign-in (users_email_access_excl: another
 * transaction gave the email to another user first; run again, this one sees that and settles the conflict);
 * so does a WriteConflictError.
 */
export function isRetryable(error: unknown): boolean {
  for (let e = error as PgError | undefined; e; e = e.cause as PgError | undefined) {
    if (e instanceof WriteConflictError) return true;
    if (e.code === "40P01" || e.code === "40001") return true;
    if (e.code === "23P01" && (e.constraint_name ?? e.constraint) === "users_email_access_excl") return true;
  }
  return false;
}

/**
 * Errors that mean the database connection is gone or going: postgres.js's own for a connection that closed (and
 * db/transaction.ts's ConnectionClosedError, which copies its code), PostgreSQL's FATAL `57P01`–`57P03`
 * (admin_shutdown, crash_shutdown, cannot_connect_now, sent just before it closes the connection; PostgreSQL docs,
 * Appendix A "Error Codes"), and the socket's own failures.
 */
const CONNECTION_LOST = new Set(["CONNECTION_CLOSED", "CONNECTION_DESTROYED", "CONNECTION_ENDED", "57P01", "57P02", "57P03", "ECONNRESET", "EPIPE", "ETIMEDOUT"]);

/** Did this (possibly drizzle-wrapped) error come from losing the database connection? */
export function isConnectionLost(error: unknown): boolean {
  return hasCode(error, CONNECTION_LOST);
}

/**
 * Errors that mean the database cannot be reached for now: the connection was lost (isConnectionLost), or a new
 * one could not be made (refused, timed out, host unknown or unreachable, PostgreSQL's `53300`
 * too_many_connections). Sending the same statement later may succeed.
 */
const UNAVAILABLE = new Set([...CONNECTION_LOST, "ECONNREFUSED", "CONNECT_TIMEOUT", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH", "53300"]);

/** Is the database unreachable for now (lost or refused connection), rather than the statement at fault? */
export function isDatabaseUnavailable(error: unknown): boolean {
  return hasCode(error, UNAVAILABLE);
}

/** How many times a transaction that failed retryably runs in all before its error stands. */
export const TRANSACTION_ATTEMPTS = 3;

/**
 * Runs `attempt` (a whole transaction, or a savepoint) again while it fails with a retryable error, up to
 * TRANSACTION_ATTEMPTS times in all; then, or for any other error, the error stands.
 */
export async function retrying<T>(attempt: () => Promise<T>): Promise<T> {
  for (let n = 1; ; n++) {
    try {
      return await attempt();
    } catch (error) {
      if (n >= TRANSACTION_ATTEMPTS || !isRetryable(error)) throw error;
    }
  }
}

/** The embedded database folder is open in another live process (PGlite allows one process per folder). */
export class DataDirInUseError extends ConfigError {
  constructor(
    readonly dir: string,
    readonly pid: number,
  ) {
    super(
      `The PGlite data folder ${dir} is in use by process ${pid} (a running dev server?). ` +
        `Stop it, or set DATABASE_URL to a PostgreSQL server so several processes can share the data.`,
    );
  }
}
