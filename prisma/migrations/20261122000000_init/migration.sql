-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateEnum
CREATE TYPE "Role" AS ENUM ('admin', 'governance_board', 'integration_engineer', 'finance', 'viewer');

-- CreateEnum
CREATE TYPE "SyncClass" AS ENUM ('real_time', 'near_real_time', 'batch');

-- CreateEnum
CREATE TYPE "InterfaceStatus" AS ENUM ('active', 'blocked');

-- CreateEnum
CREATE TYPE "SyncDirection" AS ENUM ('source_to_target', 'target_to_source', 'bidirectional', 'forbidden');

-- CreateEnum
CREATE TYPE "SchemaVersionStatus" AS ENUM ('proposed', 'approved', 'rejected', 'active', 'superseded', 'withdrawn');

-- CreateEnum
CREATE TYPE "CompatibilityLevel" AS ENUM ('FULL', 'BACKWARD', 'FORWARD', 'BREAKING', 'NONE_CHANGED');

-- CreateEnum
CREATE TYPE "VoteDecision" AS ENUM ('approve', 'reject');

-- CreateEnum
CREATE TYPE "CaseState" AS ENUM ('open', 'acknowledged', 'resolved');

-- CreateEnum
CREATE TYPE "SliKind" AS ENUM ('latency', 'success');

-- CreateEnum
CREATE TYPE "AlertStatus" AS ENUM ('ok', 'ticket', 'page', 'no_data');

