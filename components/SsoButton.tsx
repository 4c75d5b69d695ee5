'use client';

import { signIn } from 'next-auth/react';

export function SsoButton({ providerId, label, callbackUrl }: { providerId: string; label: string; callbackUrl: string }) {
  return (
    <button type="button" onClick={() => void signIn(providerId, { callbackUrl })}>
      Sign in with {label}
    </button>
  );
}
