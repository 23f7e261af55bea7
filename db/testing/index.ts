import fs from "node:fs";
import { randomBytes } from "node:crypto";
import type { TransactionSql } from "postgres";
import { afterAll, beforeAll } from "vitest";
import type { Db } from "@/db";
import { openDatabase, type Database } from "@/db";
import { flushActivity } from "@/lib/activity";
import { PGLITE_TEMPLATE } from "./paths";

export type Driver = "pglite" | "postgres";

/** PGlite always; PostgreSQL too when DATABASE_URL is set (as `.ci/run` does). */
export const testDrivers: Driver[] = process.env.DATABASE_URL ? ["pglite", "postgres"] : ["pglite"];

export type TestDatabase = { readonly db: Db; readonly url: string | undefined; readonly database: Database };

/**
 * Gives a describe block its own database: a copy of the migrated PGlite template, or a fresh PostgreSQL
 * database created from DATABASE_URL and dropped afterwards. Tests inside still create their own tenants.
 */
export function useTestDatabase(driver: Driver): TestDatabase {
  let database: Database | undefined;
  let url: string | undefined;
  let drop: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    if (driver === "pglite") {
      database = await openPgliteFromTemplate();
    } else {
      ({ url, drop } = await createPostgresDatabase(process.env.DATABASE_URL!));
      database = await openDatabase({ databaseUrl: url, pgliteDir: "memory://" });
    }
  });
  afterAll(async () => {
    await flushActivity();
    await database?.close();
    await drop?.();
  });
  return {
    get db() {
      if (!database) throw new Error("test database not open yet");
      return database.db;
    },
    get url() {
      return url;
    },
    get database() {
      if (!database) throw new Error("test database not open yet");
      return database;
    },
  };
}

async function openPgliteFromTemplate(): Promise<Database> {
  const { PGlite } = await import("@electric-sql/pglite");
  const { drizzle } = await import("drizzle-orm/pglite");
  const { schema } = await import("@/db");
  const client = await PGlite.create({ loadDataDir: new Blob([fs.readFileSync(PGLITE_TEMPLATE)]) });
  return { db: drizzle(client, { schema }) as unknown as Db, driver: "pglite", close: () => client.close() };
}

/** Creates an empty database next to the one DATABASE_URL names; returns its URL and a dropper. */
export async function createPostgresDatabase(baseUrl: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const { default: postgres } = await import("postgres");
  const name = `sally_test_${process.pid}_${randomBytes(4).toString("hex")}`;
  const admin = postgres(baseUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  await admin.end();
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const cleanup = postgres(baseUrl, { max: 1, onnotice: () => {} });
      await cleanup.unsafe(`drop database if exists ${name} with (force)`);
      await cleanup.end();
    },
  };
}

/**
 * Resolves once some session of the current PostgreSQL database waits on a lock: a test holds a transaction
 * open until the request under test queues behind it, then lets it go.
 */
export async function untilSomeoneWaitsOnALock(sql: TransactionSql): Promise<void> {
  for (;;) {
    const [row] = await sql<{ n: number }[]>`select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`;
    if (row.n > 0) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
