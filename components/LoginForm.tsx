'use client';

import { signIn } from 'next-auth/react';
import { useState, type FormEvent } from 'react';

export function LoginForm({ failed, callbackUrl }: { failed: boolean; callbackUrl: string }) {
  const [error, setError] = useState(failed ? 'Email or password is wrong, or the account is locked.' : '');
  const [busy, setBusy] = useState(false);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setBusy(true);
    setError('');
    const result = await signIn('credentials', {
      email: String(form.get('email') ?? ''),
      password: String(form.get('password') ?? ''),
      redirect: false,
    });
    setBusy(false);
    if (result?.ok && !result.error) window.location.assign(callbackUrl);
    else setError('Email or password is wrong, or the account is locked after repeated failures.');
  }

  return (
    <form onSubmit={onSubmit} className="stack" aria-describedby={error ? 'login-error' : undefined}>
      <label>
        Email
        <input name="email" type="email" autoComplete="username" required autoFocus />
      </label>
      <label>
        Password
        <input name="password" type="password" autoComplete="current-password" required />
      </label>
      {error && (
        <p id="login-error" role="alert" className="error">
          {error}
        </p>
      )}
      <button type="submit" disabled={busy}>
        {busy ? 'Signing in…' : 'Sign in'}
      </button>
    </form>
  );
}
