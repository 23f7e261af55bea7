import { ValidationError } from "@/lib/errors";
import { isResourceId } from "./context";
import type { Filter } from "./filter-parse";
import type { MemberChanges, PatchOperation } from "./patch";
import { isObject, keyOf, type JsonObject } from "./patch-json";
import { isExtensionKey, resolveTarget, type AttributeTarget, type PatchTarget } from "./patch-path";

/** A Group PATCH operation on `members`, with its path already resolved. */
export type MemberOperation = { op: PatchOperation["op"]; target: AttributeTarget; value: unknown };

type MemberState = { replaceAll: boolean; add: Set<string>; remove: Set<string> };

const isMembers = (target: PatchTarget): target is AttributeTarget =>
  target.type === "attribute" && target.container === null && target.name === "members";

/**
 * Splits one Group operation into its part for the group itself and its part for `members`. A pathless value may
 * carry both (`{"displayName":…,"members":[…]}`, RFC 7644 §3.5.2.1).
 */
export function splitGroupOperation(operation: PatchOperation): {
  attributes: PatchOperation | null;
  members: MemberOperation | null;
} {
  const { op, path, value } = operation;
  if (path !== undefined) {
    const target = resolveTarget("Group", path);
    if (isMembers(target)) return { attributes: null, members: { op, target, value } };
    return { attributes: operation, members: null };
  }
  if (!isObject(value)) return { attributes: operation, members: null };
  const rest: JsonObject = {};
  let members: MemberOperation | null = null;
  for (const [key, item] of Object.entries(value)) {
    const target = isExtensionKey("Group", key) ? null : resolveTarget("Group", key);
    if (target && isMembers(target)) members = { op, target, value: item };
    else rest[key] = item;
  }
  return { attributes: Object.keys(rest).length ? { op, value: rest } : null, members };
}

/** Folds member operations in request order into one delta against the current membership. */
export function foldMemberOperations(operations: MemberOperation[]): MemberChanges {
  const state: MemberState = { replaceAll: false, add: new Set(), remove: new Set() };
  for (const operation of operations) applyMemberOperation(state, operation);
  return { replaceAll: state.replaceAll, add: [...state.add], remove: [...state.remove] };
}

function applyMemberOperation(state: MemberState, { op, target, value }: MemberOperation): void {
  if (target.sub !== null) {
    throw new ValidationError(`Group members cannot be patched by "members.${target.sub}"`, "invalidPath");
  }
  if (op !== "remove" && value === undefined) {
    throw new ValidationError(`"${op}" on members needs a "value"`, "invalidValue");
  }
  if (target.filter) return applyFilteredOperation(state, op, filterMemberIds(target.filter), value);
  if (op === "add") return addMembers(state, memberIds(value));
  if (op === "replace") return replaceMembers(state, value === null ? [] : memberIds(value));
  // RFC 7644 §3.5.2.2 empties the group when no value is given; Entra's default form lists the members to remove
  // in `value` instead of a filter (Microsoft Learn, "Tutorial: Develop and plan provisioning for a SCIM endpoint"; Microsoft Learn, "Known issues and resolutions with SCIM 2.0 protocol compliance"), and an RFC-literal reading would empty the group.
  if (value === undefined || value === null) return replaceMembers(state, []);
  removeMembers(state, memberIds(value));
}

/**
 * `remove members[value eq "x"]` (Okta, Entra with aadOptscim062020). An add or replace on such a path replaces
 * the matching member by the value, or creates it from the filter when the value names none (as patch-apply does).
 */
function applyFilteredOperation(state: MemberState, op: MemberOperation["op"], ids: string[], value: unknown): void {
  if (op === "remove") return removeMembers(state, ids);
  if (ids.length !== 1) {
    throw new ValidationError(`"${op}" on members needs a filter naming exactly one member`, "invalidFilter");
  }
  const [id] = memberIds({ value: ids[0], ...(isObject(value) ? value : {}) });
  if (op === "replace") removeMembers(state, ids);
  addMembers(state, [id]);
}

/** Member filters may only be `value eq "…"`, joined by `or`: anything else cannot name rows to change. */
function filterMemberIds(filter: Filter): string[] {
  if (filter.op === "or") return filter.filters.flatMap(filterMemberIds);
  const onValue = filter.op === "eq" && /^(members\.)?value$/i.test(filter.attrPath);
  if (onValue && typeof filter.compValue === "string") return [filter.compValue];
  throw new ValidationError('Group member filters may only be value eq "…", joined by or', "invalidFilter");
}

/** The `value` of each member object (RFC 7643 §4.2); `display` and `$ref` are not stored. */
function memberIds(value: unknown): string[] {
  const items = Array.isArray(value) ? value : [value];
  return items.map((item) => {
    const id = isObject(item) ? item[keyOf(item, "value")] : undefined;
    if (typeof id !== "string" || id.trim() === "") {
      throw new ValidationError('Each group member must be an object with a string "value"', "invalidValue");
    }
    return id;
  });
}

// The delta keeps a value in at most one of `add` and `remove`; after replaceAll every current member is gone
// already, so a later remove only has to drop the value from `add`.
function addMembers(state: MemberState, ids: string[]): void {
  for (const id of ids.map(canonicalId)) {
    state.remove.delete(id);
    state.add.add(id);
  }
}

/**
 * A value that is not one of our ids (`members[value eq "null"]`, a stale id from another system) names no member,
 * so removing it changes nothing; it never reaches the database, where it would not even cast to a uuid.
 */
function removeMembers(state: MemberState, ids: string[]): void {
  for (const id of ids.filter(isResourceId).map(canonicalId)) {
    state.add.delete(id);
    if (!state.replaceAll) state.remove.add(id);
  }
}

function replaceMembers(state: MemberState, ids: string[]): void {
  state.replaceAll = true;
  state.remove.clear();
  state.add = new Set(ids.map(canonicalId));
}

/** Ids are uuids, which Postgres prints in lower case; an upper-case spelling names the same member. */
const canonicalId = (id: string) => (isResourceId(id) ? id.toLowerCase() : id);
