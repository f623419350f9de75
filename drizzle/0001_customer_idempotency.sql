ALTER TABLE "orders" DROP CONSTRAINT "orders_idempotency_key_unique";--> statement-breakpoint
CREATE INDEX "orders_product_user_idx" ON "orders" USING btree ("product_id","user_id");--> statement-breakpoint
ALTER TABLE "orders" ADD CONSTRAINT "orders_user_idempotency_key_unique" UNIQUE("user_id","idempotency_key");