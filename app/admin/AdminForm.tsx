'use client';

import { useActionState, type ReactNode } from 'react';
import type { AdminFormState } from '@/app/admin/actions';

type Action = (prev: AdminFormState, form: FormData) => Promise<AdminFormState>;

/**
 * One form around an admin server action: shows the outcome, field errors and, after
 * creating or rotating an ingest key or a webhook signing secret, the key or secret itself — once.
 */
export function AdminForm({ action, submit, children, className, confirm }: { action: Action; submit: string; children?: ReactNode; className?: string; confirm?: string }) {
  const [state, formAction, pending] = useActionState<AdminFormState, FormData>(action, {});
  return (
    <form
      action={formAction}
      className={className ?? 'stack'}
      onSubmit={(event) => {
        if (confirm && !window.confirm(confirm)) event.preventDefault();
      }}
    >
      {children}
      <button type="submit" disabled={pending}>
        {pending ? 'Working…' : submit}
      </button>
      {state.errors && (
        <ul role="alert" className="error">
          {Object.entries(state.errors).map(([field, message]) => (
            <li key={field}>{message}</li>
          ))}
        </ul>
      )}
      {!state.errors && state.message && !state.ok && (
        <p role="alert" className="error">
          {state.message}
        </p>
      )}
      {state.ok && !state.issuedKey && !state.issuedSecret && <p role="status">{state.message}</p>}
      {state.issuedKey && (
        <div role="status" className="card">
          <p>
            <strong>Copy this key now — it will not be shown again.</strong>
          </p>
          <code data-testid="issued-key">{state.issuedKey.key}</code>
        </div>
      )}
      {state.issuedSecret && (
        <div role="status" className="card">
          <p>
            {state.message}. <strong>Copy this signing secret now — it will not be shown again.</strong> Give it to the receiver to verify the{' '}
            <code>Plumbline-Signature</code> header.
          </p>
          <code data-testid="issued-secret">{state.issuedSecret.secret}</code>
        </div>
      )}
    </form>
  );
}
