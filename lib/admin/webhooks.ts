import { z } from 'zod';
import { prisma } from '@/lib/db/client';
import { writeAudit } from '@/lib/audit/log';
import { env } from '@/lib/config/env';
import type { Viewer } from '@/lib/auth/session';
import { can } from '@/lib/auth/permissions';
import { RequestError } from '@/lib/api/errors';
import { AdminFormError } from '@/lib/admin/errors';
import { deleteSecret, issueSecret, REPLAY_WEBHOOK_ID, secretSummaries, type SecretSummary } from '@/lib/webhooks/secrets';

/**
 * Webhook endpoints as administrators manage them; delivery itself is lib/webhooks/delivery.ts.
 * Each webhook (every endpoint, and the replay webhook configured by PLUMBLINE_REPLAY_WEBHOOK_URL)
 * has a signing secret (lib/webhooks/secrets.ts): its plaintext is returned once, by the create
 * or rotate call that made it, and every read shows it masked. Creating and rotating a secret
 * are audited with the masked form only.
 */
export const DEFAULT_SECRET_OVERLAP_HOURS = 24;
const MAX_SECRET_OVERLAP_HOURS = 24 * 30;

/** A freshly issued signing secret, for the admin's eyes once. */
export interface IssuedWebhookSecret {
  webhookId: string;
  secret: string;
  masked: string;
}

/** These functions hand out secrets: they check the capability themselves too, not only their callers. */
function assertAdmin(actor: Viewer): void {
  if (!can(actor.role, 'admin.manage')) throw new RequestError(403, 'forbidden', 'Your role may not manage webhooks (admin.manage)');
}

function overlapMs(hours: number): number {
  if (!Number.isFinite(hours) || hours < 0 || hours > MAX_SECRET_OVERLAP_HOURS) throw new AdminFormError({ overlapHours: `Overlap must be between 0 and ${MAX_SECRET_OVERLAP_HOURS} hours` });
  return hours * 3_600_000;
}

export interface EndpointInput {
  name: string;
  url: string;
  events: string;
  enabled: boolean;
}

