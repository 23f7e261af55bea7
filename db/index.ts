import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { PgDatabase, type PgDialect, type PgQueryResultHKT } from "drizzle-orm/pg-core";
import { ConfigError } from "@/lib/errors";
import { DEFAULT_DATABASE_POOL_SIZE, env } from "@/lib/env";
import * as schema from "./schema";
import { DataDirInUseError } from "./errors";
import { MIGRATIONS_FOLDER, migrateWithLock } from "./migrate-lock";
import { PipelinedPostgresJsSession } from "./transaction";

export { schema };

/** The one database type both drivers are cast to: same schema, same queries. */
export type Db = PgDatabase<PgQueryResultHKT, typeof schema>;
/** A transaction handle; verbs and queries take `DbOrTx` so they compose inside an outer transaction. */
export type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];
export type DbOrTx = Db | Tx;

export type Database = {
  db: Db;
  driver: "pglite" | "postgres";
  close: () => Promise<void>;
};

export type OpenOptions = {
  databaseUrl?: string;
  pgliteDir: string;
  /** Connections to PostgreSQL this process keeps at most (DATABASE_POOL_SIZE, see lib/env.ts); PGlite has one. */
  poolSize?: number;
};

/**
 * Opens and migrates a database: postgres.js against `databaseUrl`, else embedded PGlite in `pgliteDir`
 * (`memory://` for a throwaway one). Failures become one ConfigError with a readable message.
 */
export async function openDatabase(options: OpenOptions): Promise<Database> {
  return options.databaseUrl ? openPostgres(options.databaseUrl, options.poolSize ?? DEFAULT_DATABASE_POOL_SIZE) : openPglite(options.pgliteDir);
}

async function openPostgres(url: string, poolSize: number): Promise<Database> {
  const { default: postgres } = await import("postgres");
  const { drizzle } = await import("drizzle-orm/postgres-js");
  const where = describeUrl(url);
  try {
    await migrateWithLock(url);
  } catch (error) {
    throw new ConfigError(`Cannot use the database at ${where}: ${reason(error)}`);
  }
  const client = postgres(url, {
    max: poolSize,
    onnotice: () => {},
    backoff: reconnectDelay,
    ...(namesSeveralHosts(url) ? {} : { socket: withoutDelay }),
  });
  // drizzle's database as `drizzle()` configures it (its type parsers on the client), on a session whose
  // transactions pipeline BEGIN and COMMIT (db/transaction.ts).
  const configured = drizzle(client, { schema }) as unknown as { dialect: PgDialect; _: ConstructorParameters<typeof PgDatabase>[2] };
  const session = new PipelinedPostgresJsSession(client, configured.dialect, configured._ as never);
  const db = new PgDatabase(configured.dialect, session, configured._) as unknown as Db;
  return { db, driver: "postgres", close: () => client.end({ timeout: 5 }) };
}

/**
 * Seconds before postgres.js makes a closed connection again, after `failures` connections closed on an error
 * since one was last made (counted across the pool). postgres.js's own delay grows to 20 s; but a statement is
 * handed to a closed connection when no open one is free, and then waits out that connection's delay, while the
 * IdP gives up on a request after 60 s. When PostgreSQL ends every connection at once (a restart, a failover,
 * `pg_terminate_backend`), each of them counts, so the tenth connection waited 10-20 s and a request making
 * several statements could outlast the IdP. Here the delay doubles from 25-50 ms and stops at 0.5-1 s: a server
 * that is down is still asked only a few times a second per connection, and a statement handed to a connection
 * that cannot be made fails within a second (a 503 the IdP retries) instead of after up to 20 s. Jittered as
 * postgres.js's is, so the connections do not all come back in the same instant.
 */
export function reconnectDelay(failures: number): number {
  return (0.5 + Math.random() / 2) * Math.min(0.05 * 2 ** failures, 1);
}

/** The connection settings postgres.js hands to its `socket` option (its parsed options; not in its types). */
type SocketOptions = { host: string[]; port: number[]; path?: string | false };

/**
 * postgres.js's own TCP connections keep Nagle's algorithm on, and it writes a message of 1 KiB or more at once
 * and smaller ones once the turn of the event loop that made them is done (as patched: patches/): a pipelined
 * transaction that starts with a user's resource then has the rest of its statements (COMMIT with them) held back
 * in the kernel until the server acknowledges the first, which it does with its answer — a round trip nobody
 * asked for. So connections are made here, with TCP_NODELAY as Node's HTTP server uses it (RFC 896 describes the
 * algorithm; `net.connect`'s `noDelay`). It is handed over still connecting: postgres.js writes its startup
 * message once connected and handles a failure to connect (and its timeout) as with its own sockets. A URL naming
 * several hosts keeps postgres.js's sockets, which try them in turn.
 */
