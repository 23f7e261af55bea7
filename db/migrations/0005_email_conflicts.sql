DROP INDEX "users_tenant_email_key";--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "email_conflict_with" uuid;--> statement-breakpoint
ALTER TABLE "users" ADD CONSTRAINT "users_email_conflict_with_users_id_fk" FOREIGN KEY ("email_conflict_with") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "users_tenant_email_idx" ON "users" USING btree ("tenant_id",lower("email"),"id");--> statement-breakpoint
CREATE INDEX "users_email_conflict_idx" ON "users" USING btree ("email_conflict_with") WHERE "users"."email_conflict_with" is not null;--> statement-breakpoint
-- Hand-written (drizzle cannot declare it): one email signs in one user of a tenant, so at most one user with
-- access holds each email; users without access may share it (SCIM makes only userName unique). Deferrable and
-- initially immediate, so it is checked at the end of each statement: one statement may hand an email from one
-- user to another. Two transactions granting one email to two users at once: the second fails (23P01) and runs
-- again, and then sees the first.
ALTER TABLE "users" ADD CONSTRAINT "users_email_access_excl" EXCLUDE USING btree ("tenant_id" WITH =, (lower("email")) WITH =) WHERE ("role" <> 'none') DEFERRABLE INITIALLY IMMEDIATE;
