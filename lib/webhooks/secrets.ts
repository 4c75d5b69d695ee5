import crypto from 'node:crypto';
import { Prisma } from '@/lib/db/generated/client';
import { prisma } from '@/lib/db/client';
import { authSecret } from '@/lib/auth/secret';
import { writeAudit } from '@/lib/audit/log';
import { generateSigningSecret, maskSecret, secretHint } from '@/lib/webhooks/signing';

/**
 * Where webhook signing secrets live (the WebhookSecret table, one row per webhook: an endpoint
 * id, or REPLAY_WEBHOOK_ID). Plumbline has to recover a secret to sign with it, so a hash will
 * not do; it is stored AES-256-GCM encrypted (authenticated, so a tampered row fails to open
 * rather than signing with garbage) under a key derived by HKDF-SHA256 from the app secret
 * (NEXTAUTH_SECRET, or the one generated into the data dir: lib/auth/secret.ts). The key is
 * never stored in Postgres, so a database dump or backup alone does not yield the secrets; the
 * webhook id is bound in as associated data, so a ciphertext copied onto another webhook does
 * not open either. Changing NEXTAUTH_SECRET makes stored secrets unreadable: deliveries then
 * fail (never go out unsigned) until an admin rotates each secret.
 *
 * Plaintext leaves this module only from issueSecret (shown once to the admin who asked) and
 * signingSecrets (to sign a request); reads go through secretSummaries, which is masked.
 */
export const REPLAY_WEBHOOK_ID = 'replay';

type Tx = Prisma.TransactionClient;

const FORMAT = 'v1';
const KEY_SALT = 'plumbline.webhook-signing-secrets';
const KEY_INFO = 'aes-256-gcm/v1';

/** Derived per purpose, so the session-signing secret itself is never used as an AES key. */
function encryptionKey(): Buffer {
  return Buffer.from(crypto.hkdfSync('sha256', authSecret(), KEY_SALT, KEY_INFO, 32));
}

function associatedData(webhookId: string): Buffer {
  return Buffer.from(`webhook-secret:${webhookId}`, 'utf8');
}

export function encryptSecret(secret: string, webhookId: string): string {
  const iv = crypto.randomBytes(12);
  const cipher = crypto.createCipheriv('aes-256-gcm', encryptionKey(), iv);
  cipher.setAAD(associatedData(webhookId));
  const ciphertext = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
  return [FORMAT, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), ciphertext.toString('base64url')].join('.');
}

export class SigningSecretError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SigningSecretError';
  }
}

export function decryptSecret(stored: string, webhookId: string): string {
  const [format, iv, tag, ciphertext] = stored.split('.');
  if (format !== FORMAT || !iv || !tag || ciphertext === undefined) throw new SigningSecretError('stored signing secret has an unknown format');
  try {
    const decipher = crypto.createDecipheriv('aes-256-gcm', encryptionKey(), Buffer.from(iv, 'base64url'));
    decipher.setAAD(associatedData(webhookId));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8');
  } catch {
    throw new SigningSecretError('signing secret cannot be decrypted (was NEXTAUTH_SECRET changed?); rotate it in Admin → Webhooks');
  }
}

/** What reads may show of a secret: never the secret. */
export interface SecretSummary {
  /** e.g. `plws_…x7Qa` */
  masked: string;
  createdAt: Date;
  /** False when Plumbline generated it at a first delivery and no admin has seen it. */
  revealed: boolean;
  /** While set and in the future, the previous secret signs too. */
  previousExpiresAt: Date | null;
}

type SecretRow = { webhookId: string; hint: string; createdAt: Date; revealed: boolean; previousExpiresAt: Date | null };

function summary(row: SecretRow, now: Date): SecretSummary {
  return {
    masked: maskSecret(row.hint),
    createdAt: row.createdAt,
    revealed: row.revealed,
    previousExpiresAt: row.previousExpiresAt && row.previousExpiresAt > now ? row.previousExpiresAt : null,
  };
}

