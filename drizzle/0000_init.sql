CREATE TABLE "orders" (
	"id" uuid PRIMARY KEY NOT NULL,
	"idempotency_key" varchar(255),
	"user_id" varchar(128) NOT NULL,
	"product_id" integer NOT NULL,
	"quantity" integer NOT NULL,
	"total_amount_cents" bigint NOT NULL,
	"status" varchar(32) DEFAULT 'confirmed' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "orders_idempotency_key_unique" UNIQUE("idempotency_key"),
	CONSTRAINT "orders_quantity_positive" CHECK ("orders"."quantity" > 0),
	CONSTRAINT "orders_total_amount_nonnegative" CHECK ("orders"."total_amount_cents" >= 0)
);
--> statement-breakpoint
CREATE TABLE "products" (
	"id" serial PRIMARY KEY NOT NULL,
	"name" varchar(255) NOT NULL,
	"description" text,
	"total_stock" integer NOT NULL,
	"sold" integer DEFAULT 0 NOT NULL,
	"price_cents" bigint,
	"max_per_user" integer,
	"sale_starts_at" timestamp with time zone,
	"sale_ends_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "products_sold_within_stock" CHECK ("products"."sold" >= 0 AND "products"."sold" <= "products"."total_stock"),
	CONSTRAINT "products_total_stock_nonnegative" CHECK ("products"."total_stock" >= 0),
	CONSTRAINT "products_price_nonnegative" CHECK ("products"."price_cents" IS NULL OR "products"."price_cents" >= 0),
	CONSTRAINT "products_max_per_user_positive" CHECK ("products"."max_per_user" IS NULL OR "products"."max_per_user" > 0),
	CONSTRAINT "products_sale_window_ordered" CHECK ("products"."sale_starts_at" IS NULL OR "products"."sale_ends_at" IS NULL OR "products"."sale_starts_at" < "products"."sale_ends_at")
);
--> statement-breakpoint
ALTER TABLE "orders" ADD CONSTRAINT "orders_product_id_products_id_fk" FOREIGN KEY ("product_id") REFERENCES "public"."products"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "orders_user_created_idx" ON "orders" USING btree ("user_id","created_at" DESC NULLS LAST,"id" DESC NULLS LAST);