import { isDeepStrictEqual } from "node:util";
import { scimGroups } from "@/db/schema";
import {
  deleteScimGroup,
  getScimGroup,
  getScimGroupLocked,
  insertScimGroup,
  listMemberIds,
  listMembersOfGroups,
  listScimGroups,
  writeScimGroup,
  type ScimGroupColumns,
  type ScimGroupRow,
} from "@/db/queries/scim-groups";
import { WriteConflictError } from "@/db/errors";
import { settleInOrder } from "@/db/run";
import { alongsideCommit } from "@/db/transaction";
import { NotFoundError, PreconditionFailedError, ValidationError } from "@/lib/errors";
import { summarize, type Summary } from "@/lib/activity-summary";
import { canonicalizeResource, groupColumns, type JsonObject } from "./canonicalize";
import { readCheckingToken } from "./bearer";
import { isResourceId, type ScimContext } from "./context";
import { applyChange, sendMembers, type SentAhead } from "./directory";
import { parseProjection, type ListParams } from "./list-params";
import { listResources, type Listing } from "./list";
import { memberOnlyChanges, parsePatchRequest, planGroupPatch, type MemberChanges } from "./patch";
import { checkIfMatch, notModified } from "./preconditions";
import { includesAttribute, project, type Projection } from "./projection";
import { afterCommit, etag, type ScimResult } from "./responses";
import { location, serializeGroup } from "./serialize";

const notFound = (id: string) => new NotFoundError(`Group ${id} not found`);

async function loadGroup(ctx: ScimContext, id: string, lock?: "write" | "delete"): Promise<ScimGroupRow> {
  if (!isResourceId(id)) throw notFound(id);
  const { tx, tenant } = ctx;
  const { group } = lock
    ? { group: await getScimGroupLocked(tx, tenant.id, id, lock) }
    : await readCheckingToken(ctx.tokenCheck, (token) => getScimGroup(tx, tenant.id, id, { tokenHash: token?.hash }));
  if (!group) throw notFound(id);
  return group;
}

/**
 * The last statement of a PATCH: bumps the group's version (and stores new attributes) only now, so concurrent
 * writers of one group hold its row lock for no more than their commit. The group was read without that lock:
 * under If-Match the write goes through only if the version is still the one read (else 412); new attributes only
 * if the attributes are still the ones read, else another write of them came in between and this request runs
 * again from the start (WriteConflictError) with that change in view, so neither is lost. Member changes of
 * others do not touch the attributes and never make a PATCH run again.
 */
async function finishGroupPatch(
  ctx: ScimContext,
  read: ScimGroupRow,
  attributes?: { resource: Record<string, unknown>; columns: ScimGroupColumns },
): Promise<ScimGroupRow> {
  const ifMatch = ctx.headers.has("if-match");
  const row = await writeScimGroup(ctx.tx, ctx.tenant.id, read.id, {
    attributes,
    expected: { version: ifMatch ? read.version : undefined, resource: attributes ? read.resource : undefined },
  });
  if (row) return row;
  if (ifMatch) throw new PreconditionFailedError(`Group ${read.id} changed since version ${etag(read.version)}`);
  throw new WriteConflictError(`Group ${read.id} changed while this request was writing it`);
}

/** Serialises groups, reading members only when they will be returned (`excludedAttributes=members` never reads them). */
async function render(ctx: ScimContext, rows: ScimGroupRow[], projection: Projection, known?: "no members"): Promise<JsonObject[]> {
  if (known === "no members") return rows.map((row) => project("Group", serializeGroup(row, includesAttribute("Group", projection, "members") ? [] : null), projection));
  const members = includesAttribute("Group", projection, "members")
    ? await listMembersOfGroups(ctx.tx, rows.map((r) => r.id))
    : null;
  return rows.map((row) => project("Group", serializeGroup(row, members ? (members.get(row.id) ?? []) : null), projection));
}

async function written(ctx: ScimContext, row: ScimGroupRow, status: number, summary: Summary, known?: "no members"): Promise<ScimResult> {
  const [body] = await render(ctx, [row], parseProjection(ctx.query), known);
  return { status, body, headers: { etag: etag(row.version), location: location("Groups", row.id) }, summary };
}

