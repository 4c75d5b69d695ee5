import type { Role } from '@/lib/db/generated/enums';
import { prisma } from '@/lib/db/client';
import { writeAudit } from '@/lib/audit/log';
import { hashPassword, verifyPassword } from '@/lib/auth/passwords';

export const MAX_FAILED_LOGINS = 5;
export const LOCKOUT_MINUTES = 15;

export interface SignedInUser {
  id: string;
  email: string;
  name: string;
  role: Role;
}

/**
 * Checks a password, with lockout after repeated failures. Every attempt is audited.
 * A locked or disabled account answers exactly like a wrong password.
 */
export async function signIn(emailInput: string, password: string, ip: string | null): Promise<SignedInUser | null> {
  const db = await prisma();
  const email = emailInput.trim().toLowerCase();
  const user = await db.user.findUnique({ where: { email } });
  const now = new Date();
  if (!user || !user.passwordHash || user.disabled || (user.lockedUntil && user.lockedUntil > now)) {
    await writeAudit({ actorId: user?.id ?? null, actorLabel: email, action: 'auth.sign_in_refused', targetType: 'user', targetId: user?.id ?? email, ip });
    if (user && !user.disabled) await db.user.update({ where: { id: user.id }, data: { failedLogins: { increment: 1 } } });
    return null;
  }
  if (!(await verifyPassword(user.passwordHash, password))) {
    const failedLogins = user.failedLogins + 1;
    const lockedUntil = failedLogins >= MAX_FAILED_LOGINS ? new Date(now.getTime() + LOCKOUT_MINUTES * 60_000) : null;
    await db.user.update({ where: { id: user.id }, data: { failedLogins, lockedUntil } });
    await writeAudit({
      actorId: user.id,
      actorLabel: email,
      action: lockedUntil ? 'auth.locked_out' : 'auth.sign_in_failed',
      targetType: 'user',
      targetId: user.id,
      ip,
    });
    return null;
  }
  await db.user.update({ where: { id: user.id }, data: { failedLogins: 0, lockedUntil: null, lastLoginAt: now } });
  await writeAudit({ actorId: user.id, actorLabel: email, action: 'auth.sign_in', targetType: 'user', targetId: user.id, ip });
  return { id: user.id, email: user.email, name: user.name, role: user.role };
}

/** Creates or updates a local account (start-up admin, demo users, admin screens). */
export async function upsertLocalUser(input: { email: string; name: string; role: Role; password: string }): Promise<string> {
  const db = await prisma();
  const email = input.email.trim().toLowerCase();
  const passwordHash = await hashPassword(input.password);
  const user = await db.user.upsert({
    where: { email },
    create: { email, name: input.name, role: input.role, passwordHash },
    update: { role: input.role, passwordHash, disabled: false, failedLogins: 0, lockedUntil: null },
  });
  return user.id;
}
