import { z } from 'zod';
import type { Role } from '@/lib/db/generated/enums';
import { prisma } from '@/lib/db/client';
import { writeAudit } from '@/lib/audit/log';
import { hashPassword, passwordWeakness } from '@/lib/auth/passwords';
import { ROLES } from '@/lib/auth/permissions';
import type { Viewer } from '@/lib/auth/session';
import { AdminFormError } from '@/lib/admin/errors';

/** Users as administrators manage them. Callers enforce 'admin.manage'; every change is audited. */
export interface AdminUserRow {
  id: string;
  email: string;
  name: string;
  role: Role;
  disabled: boolean;
  lockedUntil: Date | null;
  lastLoginAt: Date | null;
  sso: boolean;
  hasPassword: boolean;
  createdAt: Date;
}

export async function listUsers(): Promise<AdminUserRow[]> {
  const db = await prisma();
  const rows = await db.user.findMany({ orderBy: { email: 'asc' } });
  return rows.map((u) => ({
    id: u.id,
    email: u.email,
    name: u.name,
    role: u.role,
    disabled: u.disabled,
    lockedUntil: u.lockedUntil && u.lockedUntil > new Date() ? u.lockedUntil : null,
    lastLoginAt: u.lastLoginAt,
    sso: u.ssoSubject !== null,
    hasPassword: u.passwordHash !== null,
    createdAt: u.createdAt,
  }));
}

const roleSchema = z.enum(ROLES);

const newUserSchema = z.object({
  email: z.email('Enter a valid email').transform((e) => e.trim().toLowerCase()),
  name: z.string().trim().min(1, 'Enter a name').max(200),
  role: roleSchema,
  password: z.string().optional(),
});

export interface NewUserInput {
  email: string;
  name: string;
  role: string;
  /** Empty for an invited user who will sign in through SSO (linked by verified email). */
  password?: string;
}

export async function createUser(actor: Viewer, input: NewUserInput, ip: string | null): Promise<string> {
  const parsed = newUserSchema.safeParse(input);
  if (!parsed.success) throw new AdminFormError(Object.fromEntries(parsed.error.issues.map((i) => [String(i.path[0]), i.message])));
  const { email, name, role } = parsed.data;
  const password = parsed.data.password || undefined;
  if (password) {
    const weakness = passwordWeakness(password, email);
    if (weakness) throw new AdminFormError({ password: weakness });
  }
  const passwordHash = password ? await hashPassword(password) : null;
  const db = await prisma();
  return db.$transaction(async (tx) => {
    if (await tx.user.findUnique({ where: { email } })) throw new AdminFormError({ email: 'A user with this email exists' });
    const user = await tx.user.create({ data: { email, name, role, passwordHash } });
    await writeAudit(
      { actorId: actor.id, actorLabel: actor.email, action: password ? 'user.created' : 'user.invited', targetType: 'user', targetId: user.id, after: { email, name, role }, ip },
      tx,
    );
    return user.id;
  });
}

export async function changeRole(actor: Viewer, userId: string, roleInput: string, ip: string | null): Promise<void> {
  const role = roleSchema.safeParse(roleInput);
  if (!role.success) throw new AdminFormError({ role: 'Choose a role' });
  if (userId === actor.id) throw new AdminFormError({ role: 'You cannot change your own role' });
  const db = await prisma();
  await db.$transaction(async (tx) => {
    const before = await tx.user.findUniqueOrThrow({ where: { id: userId } });
    if (before.role === role.data) return;
    await tx.user.update({ where: { id: userId }, data: { role: role.data } });
    await writeAudit(
      { actorId: actor.id, actorLabel: actor.email, action: 'user.role_changed', targetType: 'user', targetId: userId, before: { role: before.role }, after: { role: role.data }, ip },
      tx,
    );
  });
}

/** Disabling takes effect on the user's next request (currentViewer re-reads the row). */
export async function setUserDisabled(actor: Viewer, userId: string, disabled: boolean, ip: string | null): Promise<void> {
  if (userId === actor.id && disabled) throw new AdminFormError({ disabled: 'You cannot disable your own account' });
  const db = await prisma();
  await db.$transaction(async (tx) => {
    const before = await tx.user.findUniqueOrThrow({ where: { id: userId } });
    await tx.user.update({ where: { id: userId }, data: disabled ? { disabled } : { disabled, failedLogins: 0, lockedUntil: null } });
    await writeAudit(
      {
        actorId: actor.id,
        actorLabel: actor.email,
        action: disabled ? 'user.disabled' : 'user.enabled',
        targetType: 'user',
        targetId: userId,
        before: { disabled: before.disabled, lockedUntil: before.lockedUntil },
        after: { disabled },
        ip,
      },
      tx,
    );
  });
}
