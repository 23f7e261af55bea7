// Production instances of the app that a hardening test starts, stops and kills itself, on a PostgreSQL database
// of its own (sally_ops*), next to the suite's servers. Ports: E2E_PORT_BASE + 1..9 and + 11..19 (the suite's
// own servers sit on + 0 and + 10).
import { execFile, spawn, type ChildProcess } from "node:child_process";
import net from "node:net";
import { promisify } from "node:util";
import { test, type TestInfo } from "@playwright/test";
import postgres from "postgres";
import { bin } from "../bin";
import type { FakeResend } from "../fake-resend.mjs";
import { E2E_AUTH_SECRET, NEXT_START_OPTIONS, type E2EServer } from "../servers";

const run = promisify(execFile);
const portBase = Number(process.env.E2E_PORT_BASE ?? 4320);
const dbSuffix = (process.env.E2E_DB_SUFFIX ?? "").replace(/\W/g, "");

/** A port of this checkout's range; `offset` 1..9 or 11..19. */
export const opsPort = (offset: number) => portBase + offset;

/** Several instances share one database, which embedded PGlite cannot: these tests run in the PostgreSQL project. */
export function skipUnlessPostgres(info: TestInfo): void {
  test.skip((info.project.metadata.server as E2EServer).name !== "postgres", "several instances need PostgreSQL");
}

export type OpsDatabase = { url: string; sql: postgres.Sql; drop: () => Promise<void> };

/** A fresh, empty PostgreSQL database for one test file (migrated by the first instance that opens it). */
export async function createOpsDatabase(label: string): Promise<OpsDatabase> {
  const base = process.env.DATABASE_URL;
  if (!base) throw new Error("DATABASE_URL is not set");
  const name = `sally_ops${dbSuffix}_${label}`.toLowerCase();
  const admin = postgres(base, { max: 1, onnotice: () => {} });
  await admin.unsafe(`drop database if exists ${name} with (force)`);
  await admin.unsafe(`create database ${name}`);
  await admin.end();
  const url = new URL(base);
  url.pathname = `/${name}`;
  const sql = postgres(url.toString(), { max: 4, onnotice: () => {} });
  return {
    url: url.toString(),
    sql,
    drop: async () => {
      await sql.end({ timeout: 5 });
      const cleanup = postgres(base, { max: 1, onnotice: () => {} });
      await cleanup.unsafe(`drop database if exists ${name} with (force)`);
      await cleanup.end();
    },
  };
}

export type InstanceOptions = { port: number; databaseUrl: string; env?: Record<string, string> };

export function instanceEnv(options: InstanceOptions): NodeJS.ProcessEnv {
  return {
    ...process.env,
    NODE_ENV: "production",
    NEXT_TELEMETRY_DISABLED: "1",
    DATABASE_URL: options.databaseUrl,
    APP_URL: `http://127.0.0.1:${options.port}`,
    AUTH_SECRET: E2E_AUTH_SECRET,
    MAILBOX_ENABLED: "1",
    SEED_DEMO: "0",
    RESEND_API_KEY: "",
    ...options.env,
  };
}

/** One `next start` process. */
export class Instance {
  private child: ChildProcess | undefined;
  /** Everything the process wrote to stdout and stderr, for assertions on logs. */
  output = "";
  exits = 0;

  constructor(readonly options: InstanceOptions) {}

