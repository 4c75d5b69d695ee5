'use client';

import { useActionState } from 'react';
import { deleteSloAction } from '@/app/slo/actions';

export function DeleteSloButton({ id, name }: { id: string; name: string }) {
  const [state, action, pending] = useActionState(deleteSloAction, {});
  return (
    <form
      action={action}
      onSubmit={(event) => {
        if (!window.confirm(`Delete the SLO "${name}"? Its alert state goes with it.`)) event.preventDefault();
      }}
    >
      <input type="hidden" name="id" value={id} />
      <button type="submit" className="secondary" disabled={pending}>
        Delete SLO
      </button>
      {state.message && <p className="error">{state.message}</p>}
    </form>
  );
}
