'use server';

import { revalidatePath } from 'next/cache';
import { headers } from 'next/headers';
import { requireAction, ForbiddenError } from '@/lib/auth/session';
import { RequestError } from '@/lib/api/errors';
import { acknowledgeCase, addCaseNote, assignCase, assignSignatureGroup, resolveCase } from '@/lib/exceptions/triage';
import { requestReplay } from '@/lib/exceptions/replay';

/**
 * Triage server actions. Each checks `exceptions.triage` first; the lib functions then
 * check the entity type for finance (canTriageEntity) and write the audit entry in the
 * same transaction as the change.
 */
export interface ActionState {
  ok?: boolean;
  message?: string;
}

async function clientIp(): Promise<string | null> {
  return (await headers()).get('x-forwarded-for');
}

function text(form: FormData, name: string): string {
  const value = form.get(name);
  return typeof value === 'string' ? value : '';
}

async function run(work: () => Promise<string>): Promise<ActionState> {
  try {
    const message = await work();
    revalidatePath('/operations/failures');
    revalidatePath('/operations/cases/[id]', 'page');
    return { ok: true, message };
  } catch (error) {
    if (error instanceof ForbiddenError || error instanceof RequestError) return { ok: false, message: error.message };
    throw error;
  }
}

export async function assignCaseAction(_prev: ActionState, form: FormData): Promise<ActionState> {
  return run(async () => {
    const viewer = await requireAction('exceptions.triage');
    const assignee = text(form, 'assigneeId') || null;
    await assignCase(viewer, text(form, 'caseId'), assignee, await clientIp());
    return assignee ? 'Assigned.' : 'Unassigned.';
  });
}

export async function assignGroupAction(_prev: ActionState, form: FormData): Promise<ActionState> {
  return run(async () => {
    const viewer = await requireAction('exceptions.triage');
    const result = await assignSignatureGroup(viewer, text(form, 'signatureHash'), text(form, 'assigneeId') || null, await clientIp());
    return `Assigned ${result.assigned} case${result.assigned === 1 ? '' : 's'}${result.skipped ? `; ${result.skipped} outside your role were left as they were` : ''}.`;
  });
}

export async function acknowledgeAction(_prev: ActionState, form: FormData): Promise<ActionState> {
  return run(async () => {
    const viewer = await requireAction('exceptions.triage');
    await acknowledgeCase(viewer, text(form, 'caseId'), await clientIp());
    return 'Acknowledged.';
  });
}

export async function noteAction(_prev: ActionState, form: FormData): Promise<ActionState> {
  return run(async () => {
    const viewer = await requireAction('exceptions.triage');
    await addCaseNote(viewer, text(form, 'caseId'), text(form, 'body'), await clientIp());
    return 'Note added.';
  });
}

export async function resolveAction(_prev: ActionState, form: FormData): Promise<ActionState> {
  return run(async () => {
    const viewer = await requireAction('exceptions.triage');
    await resolveCase(viewer, text(form, 'caseId'), text(form, 'reason'), await clientIp());
    return 'Resolved.';
  });
}

export async function replayAction(_prev: ActionState, form: FormData): Promise<ActionState> {
  return run(async () => {
    const viewer = await requireAction('exceptions.triage');
    const { replay, created } = await requestReplay(viewer, text(form, 'caseId'), await clientIp());
    if (!created) return `A replay of this failure was already requested (status ${replay.status}); nothing was sent again.`;
    if (replay.status === 'not_configured') return 'Replay recorded, but no replay webhook is configured (PLUMBLINE_REPLAY_WEBHOOK_URL), so nothing was sent.';
    return replay.status === 'sent' ? `Replay sent (HTTP ${replay.responseCode}).` : `Replay could not be delivered: ${replay.error ?? 'unknown error'}.`;
  });
}
