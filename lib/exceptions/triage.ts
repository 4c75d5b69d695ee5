/**
 * Triage actions on exception cases. Each checks the actor's rights itself (the server
 * actions also call requireAction first: defence in depth), changes the case and writes
 * the audit entry in the same transaction, so an action without its audit row cannot exist.
 * Finance may triage money-side entities only (canTriageEntity).
 */
import { prisma } from '@/lib/db/client';
import type { Prisma } from '@/lib/db/generated/client';
import type { Role } from '@/lib/db/generated/enums';
import { RequestError } from '@/lib/api/errors';
import { writeAudit } from '@/lib/audit/log';
import { can, canTriageEntity } from '@/lib/auth/permissions';

export interface Actor {
  id: string;
  email: string;
  name: string;
  role: Role;
}

type Tx = Prisma.TransactionClient;

export const MAX_NOTE_LENGTH = 4000;
export const MAX_REASON_LENGTH = 1000;

export function assertMayTriage(actor: Actor, entityType: string): void {
  if (!can(actor.role, 'exceptions.triage')) throw new RequestError(403, 'forbidden', 'Your role may not triage exceptions');
  if (!canTriageEntity(actor.role, entityType)) throw new RequestError(403, 'forbidden', `Your role may not triage ${entityType} exceptions (finance triages money-side records only)`);
}

async function loadCase(tx: Tx, caseId: string) {
  const found = await tx.exceptionCase.findUnique({ where: { id: caseId } });
  if (!found) throw new RequestError(404, 'not_found', 'No such exception case');
  return found;
}

function audit(actor: Actor, action: string, caseId: string, before: unknown, after: unknown, ip: string | null, tx: Tx) {
  return writeAudit({ actorId: actor.id, actorLabel: actor.email, action, targetType: 'exception_case', targetId: caseId, before, after, ip }, tx);
}

async function validAssignee(tx: Tx, assigneeId: string | null, entityType: string): Promise<void> {
  if (assigneeId === null) return;
  const user = await tx.user.findUnique({ where: { id: assigneeId }, select: { role: true, disabled: true } });
  if (!user || user.disabled) throw new RequestError(400, 'invalid_assignee', 'The assignee does not exist or is disabled');
  if (!canTriageEntity(user.role, entityType)) throw new RequestError(400, 'invalid_assignee', `That user's role cannot work on ${entityType} exceptions`);
}

export async function assignCase(actor: Actor, caseId: string, assigneeId: string | null, ip: string | null = null): Promise<void> {
  const db = await prisma();
  await db.$transaction(async (tx) => {
    const found = await loadCase(tx, caseId);
    assertMayTriage(actor, found.entityType);
    await validAssignee(tx, assigneeId, found.entityType);
    await tx.exceptionCase.update({ where: { id: caseId }, data: { assigneeId } });
    await audit(actor, assigneeId ? 'exception.assign' : 'exception.unassign', caseId, { assigneeId: found.assigneeId }, { assigneeId }, ip, tx);
  });
}

/**
 * Assigns every unresolved case of a signature group the actor may triage. Cases of
 * entity types the actor may not touch are skipped (and counted), never changed.
 */
export async function assignSignatureGroup(actor: Actor, signatureHash: string, assigneeId: string | null, ip: string | null = null): Promise<{ assigned: number; skipped: number }> {
  if (!can(actor.role, 'exceptions.triage')) throw new RequestError(403, 'forbidden', 'Your role may not triage exceptions');
  const db = await prisma();
  return db.$transaction(async (tx) => {
    const cases = await tx.exceptionCase.findMany({ where: { signatureHash, state: { not: 'resolved' } }, select: { id: true, entityType: true, assigneeId: true } });
    if (cases.length === 0) throw new RequestError(404, 'not_found', 'No unresolved cases have this signature');
    const allowed = cases.filter((c) => canTriageEntity(actor.role, c.entityType));
    if (allowed.length === 0) throw new RequestError(403, 'forbidden', 'Your role may not triage any case in this group');
    for (const entityType of new Set(allowed.map((c) => c.entityType))) await validAssignee(tx, assigneeId, entityType);
    await tx.exceptionCase.updateMany({ where: { id: { in: allowed.map((c) => c.id) } }, data: { assigneeId } });
    await writeAudit(
      {
        actorId: actor.id,
        actorLabel: actor.email,
        action: 'exception.assign_group',
        targetType: 'exception_signature',
        targetId: signatureHash,
        before: { cases: allowed.map((c) => ({ id: c.id, assigneeId: c.assigneeId })) },
        after: { assigneeId, cases: allowed.length, skipped: cases.length - allowed.length },
        ip,
      },
      tx,
    );
    return { assigned: allowed.length, skipped: cases.length - allowed.length };
  });
}

export async function acknowledgeCase(actor: Actor, caseId: string, ip: string | null = null): Promise<void> {
  const db = await prisma();
  await db.$transaction(async (tx) => {
    const found = await loadCase(tx, caseId);
    assertMayTriage(actor, found.entityType);
    if (found.state !== 'open') throw new RequestError(409, 'invalid_state', `The case is ${found.state}; only open cases can be acknowledged`);
    const acknowledgedAt = new Date();
    await tx.exceptionCase.update({ where: { id: caseId }, data: { state: 'acknowledged', acknowledgedAt } });
    await audit(actor, 'exception.acknowledge', caseId, { state: found.state }, { state: 'acknowledged' }, ip, tx);
  });
}

export async function addCaseNote(actor: Actor, caseId: string, body: string, ip: string | null = null): Promise<string> {
  const text = body.trim();
  if (!text) throw new RequestError(400, 'invalid_note', 'Write something in the note');
  if (text.length > MAX_NOTE_LENGTH) throw new RequestError(400, 'invalid_note', `Notes are limited to ${MAX_NOTE_LENGTH} characters`);
  const db = await prisma();
  return db.$transaction(async (tx) => {
    const found = await loadCase(tx, caseId);
    assertMayTriage(actor, found.entityType);
    const note = await tx.exceptionNote.create({ data: { caseId, authorId: actor.id, body: text } });
    await audit(actor, 'exception.note', caseId, null, { noteId: note.id, body: text }, ip, tx);
    return note.id;
  });
}

export async function resolveCase(actor: Actor, caseId: string, reason: string, ip: string | null = null): Promise<void> {
  const text = reason.trim();
  if (!text) throw new RequestError(400, 'reason_required', 'Say why the case is resolved');
  if (text.length > MAX_REASON_LENGTH) throw new RequestError(400, 'reason_required', `Reasons are limited to ${MAX_REASON_LENGTH} characters`);
  const db = await prisma();
  await db.$transaction(async (tx) => {
    const found = await loadCase(tx, caseId);
    assertMayTriage(actor, found.entityType);
    if (found.state === 'resolved') throw new RequestError(409, 'invalid_state', 'The case is already resolved');
    await tx.exceptionCase.update({ where: { id: caseId }, data: { state: 'resolved', resolvedAt: new Date(), resolvedById: actor.id, resolutionReason: text } });
    await audit(actor, 'exception.resolve', caseId, { state: found.state }, { state: 'resolved', reason: text }, ip, tx);
  });
}

/** People a case can be assigned to: enabled users whose role can triage something. */
export async function triageAssignees(): Promise<{ id: string; name: string; email: string; role: Role }[]> {
  const db = await prisma();
  const users = await db.user.findMany({ where: { disabled: false }, select: { id: true, name: true, email: true, role: true }, orderBy: { name: 'asc' } });
  return users.filter((u) => can(u.role, 'exceptions.triage'));
}
