'use server';

import { requireAction, ForbiddenError } from '@/lib/auth/session';
import { verifyAuditChain, type VerifyResult } from '@/lib/audit/verify';

export interface VerifyState {
  result?: VerifyResult;
  message?: string;
}

export async function verifyAuditAction(_prev: VerifyState, _form: FormData): Promise<VerifyState> {
  try {
    await requireAction('audit.read');
  } catch (error) {
    if (error instanceof ForbiddenError) return { message: error.message };
    throw error;
  }
  return { result: await verifyAuditChain() };
}
