import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { currentViewer } from '@/lib/auth/session';
import { OIDC_PROVIDER_ID, oidcSettings } from '@/lib/auth/oidc';
import { LoginForm } from '@/components/LoginForm';
import { SsoButton } from '@/components/SsoButton';

export const metadata: Metadata = { title: 'Sign in' };

const SSO_ERRORS: Record<string, string> = {
  sso_disabled: 'Your account is disabled. Ask an administrator.',
  sso_no_email: 'Your identity provider did not send an email address.',
  sso_email_taken: 'Another account already uses your email address. Ask an administrator to link it.',
};

export default async function LoginPage({ searchParams }: { searchParams: Promise<{ error?: string; callbackUrl?: string }> }) {
  if (await currentViewer()) redirect('/');
  const { error, callbackUrl } = await searchParams;
  const sso = oidcSettings();
  const ssoError = error ? SSO_ERRORS[error] : undefined;
  return (
    <section className="login">
      <h1>Sign in to Plumbline</h1>
      {ssoError && (
        <p role="alert" className="error">
          {ssoError}
        </p>
      )}
      <LoginForm failed={Boolean(error) && !ssoError} callbackUrl={safeCallback(callbackUrl)} />
      {sso && <SsoButton providerId={OIDC_PROVIDER_ID} label={sso.name} callbackUrl={safeCallback(callbackUrl)} />}
    </section>
  );
}

/** Only same-site paths, so the sign-in page cannot be used as an open redirect. */
function safeCallback(url: string | undefined): string {
  return url && url.startsWith('/') && !url.startsWith('//') ? url : '/';
}
