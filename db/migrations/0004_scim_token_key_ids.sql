-- Tokens name their connection by a public key id (sally_scim_<keyId>_<secret>), so a refused token can be
-- attributed to its tenant: scim_connections.key_id (the current token's; null for older tokens), the key ids of
-- rotated tokens, activity_log.reason (why an attributed call was refused), and the once-a-minute limit on
-- logging such calls (scim_rate_limits.rejection_logged_at).
CREATE TABLE "scim_retired_token_keys" (
	"key_id" text PRIMARY KEY NOT NULL,
	"connection_id" uuid NOT NULL,
	"retired_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "scim_connections" ADD COLUMN "key_id" text;--> statement-breakpoint
ALTER TABLE "activity_log" ADD COLUMN "reason" text;--> statement-breakpoint
ALTER TABLE "scim_rate_limits" ADD COLUMN "rejection_logged_at" timestamp (3) with time zone;--> statement-breakpoint
ALTER TABLE "scim_retired_token_keys" ADD CONSTRAINT "scim_retired_token_keys_connection_id_scim_connections_id_fk" FOREIGN KEY ("connection_id") REFERENCES "public"."scim_connections"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "scim_connections_key_id_key" ON "scim_connections" USING btree ("key_id");