'use client';

import { useActionState } from 'react';
import { importOpenSloAction } from '@/app/slo/actions';

export function ImportForm() {
  const [state, action, pending] = useActionState(importOpenSloAction, {});
  return (
    <form action={action} className="stack" aria-label="Import OpenSLO">
      <label>
        OpenSLO v1 YAML file
        <input type="file" name="file" accept=".yaml,.yml,application/yaml,text/yaml" />
      </label>
      <label>
        …or paste it
        <textarea name="yaml" rows={6} />
      </label>
      <div>
        <button type="submit" disabled={pending}>
          {pending ? 'Importing…' : 'Import'}
        </button>
      </div>
      {state.message && (
        <pre role="status" style={{ whiteSpace: 'pre-wrap' }}>
          {state.message}
        </pre>
      )}
    </form>
  );
}
