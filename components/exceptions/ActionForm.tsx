'use client';

import { useActionState, type ReactNode } from 'react';
import type { ActionState } from '@/app/operations/actions';

/** A triage form bound to a server action; shows the action's answer in a live region. */
export function ActionForm({
  action,
  hidden,
  submitLabel,
  children,
  secondary,
}: {
  action: (prev: ActionState, form: FormData) => Promise<ActionState>;
  hidden: Record<string, string>;
  submitLabel: string;
  children?: ReactNode;
  secondary?: boolean;
}) {
  const [state, formAction, pending] = useActionState(action, {});
  return (
    <form action={formAction} className="filters" style={{ marginBottom: '0.5rem' }}>
      {Object.entries(hidden).map(([name, value]) => (
        <input key={name} type="hidden" name={name} value={value} />
      ))}
      {children}
      <button type="submit" disabled={pending} className={secondary ? 'secondary' : undefined}>
        {pending ? 'Working…' : submitLabel}
      </button>
      <span role="status" className={state.ok === false ? 'error' : 'muted'}>
        {state.message}
      </span>
    </form>
  );
}
