-- Signing secrets of outgoing webhooks (HMAC-SHA256, lib/webhooks/secrets.ts), one row per
-- webhook: a WebhookEndpoint id, or 'replay' for PLUMBLINE_REPLAY_WEBHOOK_URL. The secret is
-- stored AES-256-GCM encrypted with a key derived from the app secret (NEXTAUTH_SECRET or the
-- generated one in the data dir), which this SQL cannot see, so existing webhooks get no row
-- here: each gets its secret at its first delivery after this migration (revealed = false),
-- and an admin rotates it to learn it (Admin → Webhooks says so). Receivers that do not verify
-- yet keep working unchanged; none can verify before an admin has been shown a secret.
CREATE TABLE "WebhookSecret" (
    "webhookId" TEXT NOT NULL,
    "ciphertext" TEXT NOT NULL,
    "hint" TEXT NOT NULL,
    "revealed" BOOLEAN NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "previousCiphertext" TEXT,
    "previousExpiresAt" TIMESTAMP(3),

    CONSTRAINT "WebhookSecret_pkey" PRIMARY KEY ("webhookId")
);
