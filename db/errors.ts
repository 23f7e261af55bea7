import { ConfigError } from "@/lib/errors";

/** Is this (possibly drizzle-wrapped) database error a unique-constraint violation (SQLSTATE 23505)? */
export function isUniqueViolation(error: unknown): boolean {
  for (let e = error as { code?: unknown; cause?: unknown } | undefined; e; e = e.cause as typeof e) {
    if (e.code === "23505") return true;
  }
  return false;
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
