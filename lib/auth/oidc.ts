import type { Role } from '@/lib/db/generated/enums';
import { env } from '@/lib/config/env';
import { prisma } from '@/lib/db/client';
import { writeAudit } from '@/lib/audit/log';
import { ROLES } from '@/lib/auth/permissions';

/**
 * OIDC single sign-on (Entra ID, Okta, Keycloak…) configured by env. Roles come from a
 * claim (usually `groups`) through PLUMBLINE_OIDC_ROLE_MAP; when the map has no match
 * the role an administrator set is kept, and a new user gets PLUMBLINE_OIDC_DEFAULT_ROLE.
 */
export const OIDC_PROVIDER_ID = 'oidc';

export interface OidcSettings {
  issuer: string;
  clientId: string;
  clientSecret: string;
  name: string;
  scopes: string;
  roleClaim: string;
  roleMap: ReadonlyMap<string, Role>;
  defaultRole: Role;
}

export function oidcSettings(): OidcSettings | null {
  const cfg = env();
  if (!cfg.PLUMBLINE_OIDC_ISSUER || !cfg.PLUMBLINE_OIDC_CLIENT_ID || !cfg.PLUMBLINE_OIDC_CLIENT_SECRET) return null;
  return {
    issuer: cfg.PLUMBLINE_OIDC_ISSUER.replace(/\/+$/, ''),
    clientId: cfg.PLUMBLINE_OIDC_CLIENT_ID,
    clientSecret: cfg.PLUMBLINE_OIDC_CLIENT_SECRET,
    name: cfg.PLUMBLINE_OIDC_NAME,
    scopes: cfg.PLUMBLINE_OIDC_SCOPES,
    roleClaim: cfg.PLUMBLINE_OIDC_ROLE_CLAIM,
    roleMap: parseRoleMap(cfg.PLUMBLINE_OIDC_ROLE_MAP),
    defaultRole: cfg.PLUMBLINE_OIDC_DEFAULT_ROLE,
  };
}

export function parseRoleMap(text: string): Map<string, Role> {
  const map = new Map<string, Role>();
  for (const pair of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    const at = pair.lastIndexOf('=');
    const group = pair.slice(0, at).trim();
    const role = pair.slice(at + 1).trim();
    if (at <= 0 || !(ROLES as readonly string[]).includes(role)) {
      throw new Error(`PLUMBLINE_OIDC_ROLE_MAP: "${pair}" is not group=role with role one of ${ROLES.join(', ')}`);
    }
    map.set(group, role as Role);
  }
  return map;
}

/** The most privileged mapped role among the claim's values (ROLES is ordered by privilege), or null. */
export function mappedRole(claimValue: unknown, roleMap: ReadonlyMap<string, Role>): Role | null {
  const values = Array.isArray(claimValue) ? claimValue.map(String) : typeof claimValue === 'string' ? claimValue.split(/[\s,]+/) : [];
  const matched = new Set(values.map((v) => roleMap.get(v)).filter((r): r is Role => r !== undefined));
  return ROLES.find((role) => matched.has(role)) ?? null;
}

export interface OidcProfile {
  sub: string;
  email?: string;
  email_verified?: boolean;
  name?: string;
  preferred_username?: string;
  [claim: string]: unknown;
}

export type SsoOutcome = { ok: true; userId: string; role: Role } | { ok: false; reason: 'disabled' | 'no_email' | 'email_taken' };

/**
 * Finds or creates the user for (issuer, subject). A local account with the same email and
 * no SSO identity is linked when the provider says the email is verified; otherwise the
 * sign-in is refused rather than letting one identity take over another's account.
 */
export async function upsertSsoUser(settings: OidcSettings, profile: OidcProfile, ip: string | null): Promise<SsoOutcome> {
  const db = await prisma();
  const email = (profile.email ?? profile.preferred_username ?? '').trim().toLowerCase();
  const mapped = mappedRole(profile[settings.roleClaim], settings.roleMap);
  const label = email || profile.sub;
  return db.$transaction(async (tx) => {
    let user = await tx.user.findUnique({ where: { ssoIssuer_ssoSubject: { ssoIssuer: settings.issuer, ssoSubject: profile.sub } } });
    if (!user) {
      if (!email.includes('@')) return refuse('no_email');
      const sameEmail = await tx.user.findUnique({ where: { email } });
      if (sameEmail) {
        if (sameEmail.ssoSubject || profile.email_verified === false) return refuse('email_taken');
        user = await tx.user.update({ where: { id: sameEmail.id }, data: { ssoIssuer: settings.issuer, ssoSubject: profile.sub } });
        await writeAudit({ actorId: user.id, actorLabel: label, action: 'auth.sso_linked', targetType: 'user', targetId: user.id, after: { ssoIssuer: settings.issuer, ssoSubject: profile.sub }, ip }, tx);
      } else {
        user = await tx.user.create({
          data: { email, name: profile.name ?? email, role: mapped ?? settings.defaultRole, ssoIssuer: settings.issuer, ssoSubject: profile.sub },
        });
        await writeAudit({ actorId: user.id, actorLabel: label, action: 'user.created_by_sso', targetType: 'user', targetId: user.id, after: { email, role: user.role }, ip }, tx);
      }
    }
    if (user.disabled) {
      await writeAudit({ actorId: user.id, actorLabel: label, action: 'auth.sign_in_refused', targetType: 'user', targetId: user.id, after: { via: 'oidc' }, ip }, tx);
      return { ok: false, reason: 'disabled' } as const;
    }
    if (mapped && mapped !== user.role) {
      await writeAudit({ actorId: user.id, actorLabel: label, action: 'user.role_from_sso', targetType: 'user', targetId: user.id, before: { role: user.role }, after: { role: mapped }, ip }, tx);
    }
    const updated = await tx.user.update({ where: { id: user.id }, data: { role: mapped ?? user.role, lastLoginAt: new Date(), failedLogins: 0 } });
    await writeAudit({ actorId: user.id, actorLabel: label, action: 'auth.sign_in', targetType: 'user', targetId: user.id, after: { via: 'oidc' }, ip }, tx);
    return { ok: true, userId: updated.id, role: updated.role } as const;

    async function refuse(reason: 'no_email' | 'email_taken'): Promise<SsoOutcome> {
      await writeAudit({ actorId: null, actorLabel: label, action: 'auth.sso_refused', targetType: 'user', targetId: label, after: { reason, ssoSubject: profile.sub }, ip }, tx);
      return { ok: false, reason };
    }
  });
}