function withoutDelay(options: SocketOptions): net.Socket {
  if (options.path) return net.connect({ path: options.path });
  return net.connect({ host: options.host[0], port: options.port[0], noDelay: true });
}

/** `postgres://user@host1:5432,host2:5432/db`: postgres.js's form for several hosts. */
const namesSeveralHosts = (url: string) => /^[a-z]+:\/\/(?:[^@/]*@)?[^/?]*,/i.test(url);

async function openPglite(dir: string): Promise<Database> {
  const { PGlite } = await import("@electric-sql/pglite");
  const { drizzle } = await import("drizzle-orm/pglite");
  const { migrate } = await import("drizzle-orm/pglite/migrator");
  const inMemory = dir.startsWith("memory://");
  const release = inMemory ? () => {} : lockDataDir(path.resolve(dir));
  try {
    const client = await PGlite.create(inMemory ? dir : path.resolve(dir));
    const db = drizzle(client, { schema });
    await migrate(db, { migrationsFolder: MIGRATIONS_FOLDER });
    return {
      db: db as unknown as Db,
      driver: "pglite",
      close: async () => {
        await client.close();
        release();
      },
    };
  } catch (error) {
    release();
    throw error instanceof ConfigError ? error : new ConfigError(`Cannot open PGlite in ${dir}: ${reason(error)}`);
  }
}

/**
 * Two PGlite handles on one folder silently lose writes (PGlite keeps no lock of its own: it ignores its
 * postmaster.pid), so a process takes `<dir>.lock`
 * holding its pid; a live holder is refused, a dead one taken over. Released on exit and on SIGINT/SIGTERM.
 */
const heldHolder = globalThis as { __sallyPgliteDirs?: Set<string> };
/** Folders this process holds: a second handle in the same process is refused just like one in another. */
const heldDirs = (heldHolder.__sallyPgliteDirs ??= new Set());

function lockDataDir(dir: string): () => void {
  fs.mkdirSync(path.dirname(dir), { recursive: true });
  if (heldDirs.has(dir)) throw new DataDirInUseError(dir, process.pid);
  const lockFile = `${dir}.lock`;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = fs.openSync(lockFile, "wx");
      fs.writeSync(fd, String(process.pid));
      fs.closeSync(fd);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const holder = Number(fs.readFileSync(lockFile, "utf8").trim());
      if (holder && holder !== process.pid && isAlive(holder)) {
        throw new DataDirInUseError(dir, holder);
      }
      fs.rmSync(lockFile, { force: true });
    }
  }
  heldDirs.add(dir);
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    heldDirs.delete(dir);
    try {
      if (fs.readFileSync(lockFile, "utf8").trim() === String(process.pid)) fs.rmSync(lockFile, { force: true });
    } catch {
      // Already gone.
    }
  };
  process.once("exit", release);
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => {
      // Under `next start` Next's own handler finishes the requests in flight, then exits (releasing on "exit");
      // exiting here would cut them off. Without such a handler (the CLI), exit now.
      if (process.listenerCount(signal) > 0) return;
      release();
      process.exit(signal === "SIGINT" ? 130 : 143);
    });
  }
  return release;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

function describeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || 5432}${u.pathname}`;
  } catch {
    return "DATABASE_URL";
  }
}

function reason(error: unknown): string {
  const e = error as { code?: string; message?: string; errors?: unknown[] };
  if (e?.code === "ECONNREFUSED") return "connection refused (is PostgreSQL running?)";
  if (e?.code === "ENOTFOUND") return "host not found";
  if (e?.code === "3D000") return "the database does not exist";
  return e?.message || String(error);
}

/** The database the environment names (lib/env.ts), as the server, the CLI and the demo seed open it. */
export function configuredDatabase(): OpenOptions {
  const { databaseUrl, pgliteDir, databasePoolSize } = env();
  return { databaseUrl, pgliteDir, poolSize: databasePoolSize };
}

type Holder = { __sallyDb?: Promise<Database> };

/**
 * The process-wide database. Next evaluates this module separately for route handlers, pages and the proxy,
 * so the handle lives on globalThis: one open (and one PGlite lock) per process.
 */
export function getDatabase(): Promise<Database> {
  const holder = globalThis as Holder;
  if (!holder.__sallyDb) {
    holder.__sallyDb = openDatabase(configuredDatabase());
    holder.__sallyDb.catch(() => {
      holder.__sallyDb = undefined;
    });
  }
  return holder.__sallyDb;
}

export async function getDb(): Promise<Db> {
  return (await getDatabase()).db;
}
