'use server';

import { revalidatePath } from 'next/cache';
import { ForbiddenError, requireAction } from '@/lib/auth/session';
import { clientIp } from '@/lib/auth/client-ip';
import { AdminFormError } from '@/lib/admin/errors';
import { changeRole, createUser, setUserDisabled } from '@/lib/admin/users';
import { createKeyForInterface, DEFAULT_ROTATION_OVERLAP_HOURS, revokeKey, rotateKey } from '@/lib/admin/ingest-keys';
import { createEndpoint, DEFAULT_SECRET_OVERLAP_HOURS, deleteEndpoint, rotateEndpointSecret, rotateReplaySecret, updateEndpoint, type EndpointInput } from '@/lib/admin/webhooks';
import { saveRetention } from '@/lib/admin/retention';

export interface AdminFormState {
  ok?: boolean;
  message?: string;
  errors?: Record<string, string>;
  /** A freshly issued ingest key: shown once, never stored in plaintext. */
  issuedKey?: { id: string; key: string; prefix: string };
  /** A freshly issued webhook signing secret: shown once, stored only encrypted. */
  issuedSecret?: { webhookId: string; secret: string; masked: string };
}

const text = (form: FormData, name: string) => String(form.get(name) ?? '').trim();

function failure(error: unknown): AdminFormState {
  if (error instanceof AdminFormError) return { errors: error.fieldErrors, message: error.message };
  if (error instanceof ForbiddenError) return { message: error.message };
  throw error;
}

export async function createUserAction(_prev: AdminFormState, form: FormData): Promise<AdminFormState> {
  try {
    const viewer = await requireAction('admin.manage');
    await createUser(viewer, { email: text(form, 'email'), name: text(form, 'name'), role: text(form, 'role'), password: String(form.get('password') ?? '') }, await clientIp());
  } catch (error) {
    return failure(error);
  }
  revalidatePath('/admin');
  return { ok: true, message: 'User created' };
}

export async function changeRoleAction(_prev: AdminFormState, form: FormData): Promise<AdminFormState> {
  try {
    const viewer = await requireAction('admin.manage');
    await changeRole(viewer, text(form, 'userId'), text(form, 'role'), await clientIp());
  } catch (error) {
    return failure(error);
  }
  revalidatePath('/admin');
  return { ok: true, message: 'Role changed' };
}

export async function setDisabledAction(_prev: AdminFormState, form: FormData): Promise<AdminFormState> {
  try {
    const viewer = await requireAction('admin.manage');
    await setUserDisabled(viewer, text(form, 'userId'), text(form, 'disabled') === 'true', await clientIp());
  } catch (error) {
    return failure(error);
  }
  revalidatePath('/admin');
  return { ok: true, message: 'Saved' };
}

export async function createKeyAction(_prev: AdminFormState, form: FormData): Promise<AdminFormState> {
  try {
    const viewer = await requireAction('admin.manage');
    const created = await createKeyForInterface(viewer, { name: text(form, 'name'), interfaceId: text(form, 'interfaceId') }, await clientIp());
    revalidatePath('/admin/keys');
    return { ok: true, issuedKey: created, message: 'Key created' };
  } catch (error) {
    return failure(error);
  }
}

export async function rotateKeyAction(_prev: AdminFormState, form: FormData): Promise<AdminFormState> {
  try {
    const viewer = await requireAction('admin.manage');
    const hours = text(form, 'overlapHours');
    const created = await rotateKey(viewer, text(form, 'keyId'), hours ? Number(hours) : DEFAULT_ROTATION_OVERLAP_HOURS, await clientIp());
    revalidatePath('/admin/keys');
    return { ok: true, issuedKey: created, message: 'Key rotated' };
  } catch (error) {
    return failure(error);
  }
}

export async function revokeKeyAction(_prev: AdminFormState, form: FormData): Promise<AdminFormState> {
  try {
    const viewer = await requireAction('admin.manage');
    await revokeKey(viewer, text(form, 'keyId'), await clientIp());
  } catch (error) {
    return failure(error);
  }
  revalidatePath('/admin/keys');
  return { ok: true, message: 'Key revoked' };
}

function endpointInput(form: FormData): EndpointInput {
  return { name: text(form, 'name'), url: text(form, 'url'), events: text(form, 'events'), enabled: form.get('enabled') === 'on' };
}

export async function createEndpointAction(_prev: AdminFormState, form: FormData): Promise<AdminFormState> {
  try {
    const viewer = await requireAction('admin.manage');
    const issued = await createEndpoint(viewer, endpointInput(form), await clientIp());
    revalidatePath('/admin/webhooks');
    return { ok: true, issuedSecret: issued, message: 'Endpoint added' };
  } catch (error) {
    return failure(error);
  }
}

function overlapHours(form: FormData): number {
  const hours = text(form, 'overlapHours');
  return hours ? Number(hours) : DEFAULT_SECRET_OVERLAP_HOURS;
}

export async function rotateEndpointSecretAction(_prev: AdminFormState, form: FormData): Promise<AdminFormState> {
  try {
    const viewer = await requireAction('admin.manage');
    const issued = await rotateEndpointSecret(viewer, text(form, 'id'), overlapHours(form), await clientIp());
    revalidatePath('/admin/webhooks');
    return { ok: true, issuedSecret: issued, message: 'Signing secret rotated' };
  } catch (error) {
    return failure(error);
  }
}

export async function rotateReplaySecretAction(_prev: AdminFormState, form: FormData): Promise<AdminFormState> {
  try {
    const viewer = await requireAction('admin.manage');
    const issued = await rotateReplaySecret(viewer, overlapHours(form), await clientIp());
    revalidatePath('/admin/webhooks');
    return { ok: true, issuedSecret: issued, message: 'Replay signing secret rotated' };
  } catch (error) {
    return failure(error);
  }
}

export async function updateEndpointAction(_prev: AdminFormState, form: FormData): Promise<AdminFormState> {
  try {
    const viewer = await requireAction('admin.manage');
    await updateEndpoint(viewer, text(form, 'id'), endpointInput(form), await clientIp());
  } catch (error) {
    return failure(error);
  }
  revalidatePath('/admin/webhooks');
  return { ok: true, message: 'Endpoint saved' };
}

export async function deleteEndpointAction(_prev: AdminFormState, form: FormData): Promise<AdminFormState> {
  try {
    const viewer = await requireAction('admin.manage');
    await deleteEndpoint(viewer, text(form, 'id'), await clientIp());
  } catch (error) {
    return failure(error);
  }
  revalidatePath('/admin/webhooks');
  return { ok: true, message: 'Endpoint deleted' };
}

export async function saveRetentionAction(_prev: AdminFormState, form: FormData): Promise<AdminFormState> {
  try {
    const viewer = await requireAction('admin.manage');
    const values: Record<string, string> = {};
    for (const [key, value] of form.entries()) if (key.startsWith('retention.')) values[key] = String(value);
    await saveRetention(viewer, values, await clientIp());
  } catch (error) {
    return failure(error);
  }
  revalidatePath('/admin/settings');
  return { ok: true, message: 'Retention saved' };
}
