ALTER TABLE "email_outbox" ALTER COLUMN "subject" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "email_outbox" ALTER COLUMN "text" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "email_outbox" ALTER COLUMN "html" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "email_outbox" ADD COLUMN "purchase_id" uuid;--> statement-breakpoint
ALTER TABLE "email_outbox" ADD CONSTRAINT "email_outbox_purchase_id_seat_purchases_id_fk" FOREIGN KEY ("purchase_id") REFERENCES "public"."seat_purchases"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "email_outbox" ADD CONSTRAINT "email_outbox_rendered_or_purchase" CHECK (("email_outbox"."subject" is not null and "email_outbox"."text" is not null and "email_outbox"."html" is not null) or "email_outbox"."purchase_id" is not null);