"use server";

import { after } from "next/server";
import { z } from "zod";
import { getDb } from "@/db";
import { identityProviders, licenseTiers } from "@/db/schema";
import { disconnectScim } from "@/lib/provisioning/disconnect-scim";
import { previewGroupMapping, saveGroupMapping, type ConfirmablePreview } from "@/lib/provisioning/group-mapping";
import { connectScim, rotateScimToken } from "@/lib/provisioning/scim-connection";
import { drainSoon } from "@/lib/email/outbox";
import { ConflictError, NotFoundError, StalePreviewError, ValidationError } from "@/lib/errors";
import { runAdminAction, type ActionResult } from "../../_lib/admin-action";
import { revalidateSettings } from "../../_lib/revalidate";

const actorOf = (email: string) => `admin:${email}`;

const connectSchema = z.object({ provider: z.enum(identityProviders, { error: "pickProvider" }) });

/** Set up SCIM: the Tenant URL and the token, which exists in plain text only in this answer. */
export async function connectScimAction(input: { provider: string }): Promise<ActionResult<{ tenantUrl: string; token: string }>> {
  return runAdminAction(
    connectSchema,
    input,
    async ({ admin, input }) => {
      const { tenantUrl, token } = await connectScim(await getDb(), { tenantId: admin.tenant.id, provider: input.provider, actor: actorOf(admin.user.email) });
      revalidateSettings();
      return { ok: true, data: { tenantUrl, token } };
    },
    (error, t) => (error instanceof ConflictError ? t("alreadyConnected") : undefined),
  );
}

/** A new token; the old one answers 401 from this commit on. */
export async function rotateScimTokenAction(): Promise<ActionResult<{ token: string }>> {
  return runAdminAction(
    z.undefined(),
    undefined,
    async ({ admin }) => {
      const { token } = await rotateScimToken(await getDb(), { tenantId: admin.tenant.id, actor: actorOf(admin.user.email) });
      revalidateSettings();
      return { ok: true, data: { token } };
    },
    (error, t) => (error instanceof NotFoundError ? t("notConnected") : undefined),
  );
}

/** Revokes the token; provisioned users stay. */
export async function disconnectScimAction(): Promise<ActionResult<{ usersKept: number }>> {
  return runAdminAction(
    z.undefined(),
    undefined,
    async ({ admin }) => {
      const { usersKept } = await disconnectScim(await getDb(), { tenantId: admin.tenant.id, actor: actorOf(admin.user.email) });
      revalidateSettings();
      return { ok: true, data: { usersKept } };
    },
    (error, t) => (error instanceof NotFoundError ? t("notConnected") : undefined),
  );
}

const mappingSchema = z
  .object({
    userGroupId: z.uuid().nullable(),
    adminGroupId: z.uuid().nullable(),
    licenseGroups: z.array(z.object({ groupId: z.uuid(), tier: z.enum(licenseTiers) })).max(10_000),
    inviteOnProvision: z.boolean(),
  })
  .refine((m) => !m.userGroupId || m.userGroupId !== m.adminGroupId, { message: "sameGroup", path: ["adminGroupId"] });

export type MappingForm = z.infer<typeof mappingSchema>;
export type MappingPreviewResult = ActionResult<{ preview: ConfirmablePreview; stale?: boolean }>;

const explainMapping = (error: Error, t: (key: "unknownGroup") => string) => (error instanceof NotFoundError ? t("unknownGroup") : undefined);

/** What saving the form would do (nothing is saved): the confirmation dialog shows it. */
export async function previewMappingAction(mapping: MappingForm): Promise<MappingPreviewResult> {
  return runAdminAction(mappingSchema, mapping, async ({ admin, input }) => {
    const preview = await previewGroupMapping(await getDb(), admin.tenant.id, input);
    return { ok: true, data: { preview } };
  }, explainMapping);
}

/**
 * Applies exactly the preview the admin confirmed: if members, seats or prices changed since, nothing is saved or
 * bought and the answer carries the new preview instead.
 */
export async function saveMappingAction(input: { mapping: MappingForm; fingerprint: string }): Promise<MappingPreviewResult> {
  const schema = z.object({ mapping: mappingSchema, fingerprint: z.string().min(1).max(200) });
  return runAdminAction(
    schema,
    input,
    async ({ admin, input, t }): Promise<MappingPreviewResult> => {
      const db = await getDb();
      try {
        const { preview } = await saveGroupMapping(db, {
          tenantId: admin.tenant.id,
          mapping: input.mapping,
          actor: actorOf(admin.user.email),
          expectedFingerprint: input.fingerprint,
        });
        revalidateSettings();
        // Invitations and receipts the save queued go out right after the answer (the background drain is the backstop).
        after(() => drainSoon(db).catch((error: unknown) => console.error("outbox drain failed:", error)));
        return { ok: true, data: { preview } };
      } catch (error) {
        if (error instanceof StalePreviewError) {
          return { ok: false, data: { preview: error.current as ConfirmablePreview, stale: true } };
        }
        if (error instanceof ValidationError) {
          // The save re-checks what the preview showed; the one refusal of a well-formed mapping is "no admin left".
          const preview = await previewGroupMapping(db, admin.tenant.id, input.mapping);
          return { ok: false, message: preview.adminsAfter === 0 ? t("noAdminLeft") : t("invalidInput"), data: { preview } };
        }
        throw error;
      }
    },
    explainMapping,
  );
}
