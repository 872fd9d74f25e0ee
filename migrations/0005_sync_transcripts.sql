DROP INDEX "transcripts_company_chat_day_key";--> statement-breakpoint
ALTER TABLE "companies" ADD COLUMN "rate_limited_since" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "transcripts" ADD COLUMN "part" integer DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE "transcripts" ADD COLUMN "content_hash" text;--> statement-breakpoint
ALTER TABLE "transcripts" ADD COLUMN "synced_fingerprint" text;--> statement-breakpoint
CREATE UNIQUE INDEX "transcripts_company_chat_day_part_key" ON "transcripts" USING btree ("company_id","chat_id","day","part");