import { createHash } from "node:crypto";
import { env } from "@/lib/env";

/**
 * The CLI and a running server on the same embedded PGlite folder cannot both open it, so the CLI hands its
 * command to the server (POST /api/internal/cli), which runs it on its own handle. The request is authorised by
 * a key derived from the local auth secret, which only processes that can read this checkout's .data/ (or share
 * AUTH_SECRET) know. The bridge exists only on embedded PGlite; with DATABASE_URL each process opens the server.
 */
export function bridgeKey(): string {
  return createHash("sha256").update(`sally-cli-bridge:${env().authSecret}`).digest("hex");
}

export const BRIDGE_HEADER = "x-sally-cli-key";
export const BRIDGE_PATH = "/api/internal/cli";

export type BridgeResponse =
  | { ok: true; result: { data: unknown; rows?: Record<string, unknown>[]; columns?: string[]; message?: string; json: boolean } }
  | { ok: false; error: string };
