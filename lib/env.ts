import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { z } from "zod";
import { ConfigError } from "./errors";

const flag = z
  .enum(["1", "0", "true", "false", "on", "off", "yes", "no"], { error: "must be 1/0, true/false, on/off or yes/no" })
  .transform((v) => ["1", "true", "on", "yes"].includes(v));

const positiveInt = z.coerce.number().int().positive();
/** Days to keep; 0 keeps forever. */
const retentionDays = z.coerce.number().int().min(0).max(36_500);

/**
 * The connections one instance keeps to PostgreSQL by default. Few suffice: postgres.js pipelines the statements
 * of concurrent requests on a connection, so reads and writes without a transaction share them, and only a
 * transaction has one to itself until it commits. Each connection is a PostgreSQL process, prepares every named
 * statement for itself and is woken for each write it gets: spread over more connections, the same requests cost
 * PostgreSQL more and make more socket writes (e2e/bench/JOURNAL.md, "Six connections, not ten").
 */
export const DEFAULT_DATABASE_POOL_SIZE = 6;

/**
 * How far V8 lets the server's old generation grow past its live size before the next full collection, in percent.
 * Left to itself, V8 grows it up to four times the live heap when its collector is fast, as it is for this server
 * (about 50 MB live, about 220 MB before each collection, about 400 MiB of RSS under a sync); 150 % holds the peak
 * near 270 MiB for about 1 % of a sync's throughput (e2e/bench/JOURNAL.md, "Peak RSS"). 0 leaves V8's heuristic.
 */
export const DEFAULT_HEAP_GROWTH_PERCENT = 150;
/**
 * The V8 flag HEAP_GROWTH_PERCENT sets (lib/server-start.ts). V8 does not apply a flag it does not know: it says so
 * on stderr and goes on, so a test checks that this Node.js's V8 knows it.
 */
export const HEAP_GROWTH_V8_FLAG = "--heap-growing-percent";

const envSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/, error: "must be a postgres:// or postgresql:// URL" }).optional(),
  DATABASE_POOL_SIZE: positiveInt.max(1000).default(DEFAULT_DATABASE_POOL_SIZE),
  PGLITE_DIR: z.string().min(1).default(".data/pglite"),
  APP_URL: z.url({ protocol: /^https?$/, error: "must be an http(s) URL" }).default("http://localhost:3000"),
  AUTH_SECRET: z.string().min(16, "must be at least 16 characters").optional(),
  RESEND_API_KEY: z.string().min(1).optional(),
  EMAIL_FROM: z.string().min(3).default("Sally <no-reply@sally.example>"),
  MAILBOX_ENABLED: flag.optional(),
  SEED_DEMO: flag.optional(),
  SCIM_RATE_LIMIT_PER_MINUTE: positiveInt.default(6000),
  SCIM_MAX_PAYLOAD_BYTES: positiveInt.default(1_048_576),
  SCIM_MAX_PAGE_SIZE: positiveInt.default(200),
  SCIM_MAX_BULK_OPERATIONS: positiveInt.default(1000),
  ACTIVITY_RETENTION_DAYS: retentionDays.default(90),
  OUTBOX_RETENTION_DAYS: retentionDays.default(30),
  OUTBOX_DRAIN_INTERVAL_SECONDS: positiveInt.max(86_400).default(15),
  HEAP_GROWTH_PERCENT: z.coerce.number().int().min(0).max(1000).default(DEFAULT_HEAP_GROWTH_PERCENT),
});

export type Env = {
  nodeEnv: "development" | "production" | "test";
  databaseUrl: string | undefined;
  /** Connections to PostgreSQL per instance at most. */
  databasePoolSize: number;
  pgliteDir: string;
  appUrl: string;
  authSecret: string;
  resendApiKey: string | undefined;
  emailFrom: string;
  /** The dev mailbox page: on outside production unless MAILBOX_ENABLED says otherwise. */
  mailboxEnabled: boolean;
  seedDemo: boolean;
  scim: { rateLimitPerMinute: number; maxPayloadBytes: number; maxPageSize: number; maxBulkOperations: number };
  /** Days the activity log and delivered emails are kept (0: forever); pruned in the background. */
  retention: { activityDays: number; outboxDays: number };
  /**
   * Seconds between the background drains of the email outbox: the backstop for emails whose drain after a
   * request or a save failed or was cut off.
   */
  outboxDrainIntervalSeconds: number;
  /** V8's `--heap-growing-percent` for the server process; 0 leaves V8's heuristic. */
  heapGrowthPercent: number;
};

/** Where generated local secrets live: git-ignored, beside the PGlite folder. */
const SECRETS_FILE = path.join(process.cwd(), ".data", "secrets.json");

function localAuthSecret(): string {
  try {
    const saved = JSON.parse(fs.readFileSync(SECRETS_FILE, "utf8")) as { authSecret?: unknown };
    if (typeof saved.authSecret === "string" && saved.authSecret.length >= 32) return saved.authSecret;
  } catch {
    // No file yet: generate below.
  }
  const authSecret = randomBytes(32).toString("base64url");
  fs.mkdirSync(path.dirname(SECRETS_FILE), { recursive: true });
  fs.writeFileSync(SECRETS_FILE, JSON.stringify({ authSecret }, null, 2), { mode: 0o600 });
  return authSecret;
}

/** Parses the environment once; a bad value throws a ConfigError naming every offending variable. */
export function parseEnv(source: Record<string, string | undefined> = process.env): Env {
  // An empty variable means "unset" (e.g. `DATABASE_URL= npm start` to force the embedded database).
  const present = Object.fromEntries(Object.entries(source).filter(([, value]) => value !== ""));
  const parsed = envSchema.safeParse(present);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".")} ${i.message}`).join("; ");
    throw new ConfigError(`Invalid environment: ${problems}`);
  }
  const e = parsed.data;
  const production = e.NODE_ENV === "production";
  if (production && !e.AUTH_SECRET && e.DATABASE_URL) {
    throw new ConfigError("Invalid environment: AUTH_SECRET is required in production with DATABASE_URL");
  }
  return {
    nodeEnv: e.NODE_ENV,
    databaseUrl: e.DATABASE_URL,
    databasePoolSize: e.DATABASE_POOL_SIZE,
    pgliteDir: e.PGLITE_DIR,
    appUrl: e.APP_URL.replace(/\/+$/, ""),
    authSecret: e.AUTH_SECRET ?? localAuthSecret(),
    resendApiKey: e.RESEND_API_KEY,
    emailFrom: e.EMAIL_FROM,
    mailboxEnabled: e.MAILBOX_ENABLED ?? !production,
    seedDemo: e.SEED_DEMO ?? !production,
    scim: {
      rateLimitPerMinute: e.SCIM_RATE_LIMIT_PER_MINUTE,
      maxPayloadBytes: e.SCIM_MAX_PAYLOAD_BYTES,
      maxPageSize: e.SCIM_MAX_PAGE_SIZE,
      maxBulkOperations: e.SCIM_MAX_BULK_OPERATIONS,
    },
    retention: { activityDays: e.ACTIVITY_RETENTION_DAYS, outboxDays: e.OUTBOX_RETENTION_DAYS },
    outboxDrainIntervalSeconds: e.OUTBOX_DRAIN_INTERVAL_SECONDS,
    heapGrowthPercent: e.HEAP_GROWTH_PERCENT,
  };
}

let cached: Env | undefined;

/** The validated environment. Import this, not process.env. */
export function env(): Env {
  cached ??= parseEnv();
  return cached;
}