-- CreateTable
CREATE TABLE "User" (
    "id" TEXT NOT NULL,
    "email" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "passwordHash" TEXT,
    "role" "Role" NOT NULL DEFAULT 'viewer',
    "disabled" BOOLEAN NOT NULL DEFAULT false,
    "failedLogins" INTEGER NOT NULL DEFAULT 0,
    "lockedUntil" TIMESTAMP(3),
    "lastLoginAt" TIMESTAMP(3),
    "ssoIssuer" TEXT,
    "ssoSubject" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "User_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "System" (
    "id" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "System_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Interface" (
    "id" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "sourceSystemId" TEXT NOT NULL,
    "targetSystemId" TEXT NOT NULL,
    "entityTypes" TEXT[],
    "ownerTeam" TEXT NOT NULL,
    "syncClass" "SyncClass" NOT NULL,
    "status" "InterfaceStatus" NOT NULL DEFAULT 'active',
    "activeSchemaVersion" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Interface_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "UnregisteredInterface" (
    "key" TEXT NOT NULL,
    "firstSeenAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastSeenAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "blocked" BOOLEAN NOT NULL DEFAULT false,

    CONSTRAINT "UnregisteredInterface_pkey" PRIMARY KEY ("key")
);

-- CreateTable
CREATE TABLE "IngestApiKey" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "interfaceId" TEXT,
    "prefix" TEXT NOT NULL,
    "keyHash" TEXT NOT NULL,
    "createdById" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastUsedAt" TIMESTAMP(3),
    "expiresAt" TIMESTAMP(3),
    "revokedAt" TIMESTAMP(3),

    CONSTRAINT "IngestApiKey_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "BusinessEntity" (
    "id" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "odooModel" TEXT NOT NULL DEFAULT '',
    "description" TEXT NOT NULL DEFAULT '',
    "systemOfRecordId" TEXT,
    "stewardId" TEXT,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "BusinessEntity_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "EntityWriter" (
    "entityId" TEXT NOT NULL,
    "systemId" TEXT NOT NULL,

    CONSTRAINT "EntityWriter_pkey" PRIMARY KEY ("entityId","systemId")
);

-- CreateTable
CREATE TABLE "InterfaceEntityDirection" (
    "interfaceId" TEXT NOT NULL,
    "entityId" TEXT NOT NULL,
    "direction" "SyncDirection" NOT NULL,

    CONSTRAINT "InterfaceEntityDirection_pkey" PRIMARY KEY ("interfaceId","entityId")
);

-- CreateTable
CREATE TABLE "SchemaVersion" (
    "id" TEXT NOT NULL,
    "interfaceId" TEXT NOT NULL,
    "version" TEXT NOT NULL,
    "schema" JSONB NOT NULL,
    "status" "SchemaVersionStatus" NOT NULL DEFAULT 'proposed',
    "compatibility" "CompatibilityLevel",
    "changes" JSONB,
    "migrationPlan" TEXT NOT NULL DEFAULT '',
    "requiredApprovals" INTEGER NOT NULL DEFAULT 2,
    "proposedById" TEXT,
    "proposedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "decidedAt" TIMESTAMP(3),
    "activatedAt" TIMESTAMP(3),
    "graceUntil" TIMESTAMP(3),

    CONSTRAINT "SchemaVersion_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "SchemaVote" (
    "id" TEXT NOT NULL,
    "schemaVersionId" TEXT NOT NULL,
    "voterId" TEXT NOT NULL,
    "decision" "VoteDecision" NOT NULL,
    "comment" TEXT NOT NULL DEFAULT '',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "SchemaVote_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ExceptionCase" (
    "id" TEXT NOT NULL,
    "interfaceKey" TEXT NOT NULL,
    "entityType" TEXT NOT NULL,
    "sourceRecordId" TEXT NOT NULL,
    "signatureHash" TEXT NOT NULL,
    "signature" TEXT NOT NULL,
    "errorCategory" TEXT NOT NULL,
    "state" "CaseState" NOT NULL DEFAULT 'open',
    "assigneeId" TEXT,
    "acknowledgedAt" TIMESTAMP(3),
    "resolvedAt" TIMESTAMP(3),
    "resolvedById" TEXT,
    "resolutionReason" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ExceptionCase_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ExceptionNote" (
    "id" TEXT NOT NULL,
    "caseId" TEXT NOT NULL,
    "authorId" TEXT NOT NULL,
    "body" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ExceptionNote_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ReplayRequest" (
    "id" TEXT NOT NULL,
    "caseId" TEXT NOT NULL,
    "idempotencyKey" TEXT NOT NULL,
    "eventIds" TEXT[],
    "requestedById" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "responseCode" INTEGER,
    "error" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "sentAt" TIMESTAMP(3),
    "outcome" TEXT,
    "outcomeAt" TIMESTAMP(3),

    CONSTRAINT "ReplayRequest_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "OverdueRule" (
    "id" TEXT NOT NULL,
    "errorCategory" TEXT,
    "entityType" TEXT,
    "maxAgeHours" INTEGER NOT NULL,
    "label" TEXT NOT NULL,

    CONSTRAINT "OverdueRule_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "SloDefinition" (
    "id" TEXT NOT NULL,
    "interfaceId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "sliKind" "SliKind" NOT NULL,
    "thresholdMs" INTEGER,
    "spanName" TEXT,
    "objective" DOUBLE PRECISION NOT NULL,
    "windowDays" INTEGER NOT NULL,
    "minEvents" INTEGER NOT NULL DEFAULT 20,
    "createdById" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "SloDefinition_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AlertState" (
    "sloId" TEXT NOT NULL,
    "status" "AlertStatus" NOT NULL,
    "since" TIMESTAMP(3) NOT NULL,
    "lastEvaluatedAt" TIMESTAMP(3) NOT NULL,
    "details" JSONB NOT NULL,

    CONSTRAINT "AlertState_pkey" PRIMARY KEY ("sloId")
);

-- CreateTable
CREATE TABLE "WebhookEndpoint" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "url" TEXT NOT NULL,
    "events" TEXT[],
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "WebhookEndpoint_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "WebhookDelivery" (
    "id" TEXT NOT NULL,
    "endpointId" TEXT NOT NULL,
    "event" TEXT NOT NULL,
    "payload" JSONB NOT NULL,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "responseCode" INTEGER,
    "error" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "nextAttemptAt" TIMESTAMP(3),
    "deliveredAt" TIMESTAMP(3),

    CONSTRAINT "WebhookDelivery_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AuditLog" (
    "id" BIGSERIAL NOT NULL,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "actorId" TEXT,
    "actorLabel" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "targetType" TEXT NOT NULL,
    "targetId" TEXT NOT NULL,
    "before" JSONB,
    "after" JSONB,
    "ip" TEXT,
    "prevHash" TEXT NOT NULL,
    "hash" TEXT NOT NULL,

    CONSTRAINT "AuditLog_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Setting" (
    "key" TEXT NOT NULL,
    "value" JSONB NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Setting_pkey" PRIMARY KEY ("key")
);

-- CreateIndex
CREATE UNIQUE INDEX "User_email_key" ON "User"("email");

-- CreateIndex
CREATE UNIQUE INDEX "User_ssoIssuer_ssoSubject_key" ON "User"("ssoIssuer", "ssoSubject");

-- CreateIndex
CREATE UNIQUE INDEX "System_key_key" ON "System"("key");

-- CreateIndex
CREATE UNIQUE INDEX "Interface_key_key" ON "Interface"("key");

-- CreateIndex
CREATE UNIQUE INDEX "IngestApiKey_keyHash_key" ON "IngestApiKey"("keyHash");

-- CreateIndex
CREATE INDEX "IngestApiKey_prefix_idx" ON "IngestApiKey"("prefix");

-- CreateIndex
CREATE UNIQUE INDEX "BusinessEntity_key_key" ON "BusinessEntity"("key");

-- CreateIndex
CREATE UNIQUE INDEX "SchemaVersion_interfaceId_version_key" ON "SchemaVersion"("interfaceId", "version");

-- CreateIndex
CREATE UNIQUE INDEX "SchemaVote_schemaVersionId_voterId_key" ON "SchemaVote"("schemaVersionId", "voterId");

-- CreateIndex
CREATE INDEX "ExceptionCase_signatureHash_idx" ON "ExceptionCase"("signatureHash");

-- CreateIndex
CREATE UNIQUE INDEX "ExceptionCase_interfaceKey_entityType_sourceRecordId_key" ON "ExceptionCase"("interfaceKey", "entityType", "sourceRecordId");

-- CreateIndex
CREATE UNIQUE INDEX "ReplayRequest_idempotencyKey_key" ON "ReplayRequest"("idempotencyKey");

-- CreateIndex
CREATE INDEX "WebhookDelivery_status_nextAttemptAt_idx" ON "WebhookDelivery"("status", "nextAttemptAt");

-- CreateIndex
CREATE UNIQUE INDEX "AuditLog_hash_key" ON "AuditLog"("hash");

-- CreateIndex
CREATE INDEX "AuditLog_at_idx" ON "AuditLog"("at");

-- CreateIndex
CREATE INDEX "AuditLog_targetType_targetId_idx" ON "AuditLog"("targetType", "targetId");

-- AddForeignKey
ALTER TABLE "Interface" ADD CONSTRAINT "Interface_sourceSystemId_fkey" FOREIGN KEY ("sourceSystemId") REFERENCES "System"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Interface" ADD CONSTRAINT "Interface_targetSystemId_fkey" FOREIGN KEY ("targetSystemId") REFERENCES "System"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "IngestApiKey" ADD CONSTRAINT "IngestApiKey_interfaceId_fkey" FOREIGN KEY ("interfaceId") REFERENCES "Interface"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "IngestApiKey" ADD CONSTRAINT "IngestApiKey_createdById_fkey" FOREIGN KEY ("createdById") REFERENCES "User"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "BusinessEntity" ADD CONSTRAINT "BusinessEntity_systemOfRecordId_fkey" FOREIGN KEY ("systemOfRecordId") REFERENCES "System"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "BusinessEntity" ADD CONSTRAINT "BusinessEntity_stewardId_fkey" FOREIGN KEY ("stewardId") REFERENCES "User"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "EntityWriter" ADD CONSTRAINT "EntityWriter_entityId_fkey" FOREIGN KEY ("entityId") REFERENCES "BusinessEntity"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "EntityWriter" ADD CONSTRAINT "EntityWriter_systemId_fkey" FOREIGN KEY ("systemId") REFERENCES "System"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "InterfaceEntityDirection" ADD CONSTRAINT "InterfaceEntityDirection_interfaceId_fkey" FOREIGN KEY ("interfaceId") REFERENCES "Interface"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "InterfaceEntityDirection" ADD CONSTRAINT "InterfaceEntityDirection_entityId_fkey" FOREIGN KEY ("entityId") REFERENCES "BusinessEntity"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SchemaVersion" ADD CONSTRAINT "SchemaVersion_interfaceId_fkey" FOREIGN KEY ("interfaceId") REFERENCES "Interface"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SchemaVersion" ADD CONSTRAINT "SchemaVersion_proposedById_fkey" FOREIGN KEY ("proposedById") REFERENCES "User"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SchemaVote" ADD CONSTRAINT "SchemaVote_schemaVersionId_fkey" FOREIGN KEY ("schemaVersionId") REFERENCES "SchemaVersion"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SchemaVote" ADD CONSTRAINT "SchemaVote_voterId_fkey" FOREIGN KEY ("voterId") REFERENCES "User"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ExceptionCase" ADD CONSTRAINT "ExceptionCase_assigneeId_fkey" FOREIGN KEY ("assigneeId") REFERENCES "User"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ExceptionNote" ADD CONSTRAINT "ExceptionNote_caseId_fkey" FOREIGN KEY ("caseId") REFERENCES "ExceptionCase"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ExceptionNote" ADD CONSTRAINT "ExceptionNote_authorId_fkey" FOREIGN KEY ("authorId") REFERENCES "User"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ReplayRequest" ADD CONSTRAINT "ReplayRequest_caseId_fkey" FOREIGN KEY ("caseId") REFERENCES "ExceptionCase"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ReplayRequest" ADD CONSTRAINT "ReplayRequest_requestedById_fkey" FOREIGN KEY ("requestedById") REFERENCES "User"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SloDefinition" ADD CONSTRAINT "SloDefinition_interfaceId_fkey" FOREIGN KEY ("interfaceId") REFERENCES "Interface"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SloDefinition" ADD CONSTRAINT "SloDefinition_createdById_fkey" FOREIGN KEY ("createdById") REFERENCES "User"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AlertState" ADD CONSTRAINT "AlertState_sloId_fkey" FOREIGN KEY ("sloId") REFERENCES "SloDefinition"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "WebhookDelivery" ADD CONSTRAINT "WebhookDelivery_endpointId_fkey" FOREIGN KEY ("endpointId") REFERENCES "WebhookEndpoint"("id") ON DELETE CASCADE ON UPDATE CASCADE;

