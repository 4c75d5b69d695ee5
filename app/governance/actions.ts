'use server';

import { revalidatePath } from 'next/cache';
import { redirect } from 'next/navigation';
import { headers } from 'next/headers';
import { ForbiddenError, requireAction } from '@/lib/auth/session';
import { RequestError } from '@/lib/api/errors';
import { adoptInterface, InterfaceFormError, setUnregisteredBlocked, updateInterface, type InterfaceInput } from '@/lib/governance/catalog';
import { createEntity, EntityFormError, setDirection, SYNC_DIRECTIONS, updateEntity, type EntityInput } from '@/lib/governance/registry';
import { castVote } from '@/lib/governance/approvals';
import { MAX_SCHEMA_BYTES, ProposalError, proposeSchemaVersion } from '@/lib/governance/proposals';

export interface FormState {
  errors?: Record<string, string>;
  message?: string;
  ok?: boolean;
}

async function clientIp(): Promise<string | null> {
  return (await headers()).get('x-forwarded-for');
}

function failure(error: unknown): FormState {
  if (error instanceof InterfaceFormError || error instanceof EntityFormError || error instanceof ProposalError) return { errors: error.fieldErrors, message: 'Please correct the highlighted fields.' };
  if (error instanceof ForbiddenError || error instanceof RequestError) return { message: error.message };
  throw error;
}

const text = (form: FormData, name: string) => String(form.get(name) ?? '');
const list = (form: FormData, name: string) =>
  text(form, name)
    .split(/[\s,]+/)
    .map((v) => v.trim())
    .filter(Boolean);

function interfaceInput(form: FormData): InterfaceInput {
  const syncClass = text(form, 'syncClass');
  return {
    key: text(form, 'key'),
    name: text(form, 'name'),
    description: text(form, 'description'),
    sourceSystemId: text(form, 'sourceSystemId'),
    targetSystemId: text(form, 'targetSystemId'),
    entityTypes: list(form, 'entityTypes'),
    syncClass: syncClass === 'real_time' || syncClass === 'near_real_time' ? syncClass : 'batch',
    ownerTeam: text(form, 'ownerTeam'),
    status: text(form, 'status') === 'blocked' ? 'blocked' : 'active',
  };
}

export async function adoptInterfaceAction(_prev: FormState, form: FormData): Promise<FormState> {
  let id: string;
  try {
    const viewer = await requireAction('registry.edit');
    id = await adoptInterface(viewer, interfaceInput(form), await clientIp());
  } catch (error) {
    return failure(error);
  }
  revalidatePath('/governance/interfaces');
  redirect(`/governance/interfaces/${id}`);
}

export async function updateInterfaceAction(_prev: FormState, form: FormData): Promise<FormState> {
  const id = text(form, 'id');
  try {
    const viewer = await requireAction('registry.edit');
    await updateInterface(viewer, id, interfaceInput(form), await clientIp());
  } catch (error) {
    return failure(error);
  }
  revalidatePath('/governance/interfaces');
  revalidatePath(`/governance/interfaces/${id}`);
  return { ok: true, message: 'Saved.' };
}

export async function blockInterfaceAction(_prev: FormState, form: FormData): Promise<FormState> {
  try {
    const viewer = await requireAction('registry.edit');
    const blocked = text(form, 'blocked') === 'true';
    await setUnregisteredBlocked(viewer, text(form, 'key'), blocked, await clientIp());
    revalidatePath('/governance/interfaces');
    return { ok: true, message: blocked ? 'Blocked: ingest rejects its events.' : 'Unblocked.' };
  } catch (error) {
    return failure(error);
  }
}

function entityInput(form: FormData): EntityInput {
  return {
    key: text(form, 'key'),
    name: text(form, 'name'),
    odooModel: text(form, 'odooModel'),
    description: text(form, 'description'),
    systemOfRecordId: text(form, 'systemOfRecordId') || null,
    stewardId: text(form, 'stewardId') || null,
    writerSystemIds: form.getAll('writerSystemIds').map(String),
  };
}

export async function createEntityAction(_prev: FormState, form: FormData): Promise<FormState> {
  let id: string;
  try {
    const viewer = await requireAction('registry.edit');
    id = await createEntity(viewer, entityInput(form), await clientIp());
  } catch (error) {
    return failure(error);
  }
  revalidatePath('/governance/ownership');
  redirect(`/governance/ownership/${id}`);
}

export async function updateEntityAction(_prev: FormState, form: FormData): Promise<FormState> {
  const id = text(form, 'id');
  try {
    const viewer = await requireAction('registry.edit');
    await updateEntity(viewer, id, entityInput(form), await clientIp());
  } catch (error) {
    return failure(error);
  }
  revalidatePath('/governance/ownership');
  revalidatePath(`/governance/ownership/${id}`);
  return { ok: true, message: 'Saved.' };
}

export async function setDirectionAction(_prev: FormState, form: FormData): Promise<FormState> {
  const entityId = text(form, 'entityId');
  try {
    const viewer = await requireAction('registry.edit');
    const raw = text(form, 'direction');
    const direction = SYNC_DIRECTIONS.find((d) => d === raw) ?? null;
    if (raw !== '' && direction === null) return { message: 'Unknown direction.' };
    const interfaceId = text(form, 'interfaceId');
    if (!interfaceId) return { errors: { interfaceId: 'Choose an interface' } };
    await setDirection(viewer, entityId, interfaceId, direction, await clientIp());
  } catch (error) {
    return failure(error);
  }
  revalidatePath('/governance/ownership');
  revalidatePath(`/governance/ownership/${entityId}`);
  return { ok: true, message: 'Direction saved.' };
}

export async function proposeSchemaAction(_prev: FormState, form: FormData): Promise<FormState> {
  let id: string;
  try {
    const viewer = await requireAction('schema.propose');
    const file = form.get('file');
    if (file instanceof File && file.size > MAX_SCHEMA_BYTES) return { errors: { schemaText: 'Schemas are limited to 512 KiB.' } };
    const schemaText = file instanceof File && file.size > 0 ? await file.text() : text(form, 'schemaText');
    id = await proposeSchemaVersion(viewer, { interfaceKey: text(form, 'interfaceKey'), version: text(form, 'version'), schemaText, migrationPlan: text(form, 'migrationPlan') }, await clientIp());
  } catch (error) {
    return failure(error);
  }
  revalidatePath('/governance/schema-changes');
  redirect(`/governance/schema-changes/${id}`);
}

export async function voteAction(_prev: FormState, form: FormData): Promise<FormState> {
  const id = text(form, 'id');
  try {
    const viewer = await requireAction('schema.vote');
    const decision = text(form, 'decision') === 'reject' ? 'reject' : 'approve';
    const result = await castVote(viewer, id, decision, text(form, 'comment'), await clientIp());
    revalidatePath('/governance/schema-changes');
    revalidatePath(`/governance/schema-changes/${id}`);
    revalidatePath('/governance/interfaces');
    const summary = `${result.approvals} of ${result.requiredApprovals} approvals`;
    return { ok: true, message: result.outcome === 'activate' ? `Approved (${summary}): this version is now active.` : result.outcome === 'reject' ? 'Rejected by quorum.' : `Vote recorded (${summary}).` };
  } catch (error) {
    return failure(error);
  }
}
