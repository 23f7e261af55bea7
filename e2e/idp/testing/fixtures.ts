// Compares recorded requests with the IdPs' documented samples (../fixtures/*.json). A sample's ids, names and
// addresses are examples, so strings compare by type; what an IdP's dialect consists of compares exactly: schema
// URNs, PATCH `op` and `path`, `type`, `resourceType`, string booleans ("False"), booleans, nulls and empty arrays.
import fs from "node:fs";
import type { Recorded } from "./recording-server";

export type Sample = { name: string; source: string; method: string; path: string; query?: string; body?: unknown; headers?: Record<string, string> };
export type Fixture = { provider: string; about: string; requests: Sample[] };

export function loadFixture(provider: string): Fixture {
  return JSON.parse(fs.readFileSync(new URL(`../fixtures/${provider}.json`, import.meta.url), "utf8")) as Fixture;
}

const LITERAL_KEYS = new Set(["op", "path", "type", "resourceType"]);

/** `members[value eq "…"]` and similar: the quoted example value is not part of the dialect. */
const quotedValues = (s: string) => s.replace(/"(?:[^"\\]|\\.)*"/g, '"…"').replace(/%22.*?%22/g, "%22…%22");

function sameShape(sample: unknown, actual: unknown, key: string): boolean {
  if (sample === null || typeof sample === "boolean") return actual === sample;
  if (typeof sample === "number") return typeof actual === "number";
  if (typeof sample === "string") {
    if (typeof actual !== "string") return false;
    if (key === "schemas" || /^(True|False)$/.test(sample)) return actual === sample;
    if (LITERAL_KEYS.has(key)) return quotedValues(actual) === quotedValues(sample);
    return true;
  }
  if (Array.isArray(sample)) {
    if (!Array.isArray(actual)) return false;
    if (key === "schemas") return JSON.stringify(actual) === JSON.stringify(sample);
    if (sample.length === 0) return actual.length === 0;
    return sample.every((s) => actual.some((a) => sameShape(s, a, key)));
  }
  if (typeof sample === "object") {
    if (typeof actual !== "object" || actual === null || Array.isArray(actual)) return false;
    return Object.entries(sample as Record<string, unknown>).every(([k, v]) => k in (actual as object) && sameShape(v, (actual as Record<string, unknown>)[k], k));
  }
  return false;
}

const template = (p: string) => p.replace(/^(Users|Groups)\/(?!0$)[^/]+$/, "$1/{id}");

/** Query parameters in order; a sample written percent-encoded is compared in its raw form (the encoding is part of the dialect). */
function sameQuery(sample: string | undefined, raw: string): boolean {
  if (sample === undefined) return true;
  if (sample.includes("%")) return quotedValues(raw) === quotedValues(sample);
  const entries = (q: string) => [...new URLSearchParams(q.replace(/ /g, "%20").replace(/"/g, "%22"))].map(([k, v]) => `${k}=${quotedValues(v)}`);
  return JSON.stringify(entries(raw)) === JSON.stringify(entries(sample));
}

export function matches(sample: Sample, r: Recorded): boolean {
  return (
    r.method === sample.method &&
    template(r.path) === sample.path &&
    sameQuery(sample.query, r.rawQuery) &&
    (sample.body === undefined || sameShape(sample.body, r.body, "")) &&
    Object.entries(sample.headers ?? {}).every(([h, v]) => (r.headers[h] ?? "") === v || String(r.headers[h] ?? "").split(";")[0] === v)
  );
}

/** The samples no recorded request matches. */
export const unmatched = (fixture: Fixture, recorded: Recorded[]) => fixture.requests.filter((s) => !recorded.some((r) => matches(s, r))).map((s) => s.name);
