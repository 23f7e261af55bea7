// What the simulated IdP remembers between runs: its directory, the server ids it cached ("detects and caches the
// target system's ID", how-provisioning-works) and what it last pushed, kept in a small JSON file.
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import type { Directory } from "./directory";
import type { Provider, UserSnapshot } from "./providers/types";

export type SimulatorState = {
  version: 1;
  provider: Provider;
  tenantUrl: string;
  directory: Directory;
  /** Server ids by directory key. */
  ids: { users: Record<string, string>; groups: Record<string, string> };
  /** What the server was last told, by directory key: user profiles, group member keys. */
  pushed: { users: Record<string, UserSnapshot>; groups: Record<string, string[]> };
};

/** Git-ignored, one file per tenant URL and provider. */
export const STATE_DIR = path.join(".data", "idp");

export function defaultStateFile(tenantUrl: string, provider: Provider): string {
  const digest = createHash("sha256").update(tenantUrl.replace(/\/+$/, "")).digest("hex").slice(0, 12);
  return path.join(STATE_DIR, `${provider}-${digest}.json`);
}

export function loadState(file: string): SimulatorState | null {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw error;
  }
  const state = JSON.parse(text) as SimulatorState;
  if (state.version !== 1 || !state.directory || !state.ids || !state.pushed) throw new Error(`${file} is not a simulator state file (version 1)`);
  return state;
}

/** Writes through a temporary file and a rename, so an interrupted run never leaves half a state file. */
export function saveState(file: string, state: SimulatorState): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temp, JSON.stringify(state));
  fs.renameSync(temp, file);
}

export function emptyState(provider: Provider, tenantUrl: string, directory: Directory): SimulatorState {
  return { version: 1, provider, tenantUrl, directory, ids: { users: {}, groups: {} }, pushed: { users: {}, groups: {} } };
}
