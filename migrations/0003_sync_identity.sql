CREATE TYPE "public"."unmatched_status" AS ENUM('open', 'resolved');--> statement-breakpoint
CREATE TABLE "phone_person_cache" (
	"company_id" bigint NOT NULL,
	"e164" text NOT NULL,
	"person_id" bigint NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "phone_person_cache_company_id_e164_pk" PRIMARY KEY("company_id","e164")
);
--> statement-breakpoint
CREATE TABLE "pipedrive_webhook_subscriptions" (
	"company_id" bigint PRIMARY KEY NOT NULL,
	"password_ciphertext" text NOT NULL,
	"webhook_ids" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"subscribed_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "unmatched_chats" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"company_id" bigint NOT NULL,
	"workspace_id" uuid NOT NULL,
	"chat_id" uuid NOT NULL,
	"reason" text NOT NULL,
	"candidates" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"status" "unmatched_status" DEFAULT 'open' NOT NULL,
	"chosen_person_id" bigint,
	"resolved_by" text,
	"resolved_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "phone_person_cache" ADD CONSTRAINT "phone_person_cache_company_id_companies_id_fk" FOREIGN KEY ("company_id") REFERENCES "public"."companies"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "pipedrive_webhook_subscriptions" ADD CONSTRAINT "pipedrive_webhook_subscriptions_company_id_companies_id_fk" FOREIGN KEY ("company_id") REFERENCES "public"."companies"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "unmatched_chats" ADD CONSTRAINT "unmatched_chats_company_id_companies_id_fk" FOREIGN KEY ("company_id") REFERENCES "public"."companies"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "unmatched_chats" ADD CONSTRAINT "unmatched_chats_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "unmatched_chats" ADD CONSTRAINT "unmatched_chats_chat_id_chats_id_fk" FOREIGN KEY ("chat_id") REFERENCES "public"."chats"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "phone_person_cache_person_idx" ON "phone_person_cache" USING btree ("company_id","person_id");--> statement-breakpoint
CREATE UNIQUE INDEX "unmatched_chats_open_chat_key" ON "unmatched_chats" USING btree ("company_id","chat_id") WHERE "unmatched_chats"."status" = 'open';--> statement-breakpoint
CREATE INDEX "unmatched_chats_workspace_idx" ON "unmatched_chats" USING btree ("workspace_id","status");