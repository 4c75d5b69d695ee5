import { z } from 'zod';
import { prisma } from '@/lib/db/client';
import { writeAudit } from '@/lib/audit/log';
import type { Viewer } from '@/lib/auth/session';
import { AdminFormError } from '@/lib/admin/errors';

/** Webhook endpoints as administrators manage them; delivery itself is lib/webhooks/delivery.ts. */
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

export async function listEndpoints() {
  const db = await prisma();
  const rows = await db.webhookEndpoint.findMany({ orderBy: { name: 'asc' }, include: { _count: { select: { deliveries: true } } } });
  return rows.map((e) => ({ id: e.id, name: e.name, url: e.url, events: e.events, enabled: e.enabled, createdAt: e.createdAt, deliveries: e._count.deliveries }));
}

export async function createEndpoint(actor: Viewer, input: EndpointInput, ip: string | null): Promise<string> {
  const data = parse(input);
  const db = await prisma();
  return db.$transaction(async (tx) => {
    const row = await tx.webhookEndpoint.create({ data });
    await writeAudit({ actorId: actor.id, actorLabel: actor.email, action: 'webhook.created', targetType: 'webhook_endpoint', targetId: row.id, after: data, ip }, tx);
    return row.id;
  });
}

export async function updateEndpoint(actor: Viewer, id: string, input: EndpointInput, ip: string | null): Promise<void> {
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
  const db = await prisma();
  await db.$transaction(async (tx) => {
    const before = await tx.webhookEndpoint.findUniqueOrThrow({ where: { id } });
    await tx.webhookEndpoint.delete({ where: { id } });
    await writeAudit(
      { actorId: actor.id, actorLabel: actor.email, action: 'webhook.deleted', targetType: 'webhook_endpoint', targetId: id, before: { name: before.name, url: before.url, events: before.events }, ip },
      tx,
    );
  });
}
