import type { DbOrTx } from "@/db";
import type { RejectionReason } from "@/db/schema";
import { findTokenKeyOwner } from "@/db/queries/scim-connections";
import { tokenFromHeader } from "./bearer";
import { scimTokenKeyId } from "@/lib/provisioning/scim-token";

/** The activity log's summary per reason (English, as the CLI shows it; the UI translates the reason code). */
export const rejectionSummaries: Record<RejectionReason, string> = {
  wrong_token: "Wrong token: its key id is this connection's, its secret is not",
  token_rotated: "Token was rotated: the IdP still sends the token it replaced",
  token_revoked: "Token was revoked: the IdP still sends the token of a disconnected connection",
};

/**
 * Which tenant a refused token belongs to, and why it was refused, when the token names a key id
 * (`sally_scim_<keyId>_<secret>`) of one of that tenant's connections and the tenant has a live connection whose
 * admin can act on it: the current key with a wrong secret, a key replaced by a rotation, or the key of a
 * disconnected connection. Null otherwise, without a database round trip when the token names no key id.
 * The caller still answers 401 exactly as for any other refused token: nothing tells the client which case it was.
 */
export async function attributeRejectedToken(db: DbOrTx, header: string | null): Promise<{ tenantId: string; reason: RejectionReason } | null> {
  const token = tokenFromHeader(header);
  if (!token || token.length > 512) return null;
  const keyId = scimTokenKeyId(token);
  if (!keyId) return null;
  const owner = await findTokenKeyOwner(db, keyId);
  if (!owner?.live) return null;
  const reason: RejectionReason = owner.revoked ? "token_revoked" : owner.retired ? "token_rotated" : "wrong_token";
  return { tenantId: owner.tenantId, reason };
}