/** The member ids of a POST/PUT body (`members: [{value}]`), validated. */
function memberIdsOf(body: JsonObject): string[] | undefined {
  const key = Object.keys(body).find((k) => k.toLowerCase() === "members");
  if (!key || body[key] === null) return undefined;
  const members = body[key];
  if (!Array.isArray(members)) throw new ValidationError('"members" must be an array', "invalidValue");
  return [
    ...new Set(
      members.map((m) => {
        const value = typeof m === "object" && m !== null ? (m as JsonObject).value : undefined;
        if (typeof value !== "string") throw new ValidationError('Each member needs a string "value"', "invalidValue");
        return value;
      }),
    ),
  ];
}

function parseGroup(body: unknown) {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new ValidationError("The request body must be a Group object", "invalidSyntax");
  }
  const resource = canonicalizeResource("Group", body as JsonObject);
  return { resource, columns: groupColumns(resource), memberIds: memberIdsOf(body as JsonObject) };
}

/**
 * Applies member changes with O(changed) row writes; the provisioning verb re-evaluates exactly the users whose
 * membership changed. Members that are no users of this tenant (a user the IdP has not provisioned yet, a nested
 * group, which Sally does not support) are skipped and the rest applied, as Entra and Okta expect; each skipped
 * id is a warning in the tenant's activity log.
 */
async function applyMemberChanges(ctx: ScimContext, group: ScimGroupRow, changes: MemberChanges, sent?: SentAhead) {
  const { membership } = await applyChange(
    ctx,
    sent ? { sent } : { members: { groupId: group.id, add: changes.add, remove: changes.replaceAll ? "all" : changes.remove } },
  );
  const result = membership!;
  for (const id of result.unknown) ctx.warnings.push(summarize("skippedMember", { id, displayName: group.displayName }));
  return { added: result.added.length, removed: result.removed.length };
}

/** How Groups are listed, by GET /Groups, POST /Groups/.search and a root /.search. */
export const groupListing: Listing<ScimGroupRow> = {
  kind: "Group",
  columns: { createdAt: scimGroups.createdAt, id: scimGroups.id },
  query: (ctx, query) => readCheckingToken(ctx.tokenCheck, (token) => listScimGroups(ctx.tx, ctx.tenant.id, query, { tokenHash: token?.hash })),
  render,
};

/** GET /Groups: filter, sort, index or cursor paging; members are read only when returned. */
export async function listGroups(ctx: ScimContext, params: ListParams): Promise<ScimResult> {
  return listResources(ctx, params, groupListing);
}

/** GET /Groups/{id}. */
export async function getGroup(ctx: ScimContext, id: string): Promise<ScimResult> {
  const row = await loadGroup(ctx, id);
  if (notModified(ctx.headers, row.version)) return { status: 304, headers: { etag: etag(row.version) }, summary: summarize("notModified") };
  const [body] = await render(ctx, [row], parseProjection(ctx.query));
  return { status: 200, body, headers: { etag: etag(row.version) }, summary: summarize("readGroup", { displayName: row.displayName }) };
}

/** POST /Groups (Entra creates groups empty and adds members by PATCH; Okta AIW may send members here). */
export async function createGroup(ctx: ScimContext, body: unknown): Promise<ScimResult> {
  const { resource, columns, memberIds } = parseGroup(body);
  const inserted = await insertScimGroup(ctx.tx, ctx.tenant.id, resource, columns);
  if (!memberIds?.length) return written(ctx, inserted, 201, summarize("createdGroup", { displayName: inserted.displayName }), "no members");
  // The new row is this transaction's own until commit: its version stays 1, members included.
  const { added } = await applyMemberChanges(ctx, inserted, { replaceAll: false, add: memberIds, remove: [] });
  return written(
    ctx,
    inserted,
    201,
    added ? summarize("createdGroupWithMembers", { displayName: inserted.displayName, added }) : summarize("createdGroup", { displayName: inserted.displayName }),
  );
}

/** PUT /Groups/{id}: the body states the whole group; members are changed by their difference only. */
export async function replaceGroup(ctx: ScimContext, id: string, body: unknown): Promise<ScimResult> {
  const { resource, columns, memberIds } = parseGroup(body);
  const current = await loadGroup(ctx, id, "write");
  checkIfMatch(ctx.headers, current.version);
  const { added, removed } = await applyMemberChanges(ctx, current, { replaceAll: true, add: memberIds ?? [], remove: [] });
  // A PUT states the whole group: it replaces the attributes whatever changed in between (unless If-Match).
  const row = await writeScimGroup(ctx.tx, ctx.tenant.id, id, {
    attributes: { resource, columns },
    expected: { version: ctx.headers.has("if-match") ? current.version : undefined },
  });
  if (!row) throw new PreconditionFailedError(`Group ${id} changed since version ${etag(current.version)}`);
  return written(ctx, row, 200, summarize("replacedGroup", { displayName: row.displayName, added, removed }));
}

