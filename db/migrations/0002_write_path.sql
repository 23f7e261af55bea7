DROP INDEX "scim_groups_tenant_display_name_idx";--> statement-breakpoint
DROP INDEX "activity_log_tenant_at_idx";--> statement-breakpoint
ALTER TABLE "seats" ADD COLUMN "held" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX "scim_groups_tenant_display_name_key" ON "scim_groups" USING btree ("tenant_id",lower("display_name"));--> statement-breakpoint
CREATE INDEX "activity_log_tenant_at_id_idx" ON "activity_log" USING btree ("tenant_id","at","id");