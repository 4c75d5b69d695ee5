'use client';

import { useActionState } from 'react';
import type { FormState } from '@/app/governance/actions';
import { describedBy, FieldError, FormMessage } from '@/components/governance/FormStatus';

type Action = (state: FormState, form: FormData) => Promise<FormState>;

export interface EntityFormDefaults {
  id?: string;
  key: string;
  name: string;
  odooModel: string;
  description: string;
  systemOfRecordId: string;
  stewardId: string;
  writerSystemIds: string[];
}

/** Create or edit a business entity's ownership; the server action enforces 'registry.edit' and audits. */
export function EntityForm({ action, systems, users, defaults, submitLabel }: { action: Action; systems: { id: string; key: string; name: string }[]; users: { id: string; name: string; email: string }[]; defaults: EntityFormDefaults; submitLabel: string }) {
  const [state, formAction, pending] = useActionState(action, {});
  return (
    <form action={formAction} className="stack" aria-label={submitLabel}>
      {defaults.id && <input type="hidden" name="id" value={defaults.id} />}
      <label>
        Key
        <input name="key" defaultValue={defaults.key} required maxLength={64} {...describedBy('key', state)} />
        <FieldError name="key" state={state} />
      </label>
      <label>
        Name
        <input name="name" defaultValue={defaults.name} required maxLength={120} {...describedBy('name', state)} />
        <FieldError name="name" state={state} />
      </label>
      <label>
        Odoo model (how ledger events name it)
        <input name="odooModel" defaultValue={defaults.odooModel} maxLength={64} placeholder="res.partner" />
      </label>
      <label>
        Description
        <input name="description" defaultValue={defaults.description} maxLength={2000} />
      </label>
      <label>
        System of record
        <select name="systemOfRecordId" defaultValue={defaults.systemOfRecordId} {...describedBy('systemOfRecordId', state)}>
          <option value="">None</option>
          {systems.map((s) => (
            <option key={s.id} value={s.id}>
              {s.key} — {s.name}
            </option>
          ))}
        </select>
        <FieldError name="systemOfRecordId" state={state} />
      </label>
      <label>
        Steward
        <select name="stewardId" defaultValue={defaults.stewardId} {...describedBy('stewardId', state)}>
          <option value="">None</option>
          {users.map((u) => (
            <option key={u.id} value={u.id}>
              {u.name} ({u.email})
            </option>
          ))}
        </select>
        <FieldError name="stewardId" state={state} />
      </label>
      <fieldset>
        <legend>Other systems allowed to write it</legend>
        {systems.map((s) => (
          <label key={s.id} style={{ flexDirection: 'row', alignItems: 'center' }}>
            <input type="checkbox" name="writerSystemIds" value={s.id} defaultChecked={defaults.writerSystemIds.includes(s.id)} /> {s.key}
          </label>
        ))}
      </fieldset>
      <FormMessage state={state} />
      <button type="submit" disabled={pending}>
        {pending ? 'Saving…' : submitLabel}
      </button>
    </form>
  );
}