const SUMMARY_FIELDS = { webhookId: true, hint: true, createdAt: true, revealed: true, previousExpiresAt: true } as const;

export async function secretSummaries(webhookIds: string[], now: Date = new Date()): Promise<Map<string, SecretSummary>> {
  if (webhookIds.length === 0) return new Map();
  const db = await prisma();
  const rows = await db.webhookSecret.findMany({ where: { webhookId: { in: webhookIds } }, select: SUMMARY_FIELDS });
  return new Map(rows.map((r) => [r.webhookId, summary(r, now)]));
}

export interface IssuedSecret {
  /** The plaintext: for the admin's eyes once, never stored or logged as is. */
  secret: string;
  before: SecretSummary | null;
  after: SecretSummary;
}

/**
 * Creates or rotates a webhook's secret inside the caller's transaction (the caller audits it,
 * masked). With `overlapMs` the replaced secret keeps signing alongside the new one until then,
 * so a receiver can switch without rejecting a delivery.
 */
export async function issueSecret(tx: Tx, webhookId: string, options: { overlapMs?: number; now?: Date } = {}): Promise<IssuedSecret> {
  const now = options.now ?? new Date();
  const secret = generateSigningSecret();
  const existing = await tx.webhookSecret.findUnique({ where: { webhookId } });
  const keepPrevious = existing && (options.overlapMs ?? 0) > 0;
  const data = {
    ciphertext: encryptSecret(secret, webhookId),
    hint: secretHint(secret),
    revealed: true,
    createdAt: now,
    previousCiphertext: keepPrevious ? existing.ciphertext : null,
    previousExpiresAt: keepPrevious ? new Date(now.getTime() + options.overlapMs!) : null,
  };
  const row = await tx.webhookSecret.upsert({ where: { webhookId }, create: { webhookId, ...data }, update: data, select: SUMMARY_FIELDS });
  return { secret, before: existing ? summary(existing, now) : null, after: summary(row, now) };
}

export async function deleteSecret(tx: Tx, webhookId: string): Promise<void> {
  await tx.webhookSecret.deleteMany({ where: { webhookId } });
}

/**
 * The secrets that sign a request to this webhook now: the current one, then a rotated one
 * still in its overlap. A webhook without a secret (one created before signing existed, or the
 * replay webhook before an admin set one) gets one here, unrevealed and audited as Plumbline's
 * doing; the admin page tells admins to rotate it to learn it.
 */
export async function signingSecrets(webhookId: string, now: Date = new Date()): Promise<string[]> {
  const db = await prisma();
  let row = await db.webhookSecret.findUnique({ where: { webhookId } });
  if (!row) {
    try {
      row = await db.$transaction(async (tx) => {
        const secret = generateSigningSecret();
        const created = await tx.webhookSecret.create({ data: { webhookId, ciphertext: encryptSecret(secret, webhookId), hint: secretHint(secret), revealed: false } });
        await writeAudit(
          {
            actorId: null,
            actorLabel: 'plumbline',
            action: 'webhook.secret_generated',
            targetType: webhookId === REPLAY_WEBHOOK_ID ? 'replay_webhook' : 'webhook_endpoint',
            targetId: webhookId,
            after: { secret: maskSecret(created.hint), reason: 'first signed delivery' },
          },
          tx,
        );
        return created;
      });
    } catch (error) {
      // Another sender created it first: sign with theirs.
      if (!(error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002')) throw error;
      row = await db.webhookSecret.findUniqueOrThrow({ where: { webhookId } });
    }
  }
  const secrets = [decryptSecret(row.ciphertext, webhookId)];
  if (row.previousCiphertext && row.previousExpiresAt && row.previousExpiresAt > now) secrets.push(decryptSecret(row.previousCiphertext, webhookId));
  return secrets;
}
