ALTER TABLE "products" ADD COLUMN "admit_per_second" integer;--> statement-breakpoint
ALTER TABLE "products" ADD COLUMN "admission_ttl_seconds" integer;--> statement-breakpoint
ALTER TABLE "products" ADD COLUMN "waiting_room_version" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "products" ADD CONSTRAINT "products_waiting_room_valid" CHECK (("products"."admit_per_second" IS NULL AND "products"."admission_ttl_seconds" IS NULL) OR ("products"."admit_per_second" BETWEEN 1 AND 10000 AND "products"."admission_ttl_seconds" BETWEEN 10 AND 3600));