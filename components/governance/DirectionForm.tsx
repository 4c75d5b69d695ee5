'use client';

import { useActionState } from 'react';
import { setDirectionAction } from '@/app/governance/actions';
import { describedBy, FieldError, FormMessage } from '@/components/governance/FormStatus';

const OPTIONS = [
  ['source_to_target', 'source → target'],
  ['target_to_source', 'target → source'],
  ['bidirectional', 'both ways'],
  ['forbidden', 'forbidden'],
  ['', 'no rule (remove)'],
] as const;

export function DirectionForm({ entityId, interfaces }: { entityId: string; interfaces: { id: string; key: string; name: string }[] }) {
  const [state, formAction, pending] = useActionState(setDirectionAction, {});
  return (
    <form action={formAction} className="filters" aria-label="Set sync direction">
      <input type="hidden" name="entityId" value={entityId} />
      <label>
        Interface
        <select name="interfaceId" required {...describedBy('interfaceId', state)}>
          <option value="">Choose…</option>
          {interfaces.map((i) => (
            <option key={i.id} value={i.id}>
              {i.key}
            </option>
          ))}
        </select>
        <FieldError name="interfaceId" state={state} />
      </label>
      <label>
        Direction
        <select name="direction" defaultValue="source_to_target">
          {OPTIONS.map(([value, label]) => (
            <option key={value} value={value}>
              {label}
            </option>
          ))}
        </select>
      </label>
      <button type="submit" disabled={pending}>
        Set direction
      </button>
      <FormMessage state={state} />
    </form>
  );
}
