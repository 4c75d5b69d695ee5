'use server';

import { revalidatePath } from 'next/cache';
import { redirect } from 'next/navigation';
import { headers } from 'next/headers';
import { requireAction, ForbiddenError } from '@/lib/auth/session';
import { RequestError } from '@/lib/api/errors';
import { createSlo, deleteSlo, updateSlo, upsertSlos } from '@/lib/slo/definitions';
import { parseSloForm } from '@/lib/slo/form';
import { importOpenSlo, OpenSloError } from '@/lib/slo/openslo';

export interface FormState {
  errors?: Record<string, string>;
  message?: string;
}

async function clientIp(): Promise<string | null> {
  return (await headers()).get('x-forwarded-for');
}

function failure(error: unknown): FormState {
  if (error instanceof ForbiddenError || error instanceof RequestError) return { message: error.message };
  if (error instanceof OpenSloError) return { message: error.problems.join('\n') };
  throw error;
}

export async function createSloAction(_prev: FormState, form: FormData): Promise<FormState> {
  let id: string;
  try {
    const viewer = await requireAction('slo.manage');
    const parsed = parseSloForm(form);
    if (!parsed.ok) return { errors: parsed.errors };
    id = await createSlo(viewer, parsed.input, await clientIp());
  } catch (error) {
    return failure(error);
  }
  revalidatePath('/slo');
  redirect(`/slo/${id}`);
}

export async function updateSloAction(_prev: FormState, form: FormData): Promise<FormState> {
  const id = String(form.get('id') ?? '');
  try {
    const viewer = await requireAction('slo.manage');
    const parsed = parseSloForm(form);
    if (!parsed.ok) return { errors: parsed.errors };
    await updateSlo(viewer, id, parsed.input, await clientIp());
  } catch (error) {
    return failure(error);
  }
  revalidatePath('/slo');
  revalidatePath(`/slo/${id}`);
  return { message: 'Saved.' };
}

export async function deleteSloAction(_prev: FormState, form: FormData): Promise<FormState> {
  const id = String(form.get('id') ?? '');
  try {
    const viewer = await requireAction('slo.manage');
    await deleteSlo(viewer, id, await clientIp());
  } catch (error) {
    return failure(error);
  }
  revalidatePath('/slo');
  redirect('/slo');
}

export async function importOpenSloAction(_prev: FormState, form: FormData): Promise<FormState> {
  try {
    const viewer = await requireAction('slo.manage');
    const file = form.get('file');
    const pasted = String(form.get('yaml') ?? '');
    const text = file instanceof File && file.size > 0 ? await file.text() : pasted;
    if (!text.trim()) return { message: 'Choose an OpenSLO YAML file or paste its content.' };
    if (text.length > 1024 * 1024) return { message: 'OpenSLO files are limited to 1 MiB.' };
    const result = await upsertSlos(viewer, importOpenSlo(text), await clientIp());
    revalidatePath('/slo');
    return { message: `Imported: ${result.created} created, ${result.updated} updated.` };
  } catch (error) {
    return failure(error);
  }
}
