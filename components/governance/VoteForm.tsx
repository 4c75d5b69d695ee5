'use client';

import { useActionState } from 'react';
import { voteAction } from '@/app/governance/actions';
import { FormMessage } from '@/components/governance/FormStatus';

export function VoteForm({ proposalId }: { proposalId: string }) {
  const [state, formAction, pending] = useActionState(voteAction, {});
  return (
    <form action={formAction} className="stack" aria-label="Vote on this proposal">
      <input type="hidden" name="id" value={proposalId} />
      <label>
        Comment
        <textarea name="comment" rows={3} maxLength={4000} />
      </label>
      <div style={{ display: 'flex', gap: '0.5rem' }}>
        <button type="submit" name="decision" value="approve" disabled={pending}>
          Approve
        </button>
        <button type="submit" name="decision" value="reject" className="secondary" disabled={pending}>
          Reject
        </button>
      </div>
      <FormMessage state={state} />
    </form>
  );
}
