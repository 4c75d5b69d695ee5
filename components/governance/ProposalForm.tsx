'use client';

import { useActionState } from 'react';
import { proposeSchemaAction } from '@/app/governance/actions';
import { describedBy, FieldError, FormMessage } from '@/components/governance/FormStatus';

/** Paste or upload a JSON Schema 2020-12; the server validates, diffs and stores it ('schema.propose'). */
export function ProposalForm({ interfaces, defaultInterface }: { interfaces: { key: string; name: string; activeSchemaVersion: string | null }[]; defaultInterface: string }) {
  const [state, formAction, pending] = useActionState(proposeSchemaAction, {});
  return (
    <form action={formAction} className="stack" aria-label="Propose schema version" style={{ maxWidth: 720 }}>
      <label>
        Interface
        <select name="interfaceKey" defaultValue={defaultInterface} required {...describedBy('interfaceKey', state)}>
          <option value="">Choose…</option>
          {interfaces.map((i) => (
            <option key={i.key} value={i.key}>
              {i.key} (active {i.activeSchemaVersion ?? 'none'})
            </option>
          ))}
        </select>
        <FieldError name="interfaceKey" state={state} />
      </label>
      <label>
        New version
        <input name="version" required maxLength={64} placeholder="1.1" {...describedBy('version', state)} />
        <FieldError name="version" state={state} />
      </label>
      <label>
        JSON Schema (2020-12)
        <textarea name="schemaText" rows={14} spellCheck={false} style={{ fontFamily: 'monospace' }} placeholder='{"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object", …}' {...describedBy('schemaText', state)} />
        <FieldError name="schemaText" state={state} />
      </label>
      <label>
        …or upload a .json file (replaces the pasted text)
        <input type="file" name="file" accept=".json,application/json,application/schema+json" />
      </label>
      <label>
        Migration plan (required for breaking changes)
        <textarea name="migrationPlan" rows={4} maxLength={10000} {...describedBy('migrationPlan', state)} />
        <FieldError name="migrationPlan" state={state} />
      </label>
      <FormMessage state={state} />
      <button type="submit" disabled={pending}>
        {pending ? 'Checking…' : 'Propose version'}
      </button>
    </form>
  );
}
