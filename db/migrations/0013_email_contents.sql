-- An invitation's rendering is the same for every invitation of a tenant in one language, role and license but for
-- its link: stored once in email_contents (by a hash of the tenant and the content), and referenced with the link
-- by the outbox rows and the local mailbox's messages that deliver it, where each row held the whole html (about
-- 5 KB) before. Rows written before this keep their content inline.
CREATE TABLE "email_contents" (
	"id" text PRIMARY KEY NOT NULL,
	"tenant_id" uuid,
	"subject" text NOT NULL,
	"text" text NOT NULL,
	"html" text NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "email_outbox" DROP CONSTRAINT "email_outbox_rendered_or_purchase";--> statement-breakpoint
ALTER TABLE "mailbox" ALTER COLUMN "subject" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "mailbox" ALTER COLUMN "text" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "mailbox" ALTER COLUMN "html" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "email_outbox" ADD COLUMN "content_id" text;--> statement-breakpoint
ALTER TABLE "email_outbox" ADD COLUMN "link" text;--> statement-breakpoint
ALTER TABLE "mailbox" ADD COLUMN "content_id" text;--> statement-breakpoint
ALTER TABLE "mailbox" ADD COLUMN "link" text;--> statement-breakpoint
ALTER TABLE "email_contents" ADD CONSTRAINT "email_contents_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "email_outbox" ADD CONSTRAINT "email_outbox_content_id_email_contents_id_fk" FOREIGN KEY ("content_id") REFERENCES "public"."email_contents"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "mailbox" ADD CONSTRAINT "mailbox_content_id_email_contents_id_fk" FOREIGN KEY ("content_id") REFERENCES "public"."email_contents"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "email_outbox" ADD CONSTRAINT "email_outbox_rendered_or_purchase" CHECK (("email_outbox"."subject" is not null and "email_outbox"."text" is not null and "email_outbox"."html" is not null) or ("email_outbox"."content_id" is not null and "email_outbox"."link" is not null) or "email_outbox"."purchase_id" is not null);--> statement-breakpoint
ALTER TABLE "mailbox" ADD CONSTRAINT "mailbox_content" CHECK (("mailbox"."subject" is not null and "mailbox"."text" is not null and "mailbox"."html" is not null) or ("mailbox"."content_id" is not null and "mailbox"."link" is not null));