/**
 * PATCH /Groups/{id}. Answers 204 (what Entra expects, and it spares reading a large member list) unless the
 * request names `attributes`/`excludedAttributes`, in which case the resource comes back (RFC 7644 §3.5.2).
 */
export async function patchGroup(ctx: ScimContext, id: string, body: unknown): Promise<ScimResult> {
  const operations = parsePatchRequest(body);
  const projection = parseProjection(ctx.query);
  const answersWithBody = projection.attributes.length > 0 || projection.excludedAttributes.length > 0;
  const membersOnly = answersWithBody || ctx.headers.has("if-match") || !isResourceId(id) ? null : memberOnlyChanges(operations);
  let current: ScimGroupRow;
  let plan: { resource: Record<string, unknown>; members: MemberChanges };
  let sent: Required<SentAhead> | undefined;
  if (membersOnly && !membersOnly.replaceAll) {
    // The IdPs' usual call, members named: the group's lock, the member change and, should the group grant
    // something, the rules' lock and facts go out together, in one round trip (sendMemberChange in
    // lib/provisioning/sync-users.ts).
    const locking = getScimGroupLocked(ctx.tx, ctx.tenant.id, id, "write");
    sent = sendMembers(ctx, id, membersOnly);
    const [group] = await settleInOrder([locking, sent.membership, sent.rows, sent.context] as const);
    if (!group) throw notFound(id);
    current = group;
    plan = { resource: group.resource, members: membersOnly };
  } else {
    current = await loadGroup(ctx, id, "write");
    checkIfMatch(ctx.headers, current.version);
    plan = planGroupPatch(current.resource, operations);
  }
  const attributesChanged = !isDeepStrictEqual(plan.resource, current.resource);
  const changesMembers = plan.members.replaceAll || plan.members.add.length > 0 || plan.members.remove.length > 0;
  const { added, removed } = changesMembers ? await applyMemberChanges(ctx, current, plan.members, sent) : { added: 0, removed: 0 };
  const summary = (row: ScimGroupRow) => summarize("patchedGroup", { displayName: row.displayName, added, removed });
  const answer = (row: ScimGroupRow): ScimResult | Promise<ScimResult> =>
    answersWithBody ? written(ctx, row, 200, summary(row)) : { status: 204, headers: { etag: etag(row.version) }, summary: summary(row) };
  // A members-only change still bumps version and lastModified; a PATCH that changes nothing writes nothing.
  if (!attributesChanged && added + removed === 0) return answer(current);
  // The IdPs' usual call (members only, no If-Match, no body back) has a last write that cannot fail: it only bumps
  // the version of a group this request holds against deletion. It goes with COMMIT; the ETag comes from its answer.
  if (!attributesChanged && !answersWithBody && !ctx.headers.has("if-match")) {
    const { answer: bumped } = await alongsideCommit(ctx.tx, () => writeScimGroup(ctx.tx, ctx.tenant.id, current.id, {}));
    const headers = bumped.then((row) => ({ headers: row ? { etag: etag(row.version) } : undefined }));
    return { status: 204, afterCommit: afterCommit(headers), summary: summary(current) };
  }
  return answer(await finishGroupPatch(ctx, current, attributesChanged ? { resource: plan.resource, columns: groupColumns(plan.resource) } : undefined));
}

/** DELETE /Groups/{id}: its members are re-evaluated (the group may have granted their access or license). */
export async function deleteGroup(ctx: ScimContext, id: string): Promise<ScimResult> {
  const current = await loadGroup(ctx, id, "delete");
  checkIfMatch(ctx.headers, current.version);
  const memberIds = await listMemberIds(ctx.tx, id);
  await deleteScimGroup(ctx.tx, ctx.tenant.id, id);
  await applyChange(ctx, { reevaluate: memberIds });
  return { status: 204, summary: summarize("deletedGroup", { displayName: current.displayName, members: memberIds.length }) };
}
