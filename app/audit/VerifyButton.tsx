'use client';

import { useActionState } from 'react';
import { verifyAuditAction, type VerifyState } from '@/app/audit/actions';

export function VerifyButton() {
  const [state, action, pending] = useActionState<VerifyState, FormData>(verifyAuditAction, {});
  const result = state.result;
  return (
    <form action={action} className="stack">
      <button type="submit" disabled={pending}>
        {pending ? 'Verifying…' : 'Verify the hash chain'}
      </button>
      {state.message && (
        <p role="alert" className="error">
          {state.message}
        </p>
      )}
      {result?.ok && (
        <p role="status">
          <span className="badge good">Intact</span> {result.checked} entries verified.
        </p>
      )}
      {result && !result.ok && result.firstBroken && (
        <p role="alert">
          <span className="badge bad">Broken</span> First broken link: entry {result.firstBroken.id} ({result.firstBroken.reason}). {result.firstBroken.message}. {result.checked}{' '}
          entries before it are intact.
        </p>
      )}
    </form>
  );
}