const endpointSchema = z.object({
  name: z.string().trim().min(1, 'Name the endpoint').max(200),
  url: z
    .url('Enter an http(s) URL')
    .refine((u) => /^https?:\/\//i.test(u), 'Only http and https URLs are allowed'),
  events: z
    .string()
    .transform((s) => [...new Set(s.split(/[\s,]+/).map((e) => e.trim()).filter(Boolean))])
    .pipe(z.array(z.string().regex(/^[a-z0-9_.*-]+$/i, 'Event names are words separated by dots')).min(1, 'Subscribe to at least one event')),
  enabled: z.boolean(),
});

function parse(input: EndpointInput) {
  const parsed = endpointSchema.safeParse(input);
  if (!parsed.success) throw new AdminFormError(Object.fromEntries(parsed.error.issues.map((i) => [String(i.path[0]), i.message])));
  return parsed.data;
}

export interface EndpointRow {
  id: string;
  name: string;
  url: string;
  events: string[];
  enabled: boolean;
  createdAt: Date;
  deliveries: number;
  /** Masked; null until the first delivery or an admin's rotation gives it one. */
  secret: SecretSummary | null;
}

export async function listEndpoints(): Promise<EndpointRow[]> {
  const db = await prisma();
  const rows = await db.webhookEndpoint.findMany({ orderBy: { name: 'asc' }, include: { _count: { select: { deliveries: true } } } });
  const secrets = await secretSummaries(rows.map((e) => e.id));
  return rows.map((e) => ({ id: e.id, name: e.name, url: e.url, events: e.events, enabled: e.enabled, createdAt: e.createdAt, deliveries: e._count.deliveries, secret: secrets.get(e.id) ?? null }));
}

/** Creates the endpoint with its signing secret; the secret is in the result and nowhere readable afterwards. */
export async function createEndpoint(actor: Viewer, input: EndpointInput, ip: string | null): Promise<IssuedWebhookSecret> {
  assertAdmin(actor);
  const data = parse(input);
  const db = await prisma();
  return db.$transaction(async (tx) => {
    const row = await tx.webhookEndpoint.create({ data });
    const issued = await issueSecret(tx, row.id);
    await writeAudit({ actorId: actor.id, actorLabel: actor.email, action: 'webhook.created', targetType: 'webhook_endpoint', targetId: row.id, after: { ...data, secret: issued.after.masked }, ip }, tx);
    return { webhookId: row.id, secret: issued.secret, masked: issued.after.masked };
  });
}

/**
 * A new signing secret for an endpoint, returned once. With `overlapHours` > 0 the old secret
 * keeps signing beside it (a second v1) until then, so the receiver can switch at leisure.
 */
export async function rotateEndpointSecret(actor: Viewer, id: string, overlapHours: number, ip: string | null): Promise<IssuedWebhookSecret> {
  assertAdmin(actor);
  const overlap = overlapMs(overlapHours);
  const db = await prisma();
  return db.$transaction(async (tx) => {
    const endpoint = await tx.webhookEndpoint.findUnique({ where: { id }, select: { id: true } });
    if (!endpoint) throw new AdminFormError({ id: 'Unknown endpoint' });
    return rotateInTx(tx, actor, id, 'webhook_endpoint', overlap, ip);
  });
}

/** The replay webhook (PLUMBLINE_REPLAY_WEBHOOK_URL): where it points and its masked secret. */
export async function replayWebhook(): Promise<{ url: string | null; secret: SecretSummary | null }> {
  const secrets = await secretSummaries([REPLAY_WEBHOOK_ID]);
  return { url: env().PLUMBLINE_REPLAY_WEBHOOK_URL ?? null, secret: secrets.get(REPLAY_WEBHOOK_ID) ?? null };
}

/** Creates or rotates the replay webhook's signing secret, returned once (works before the URL is set). */
export async function rotateReplaySecret(actor: Viewer, overlapHours: number, ip: string | null): Promise<IssuedWebhookSecret> {
  assertAdmin(actor);
  const overlap = overlapMs(overlapHours);
  const db = await prisma();
  return db.$transaction((tx) => rotateInTx(tx, actor, REPLAY_WEBHOOK_ID, 'replay_webhook', overlap, ip));
}

async function rotateInTx(tx: Parameters<typeof issueSecret>[0], actor: Viewer, webhookId: string, targetType: string, overlap: number, ip: string | null): Promise<IssuedWebhookSecret> {
  const issued = await issueSecret(tx, webhookId, { overlapMs: overlap });
  await writeAudit(
    {
      actorId: actor.id,
      actorLabel: actor.email,
      action: issued.before ? 'webhook.secret_rotated' : 'webhook.secret_created',
      targetType,
      targetId: webhookId,
      before: issued.before ? { secret: issued.before.masked } : null,
      after: { secret: issued.after.masked, previousSecretValidUntil: issued.after.previousExpiresAt },
      ip,
    },
    tx,
  );
  return { webhookId, secret: issued.secret, masked: issued.after.masked };
}

export async function updateEndpoint(actor: Viewer, id: string, input: EndpointInput, ip: string | null): Promise<void> {
  assertAdmin(actor);
  const data = parse(input);
  const db = await prisma();
  await db.$transaction(async (tx) => {
    const before = await tx.webhookEndpoint.findUniqueOrThrow({ where: { id } });
    await tx.webhookEndpoint.update({ where: { id }, data });
    await writeAudit(
      {
        actorId: actor.id,
        actorLabel: actor.email,
        action: 'webhook.updated',
        targetType: 'webhook_endpoint',
        targetId: id,
        before: { name: before.name, url: before.url, events: before.events, enabled: before.enabled },
        after: data,
        ip,
      },
      tx,
    );
  });
}

export async function deleteEndpoint(actor: Viewer, id: string, ip: string | null): Promise<void> {
  assertAdmin(actor);
  const db = await prisma();
  await db.$transaction(async (tx) => {
    const before = await tx.webhookEndpoint.findUniqueOrThrow({ where: { id } });
    await tx.webhookEndpoint.delete({ where: { id } });
    await deleteSecret(tx, id);
    await writeAudit(
      { actorId: actor.id, actorLabel: actor.email, action: 'webhook.deleted', targetType: 'webhook_endpoint', targetId: id, before: { name: before.name, url: before.url, events: before.events }, ip },
      tx,
    );
  });
}
