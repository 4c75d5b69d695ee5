-- The audit log is append-only: the database refuses to change or remove entries, whoever asks.
CREATE FUNCTION "plumbline_audit_append_only"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'the audit log is append-only: % on "AuditLog" is not allowed', TG_OP;
END
$$;

CREATE TRIGGER "AuditLog_append_only" BEFORE UPDATE OR DELETE ON "AuditLog"
  FOR EACH ROW EXECUTE FUNCTION "plumbline_audit_append_only"();
CREATE TRIGGER "AuditLog_no_truncate" BEFORE TRUNCATE ON "AuditLog"
  FOR EACH STATEMENT EXECUTE FUNCTION "plumbline_audit_append_only"();

-- The chain's newest entry, written with every append, so verification notices entries
-- removed from the end of the chain (which leave no broken link behind them).
CREATE TABLE "AuditHead" (
    "id" INTEGER NOT NULL DEFAULT 1,
    "lastId" BIGINT NOT NULL,
    "lastHash" TEXT NOT NULL,
    "entries" BIGINT NOT NULL,

    CONSTRAINT "AuditHead_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "AuditHead_single_row" CHECK ("id" = 1)
);

INSERT INTO "AuditHead" ("id", "lastId", "lastHash", "entries")
SELECT 1, "id", "hash", (SELECT count(*) FROM "AuditLog") FROM "AuditLog" ORDER BY "id" DESC LIMIT 1;
