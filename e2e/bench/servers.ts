// Builds, databases and server processes of a run: the product (`next start` of --app-dir), the bare node:http
// baseline and the one-route Next.js baseline.
import { execFile, spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import postgres from "postgres";
import { NEXT_START_OPTIONS } from "../servers";

const run = promisify(execFile);

/** Where the bench keeps its copy of the baseline Next.js app and its build (git-ignored). */
export const benchDataDir = (repo: string) => path.join(repo, ".data", "bench");
export const baselineNextDir = (repo: string) => path.join(repo, "e2e", "bench", "baseline", "next-app");

/** A secret only bench servers and their CLI calls share. */
export const BENCH_AUTH_SECRET = "bench-only-secret-not-for-production-0123456789";

export function databaseUrl(serverUrl: string, name: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** Drops and creates a `sally_bench*` database (the name guards against touching anything else). */
export async function recreateDatabase(serverUrl: string, name: string, create = true): Promise<void> {
  if (!/^sally_bench\w*$/.test(name)) throw new Error(`refusing to touch ${name}: bench databases are named sally_bench*`);
  const admin = postgres(databaseUrl(serverUrl, "postgres"), { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`drop database if exists ${name} with (force)`);
    if (create) await admin.unsafe(`create database ${name}`);
  } finally {
    await admin.end();
  }
}

async function step(label: string, command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const started = Date.now();
  process.stderr.write(`${label}…\n`);
  try {
    await run(command, args, { cwd, env, maxBuffer: 64 * 1024 * 1024 });
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string };
    throw new Error(`${label} failed:\n${e.stdout ?? ""}${e.stderr ?? ""}`);
  }
  process.stderr.write(`${label}: ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
}

const nextBin = (dir: string) => path.join(dir, "node_modules", "next", "dist", "bin", "next");

/** `next build` of the product checkout. */
export async function buildProduct(appDir: string): Promise<void> {
  await step(`next build of ${appDir}`, process.execPath, [nextBin(appDir), "build"], appDir, { ...process.env, NEXT_TELEMETRY_DISABLED: "1" });
}

/** Whether `next start` can run in dir: a production build is there. */
export const hasProductionBuild = (dir: string) => fs.existsSync(path.join(dir, ".next", "BUILD_ID"));

/**
 * Builds the baseline app in place with this repo's Next.js. With webpack: Turbopack (16.4.5) takes the
 * instrumentation.ts of the enclosing repository (the product's) into an app nested in it, whatever its root.
 * The server that runs the build (`next start`) is the same either way.
 */
export async function buildBaselineNext(repo: string): Promise<void> {
  await step("next build of the Next.js baseline", process.execPath, [nextBin(repo), "build", "--webpack"], baselineNextDir(repo), {
    ...process.env,
    NEXT_TELEMETRY_DISABLED: "1",
  });
}

/** Servers started and not yet stopped: an interrupted run (Ctrl-C) stops them before it exits. */
const running = new Set<ChildProcess>();
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    for (const child of running) child.kill("SIGTERM");
    process.exit(130);
  });
}

export type Server = { name: string; pid: number; url: string; child: ChildProcess; stderr: () => string; stop: () => Promise<void> };

async function waitHealthy(url: string, child: ChildProcess, stderr: () => string, timeoutMs = 120_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}:\n${stderr()}`);
    try {
      const res = await fetch(`${url}/api/health`);
      if (res.ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`server at ${url} not healthy within ${timeoutMs / 1000} s:\n${stderr()}`);
}

/** Starts a server process and waits for GET /api/health (which touches the database). */
export async function startServer(name: string, command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv, port: number): Promise<Server> {
  const child = spawn(command, args, { cwd, env, stdio: ["ignore", "ignore", "pipe"] });
  running.add(child);
  child.once("exit", () => running.delete(child));
  let err = "";
  child.stderr!.on("data", (c: Buffer) => {
    err = (err + c.toString("utf8")).slice(-8000);
  });
  const url = `http://127.0.0.1:${port}`;
  const stderr = () => err;
  const stop = async () => {
    if (child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
    await exited;
    clearTimeout(timer);
  };
  try {
    await waitHealthy(url, child, stderr);
  } catch (error) {
    await stop();
    throw error;
  }
  return { name, pid: child.pid!, url, child, stderr, stop };
}

/** The product's environment: production, the bench database (or a PGlite folder), the rate limit out of the way. */
export function productEnv(port: number, options: { databaseUrl: string } | { pgliteDir: string }): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: "production",
    NEXT_TELEMETRY_DISABLED: "1",
    DATABASE_URL: "databaseUrl" in options ? options.databaseUrl : "",
    PGLITE_DIR: "pgliteDir" in options ? options.pgliteDir : ".data/pglite",
    APP_URL: `http://127.0.0.1:${port}`,
    AUTH_SECRET: BENCH_AUTH_SECRET,
    MAILBOX_ENABLED: "1",
    SEED_DEMO: "0",
    RESEND_API_KEY: "",
    // The per-tenant limit protects production from a runaway client; the bench measures throughput.
    SCIM_RATE_LIMIT_PER_MINUTE: "100000000",
    // Passed on, so a run can measure another setting (0: V8's own heuristic) against the default.
    HEAP_GROWTH_PERCENT: process.env.HEAP_GROWTH_PERCENT,
  };
}

/** `next start` of the product; with `cpuProfileDir` it writes a V8 CPU profile there when it stops. */
export function startProduct(appDir: string, port: number, env: NodeJS.ProcessEnv, cpuProfileDir: string | null = null): Promise<Server> {
  const profile = cpuProfileDir ? ["--cpu-prof", "--cpu-prof-dir", cpuProfileDir] : [];
  return startServer("product", process.execPath, [...profile, nextBin(appDir), "start", ...NEXT_START_OPTIONS, "-p", String(port), "-H", "127.0.0.1"], appDir, env, port);
}

export function startNodeBaseline(repo: string, port: number, dbUrl: string, token: string): Promise<Server> {
  const env = { PATH: process.env.PATH, NODE_ENV: "production", PORT: String(port), DATABASE_URL: dbUrl, BENCH_TOKEN: token } as NodeJS.ProcessEnv;
  return startServer("node:http", process.execPath, ["--import", "tsx", path.join(repo, "e2e", "bench", "baseline", "node-server.ts")], repo, env, port);
}

export function startNextBaseline(repo: string, port: number, dbUrl: string, token: string): Promise<Server> {
  const env = { PATH: process.env.PATH, NODE_ENV: "production", NEXT_TELEMETRY_DISABLED: "1", DATABASE_URL: dbUrl, BENCH_TOKEN: token } as NodeJS.ProcessEnv;
  return startServer("next", process.execPath, [nextBin(repo), "start", ...NEXT_START_OPTIONS, "-p", String(port), "-H", "127.0.0.1"], baselineNextDir(repo), env, port);
}

/** Runs `sally …` (lib/cli/main.ts of the product checkout) with the server's environment; parses --json output. */
export async function cli(appDir: string, env: NodeJS.ProcessEnv, args: string[]): Promise<{ data: unknown; ms: number }> {
  const started = performance.now();
  try {
    const { stdout } = await run(path.join(appDir, "node_modules", ".bin", "tsx"), ["lib/cli/main.ts", ...args, "--json"], {
      cwd: appDir,
      env,
      maxBuffer: 256 * 1024 * 1024,
    });
    return { data: JSON.parse(stdout), ms: performance.now() - started };
  } catch (error) {
    const e = error as { stderr?: string; code?: number };
    throw new Error(`sally ${args.join(" ")} failed (${e.code}): ${e.stderr?.trim()}`);
  }
}
