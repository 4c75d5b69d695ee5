import type { NextAuthOptions } from 'next-auth';
import type { OAuthConfig } from 'next-auth/providers/oauth';
import CredentialsProvider from 'next-auth/providers/credentials';
import { z } from 'zod';
import { env } from '@/lib/config/env';
import { prisma } from '@/lib/db/client';
import { writeAudit } from '@/lib/audit/log';
import { authSecret } from '@/lib/auth/secret';
import { signIn } from '@/lib/auth/users';
import { clientIp } from '@/lib/auth/client-ip';
import { OIDC_PROVIDER_ID, oidcSettings, upsertSsoUser, type OidcProfile, type OidcSettings } from '@/lib/auth/oidc';

/** Sessions end after a working day; currentViewer() also re-reads the user on every request. */
export const SESSION_MAX_AGE_SECONDS = 8 * 60 * 60;

const credentialsSchema = z.object({ email: z.email(), password: z.string().min(1) });

/** Secure cookies whenever the public URL is https (next-auth then also uses __Secure- names). */
export function usesSecureCookies(): boolean {
  return env().NEXTAUTH_URL?.startsWith('https://') ?? false;
}

export function authOptions(): NextAuthOptions {
  const sso = oidcSettings();
  return {
    secret: authSecret(),
    session: { strategy: 'jwt', maxAge: SESSION_MAX_AGE_SECONDS },
    jwt: { maxAge: SESSION_MAX_AGE_SECONDS },
    useSecureCookies: usesSecureCookies(),
    pages: { signIn: '/login', error: '/login' },
    providers: [
      CredentialsProvider({
        name: 'Email and password',
        credentials: { email: { label: 'Email', type: 'email' }, password: { label: 'Password', type: 'password' } },
        async authorize(raw, req) {
          const parsed = credentialsSchema.safeParse(raw);
          if (!parsed.success) return null;
          const forwarded = req?.headers?.['x-forwarded-for'];
          const ip = typeof forwarded === 'string' ? forwarded.split(',')[0]!.trim() : null;
          const user = await signIn(parsed.data.email, parsed.data.password, ip);
          return user ? { id: user.id, email: user.email, name: user.name } : null;
        },
      }),
      ...(sso ? [oidcProvider(sso)] : []),
    ],
    callbacks: {
      async signIn({ account, profile }) {
        if (account?.provider !== OIDC_PROVIDER_ID) return true;
        if (!sso || !profile) return false;
        const outcome = await upsertSsoUser(sso, profile as OidcProfile, await clientIp());
        return outcome.ok ? true : `/login?error=sso_${outcome.reason}`;
      },
      async jwt({ token, user, account }) {
        if (account?.provider === OIDC_PROVIDER_ID && sso) {
          // The token's subject must be Plumbline's user id, not the provider's subject.
          const db = await prisma();
          const row = await db.user.findUnique({
            where: { ssoIssuer_ssoSubject: { ssoIssuer: sso.issuer, ssoSubject: account.providerAccountId } },
            select: { id: true },
          });
          if (row) token.sub = row.id;
        } else if (user) {
          token.sub = user.id;
        }
        return token;
      },
      session({ session, token }) {
        if (session.user && token.sub) (session.user as { id?: string }).id = token.sub;
        return session;
      },
    },
    events: {
      async signOut({ token }) {
        if (!token?.sub) return;
        await writeAudit({ actorId: token.sub, actorLabel: token.email ?? token.sub, action: 'auth.sign_out', targetType: 'user', targetId: token.sub, ip: await clientIp() });
      },
    },
  };
}

function oidcProvider(sso: OidcSettings): OAuthConfig<OidcProfile> {
  return {
    id: OIDC_PROVIDER_ID,
    name: sso.name,
    type: 'oauth',
    wellKnown: `${sso.issuer}/.well-known/openid-configuration`,
    clientId: sso.clientId,
    clientSecret: sso.clientSecret,
    authorization: { params: { scope: sso.scopes } },
    idToken: true,
    checks: ['pkce', 'state'],
    profile(profile) {
      return { id: profile.sub, email: profile.email ?? null, name: profile.name ?? profile.email ?? profile.sub };
    },
  };
}
