'use client';

import { useActionState } from 'react';
import type { FormState } from '@/app/governance/actions';
import { describedBy, FieldError, FormMessage } from '@/components/governance/FormStatus';

type Action = (state: FormState, form: FormData) => Promise<FormState>;

export interface InterfaceFormDefaults {
  id?: string;
  key: string;
  name: string;
  description: string;
  sourceSystemId: string;
  targetSystemId: string;
  entityTypes: string[];
  syncClass: 'real_time' | 'near_real_time' | 'batch';
  ownerTeam: string;
  status: 'active' | 'blocked';
}

/** Adopt an unregistered interface or edit a registered one; the server action enforces 'registry.edit'. */
export function InterfaceForm({ action, systems, defaults, submitLabel, keyEditable }: { action: Action; systems: { id: string; key: string; name: string }[]; defaults: InterfaceFormDefaults; submitLabel: string; keyEditable: boolean }) {
  const [state, formAction, pending] = useActionState(action, {});
  return (
    <form action={formAction} className="stack" aria-label={submitLabel}>
      {defaults.id && <input type="hidden" name="id" value={defaults.id} />}
      <label>
        Key (as reported in traffic)
        <input name="key" defaultValue={defaults.key} readOnly={!keyEditable} required maxLength={128} {...describedBy('key', state)} />
        <FieldError name="key" state={state} />
      </label>
      <label>
        Name
        <input name="name" defaultValue={defaults.name} required maxLength={200} {...describedBy('name', state)} />
        <FieldError name="name" state={state} />
      </label>
      <label>
        Description
        <input name="description" defaultValue={defaults.description} maxLength={2000} />
      </label>
      <label>
        Source system
        <select name="sourceSystemId" defaultValue={defaults.sourceSystemId} required {...describedBy('sourceSystemId', state)}>
          <option value="">Choose…</option>
          {systems.map((s) => (
            <option key={s.id} value={s.id}>
              {s.key} — {s.name}
            </option>
          ))}
        </select>
        <FieldError name="sourceSystemId" state={state} />
      </label>
      <label>
        Target system
        <select name="targetSystemId" defaultValue={defaults.targetSystemId} required {...describedBy('targetSystemId', state)}>
          <option value="">Choose…</option>
          {systems.map((s) => (
            <option key={s.id} value={s.id}>
              {s.key} — {s.name}
            </option>
          ))}
        </select>
        <FieldError name="targetSystemId" state={state} />
      </label>
      <label>
        Entity types (Odoo models, comma-separated)
        <input name="entityTypes" defaultValue={defaults.entityTypes.join(', ')} required {...describedBy('entityTypes', state)} />
        <FieldError name="entityTypes" state={state} />
      </label>
      <label>
        Sync class
        <select name="syncClass" defaultValue={defaults.syncClass}>
          <option value="real_time">Real-time</option>
          <option value="near_real_time">Near-real-time</option>
          <option value="batch">Batch</option>
        </select>
      </label>
      <label>
        Owner team
        <input name="ownerTeam" defaultValue={defaults.ownerTeam} required maxLength={120} {...describedBy('ownerTeam', state)} />
        <FieldError name="ownerTeam" state={state} />
      </label>
      {defaults.id && (
        <label>
          Status
          <select name="status" defaultValue={defaults.status}>
            <option value="active">Active</option>
            <option value="blocked">Blocked (ingest rejects its events)</option>
          </select>
        </label>
      )}
      <FormMessage state={state} />
      <button type="submit" disabled={pending}>
        {pending ? 'Saving…' : submitLabel}
      </button>
    </form>
  );
}