  get url(): string {
    return `http://127.0.0.1:${this.options.port}`;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  async start(): Promise<this> {
    // Another spec's instance on this port would answer the health check below in this one's place.
    await portIsFree(this.options.port);
    const child: ChildProcess = spawn("node_modules/.bin/next", ["start", ...NEXT_START_OPTIONS, "-H", "127.0.0.1", "-p", String(this.options.port)], {
      env: instanceEnv(this.options),
      stdio: ["ignore", "pipe", "pipe"],
    });
    this.child = child;
    child.stdout!.on("data", (chunk) => (this.output += String(chunk)));
    child.stderr!.on("data", (chunk) => (this.output += String(chunk)));
    child.once("exit", () => this.exits++);
    const deadline = Date.now() + 120_000;
    while (Date.now() < deadline) {
      if (child.exitCode !== null) throw new Error(`instance on ${this.url} exited (${child.exitCode}):\n${this.output}`);
      const ok = await fetch(`${this.url}/api/health`).then((r) => r.ok, () => false);
      if (ok) return this;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    throw new Error(`instance on ${this.url} did not become healthy:\n${this.output}`);
  }

  /** Sends `signal` and waits for the process to exit; resolves with its exit code or signal. */
  async stop(signal: NodeJS.Signals = "SIGTERM"): Promise<number | string | null> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return child?.exitCode ?? null;
    const exited = new Promise<number | string | null>((resolve) => child.once("exit", (code, sig) => resolve(code ?? sig)));
    child.kill(signal);
    return exited;
  }
}

/** Runs `npm run sally -- … --json` against the instances' database. */
export async function opsCli(options: InstanceOptions, ...args: string[]): Promise<any> {
  try {
    const { stdout } = await run(process.execPath, [bin("sally"), ...args, "--json"], { env: instanceEnv(options) });
    return JSON.parse(stdout);
  } catch (error) {
    const e = error as { stderr?: string };
    throw new Error(`sally ${args.join(" ")} failed: ${e.stderr?.trim()}`);
  }
}

/** Sets the hook's time for starting instances; skips the file without PostgreSQL (skipUnlessPostgres). */
function startingInstances(info: TestInfo): void {
  skipUnlessPostgres(info);
  test.setTimeout(240_000);
}

/** What sits between an instance and PostgreSQL (a counting or an outage proxy): the URL to use, and its close. */
export type Between = { databaseUrl: string; close: () => Promise<void> };

export type OneInstance = {
  database: OpsDatabase;
  instance: Instance;
  /** Kills the instance, closes what sat between it and PostgreSQL and drops the database. */
  stop: () => Promise<void>;
};

/**
 * For a spec file's beforeAll: a fresh database and one production instance on opsPort(offset), with `env` added
 * to its environment and, given `through`, reaching PostgreSQL through what that starts. Skips the file without
 * PostgreSQL. What it started is stopped again should a later step fail.
 */
export async function startInstance(
  info: TestInfo,
  label: string,
  offset: number,
  setup: { env?: Record<string, string>; through?: (databaseUrl: string) => Promise<Between> } = {},
): Promise<OneInstance> {
  startingInstances(info);
  const database = await createOpsDatabase(label);
  let between: Between | undefined;
  let instance: Instance | undefined;
  const stop = async () => {
    await instance?.stop("SIGKILL");
    await between?.close();
    await database.drop();
  };
  try {
    between = setup.through ? await setup.through(database.url) : undefined;
    instance = await new Instance({ port: opsPort(offset), databaseUrl: between?.databaseUrl ?? database.url, env: setup.env }).start();
    return { database, instance, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * A tenant made through the CLI, named and slugged `<prefix>-<time>` (a rerun makes another) with its admin at
 * admin@<slug>.example, and connected over SCIM for `provider`: its slug and the connection's token. `createArgs`
 * go to `tenant create` as well (`--seats`, say).
 */
export async function connectTenant(options: InstanceOptions, prefix: string, provider: string, ...createArgs: string[]): Promise<{ slug: string; token: string }> {
  const slug = `${prefix}-${Date.now().toString(36)}`;
  await opsCli(options, "tenant", "create", "--name", slug, "--slug", slug, "--admin", `admin@${slug}.example`, ...createArgs);
  const { token } = await opsCli(options, "scim", "connect", "--tenant", slug, "--provider", provider);
  return { slug, token: token as string };
}

export type TwoInstances = { database: OpsDatabase; fake: FakeResend; instances: Instance[] };

/**
 * For a spec file's beforeAll: a fresh database, a fake Resend API on opsPort(offset) and two production
 * instances on the next two ports, sending email through it. Started one after the other: the first migrates
 * (under its advisory lock), the second finds it done. Skips the file without PostgreSQL; stops what it started
 * should a later step fail.
 */
export async function startTwoInstances(info: TestInfo, label: string, offset: number): Promise<TwoInstances> {
  startingInstances(info);
  const started: Partial<TwoInstances> = { database: await createOpsDatabase(label) };
  try {
    // Imported when used: the module has a top-level await for its command-line use, which require() refuses.
    const { startFakeResend } = await import("../fake-resend.mjs");
    const fake = (started.fake = await startFakeResend(opsPort(offset)));
    const env = { RESEND_API_KEY: `re_test_${label}`, RESEND_BASE_URL: fake.url, MAILBOX_ENABLED: "0" };
    started.instances = [1, 2].map((n) => new Instance({ port: opsPort(offset + n), databaseUrl: started.database!.url, env }));
    for (const instance of started.instances) await instance.start();
    return started as TwoInstances;
  } catch (error) {
    await stopTwoInstances(started);
    throw error;
  }
}

/** Stops what startTwoInstances started, as far as it got. */
export async function stopTwoInstances(started: Partial<TwoInstances>): Promise<void> {
  await Promise.all(started.instances?.map((i) => i.stop("SIGKILL")) ?? []);
  await started.fake?.close();
  await started.database?.drop();
}

/** Rejects when something listens on the port already (two specs given the same port). */
function portIsFree(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once("error", (error: NodeJS.ErrnoException) =>
      reject(new Error(`port ${port} is in use${error.code === "EADDRINUSE" ? " (another spec's instance?)" : `: ${error.message}`}`)),
    );
    probe.listen(port, "127.0.0.1", () => probe.close(() => resolve()));
  });
}
