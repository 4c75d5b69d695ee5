'use client';

import { useActionState } from 'react';
import { blockInterfaceAction } from '@/app/governance/actions';
import { FormMessage } from '@/components/governance/FormStatus';

export function BlockButton({ interfaceKey, blocked }: { interfaceKey: string; blocked: boolean }) {
  const [state, formAction, pending] = useActionState(blockInterfaceAction, {});
  return (
    <form action={formAction} aria-label={`${blocked ? 'Unblock' : 'Block'} ${interfaceKey}`}>
      <input type="hidden" name="key" value={interfaceKey} />
      <input type="hidden" name="blocked" value={blocked ? 'false' : 'true'} />
      <button type="submit" className="secondary" disabled={pending}>
        {blocked ? 'Unblock' : 'Block'}
      </button>
      <FormMessage state={state} />
    </form>
  );
}
