// RFC 7644 §3.5.2 PATCH as pure functions: parse the PatchOp body, apply it to a stored resource, and split a
// Group PATCH into its attribute part and a membership delta. The IdPs' dialects are absorbed
// here and in the patch-*.ts modules, each quirk commented where it is handled.
import { z } from "zod";
import { ValidationError } from "@/lib/errors";
import { canonicalizeResource } from "./canonicalize";
import { applyOperation } from "./patch-apply";
import { isObject, type JsonObject } from "./patch-json";
import { foldMemberOperations, splitGroupOperation } from "./patch-members";
import { SCHEMA, resourceSchemas, type ResourceKind } from "./schemas";

export type PatchOperation = { op: "add" | "replace" | "remove"; path?: string; value?: unknown };
export type MemberChanges = { replaceAll: boolean; add: string[]; remove: string[] };

const OPS = ["add", "replace", "remove"] as const;

const patchBodySchema = z.object({ schemas: z.array(z.string()), operations: z.array(z.unknown()).min(1) });
const patchOperationSchema = z.object({ op: z.string(), path: z.string().nullish(), value: z.unknown().optional() });

/**
 * Validates a PatchOp request body (RFC 7644 §3.5.2) and normalises op names;
 * throws ValidationError("…","invalidSyntax"/"invalidValue").
 */
export function parsePatchRequest(body: unknown): PatchOperation[] {
  const parsed = patchBodySchema.safeParse(lowerKeys(body));
  if (!parsed.success || !parsed.data.schemas.some((s) => s.toLowerCase() === SCHEMA.patchOp.toLowerCase())) {
    throw new ValidationError(
      `A PATCH body needs "schemas": ["${SCHEMA.patchOp}"] and a non-empty "Operations" array (RFC 7644 §3.5.2)`,
      "invalidSyntax",
    );
  }
  return parsed.data.operations.map(parseOperation);
}

/**
 * May these operations change one of these top-level attributes of the resource's core schema (named
 * case-insensitively, with or without the schema's URN)? A hint for a caller that can skip work when they cannot
 * (see lib/scim/users.ts): it errs towards yes, for a value without a path that is not an object.
 */
export function patchMayTouch(kind: ResourceKind, operations: PatchOperation[], attributes: string[]): boolean {
  const names = new Set(attributes.map((a) => a.toLowerCase()));
  const core = (kind === "User" ? SCHEMA.user : SCHEMA.group).toLowerCase();
  const named = (path: string) => {
    const lower = path.trim().toLowerCase();
    const bare = lower.startsWith(`${core}:`) ? lower.slice(core.length + 1) : lower;
    return names.has(bare.split(/[.[\s]/)[0]);
  };
  return operations.some(({ path, value }) => {
    if (path !== undefined) return named(path);
    if (!isObject(value)) return true;
    return Object.entries(value).some(([key, inner]) =>
      key.toLowerCase() === core ? !isObject(inner) || Object.keys(inner).some(named) : named(key),
    );
  });
}

/**
 * Applies operations to a stored User (or the non-member attributes of a Group) atomically; returns the new
 * canonical resource; never mutates the input.
 */
export function applyPatch(kind: ResourceKind, resource: JsonObject, operations: PatchOperation[]): JsonObject {
  if (kind === "Group" && operations.some((operation) => splitGroupOperation(operation).members)) {
    throw new Error("Group members are patched through planGroupPatch, not applyPatch");
  }
  const draft = structuredClone(resource);
  for (const operation of operations) applyOperation(kind, draft, operation);
  return canonicalizeResource(kind, declareExtensions(kind, draft));
}

/**
 * Splits a Group PATCH into attribute changes (applied with applyPatch) and member changes folded in order, so the
 * caller writes O(members changed) rows.
 */
export function planGroupPatch(
  resource: JsonObject,
  operations: PatchOperation[],
): { resource: JsonObject; members: MemberChanges } {
  const parts = operations.map(splitGroupOperation);
  return {
    resource: applyPatch("Group", resource, parts.flatMap((part) => part.attributes ?? [])),
    members: foldMemberOperations(parts.flatMap((part) => part.members ?? [])),
  };
}

/**
 * The member changes of a Group PATCH whose operations touch nothing but `members` (the IdPs' usual call), else
 * null: what planGroupPatch gives for them, known without reading the group.
 */
export function memberOnlyChanges(operations: PatchOperation[]): MemberChanges | null {
  const parts = operations.map(splitGroupOperation);
  if (parts.some((part) => part.attributes)) return null;
  return foldMemberOperations(parts.flatMap((part) => part.members ?? []));
}

function parseOperation(raw: unknown, index: number): PatchOperation {
  const parsed = patchOperationSchema.safeParse(lowerKeys(raw));
  if (!parsed.success) {
    const message = `Operation ${index + 1} needs a string "op" and, if any, a string "path"`;
    throw new ValidationError(message, "invalidSyntax");
  }
  // Entra capitalises op names by default: "Add", "Replace", "Remove" (Microsoft Learn, "Known issues and resolutions with SCIM 2.0 protocol compliance").
  const op = OPS.find((name) => name === parsed.data.op.toLowerCase());
  if (!op) throw new ValidationError(`Operation ${index + 1} has unknown op "${parsed.data.op}"`, "invalidValue");
  const path = parsed.data.path?.trim();
  const { value } = parsed.data;
  return { op, ...(path ? { path } : {}), ...(value !== undefined ? { value } : {}) };
}

/** PatchOp member names are matched case-insensitively: IdPs send both "Operations" and "operations". */
function lowerKeys(value: unknown): unknown {
  return isObject(value) ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k.toLowerCase(), v])) : value;
}

/** RFC 7643 §3: `schemas` lists every extension the resource carries, so one that a PATCH added is declared too. */
function declareExtensions(kind: ResourceKind, resource: JsonObject): JsonObject {
  const { schemas } = resource;
  if (!Array.isArray(schemas)) return resource;
  const declared = new Set(schemas.map((s) => String(s).toLowerCase()));
  const missing = resourceSchemas[kind].extensions
    .map((schema) => schema.id)
    .filter((id) => isObject(resource[id]) && !declared.has(id.toLowerCase()));
  return missing.length ? { ...resource, schemas: [...schemas, ...missing] } : resource;
}
