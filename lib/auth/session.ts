import { getServerSession } from 'next-auth';
import { headers } from 'next/headers';
import { redirect } from 'next/navigation';
import type { Role } from '@/lib/db/generated/enums';
import { prisma } from '@/lib/db/client';
import { authOptions } from '@/lib/auth/options';
import { can, type Capability } from '@/lib/auth/permissions';
import { apiError } from '@/lib/api/errors';
import { originAllowed } from '@/lib/auth/csrf';

export interface Viewer {
  id: string;
  email: string;
  name: string;
  role: Role;
}

/**
 * The signed-in user, re-read from the database on every request so a role change or
 * a disabled account takes effect at once rather than when the JWT expires.
 */
export async function currentViewer(): Promise<Viewer | null> {
  const session = await getServerSession(authOptions());
  const id = (session?.user as { id?: string } | undefined)?.id;
  if (!id) return null;
  const db = await prisma();
  const user = await db.user.findUnique({ where: { id }, select: { id: true, email: true, name: true, role: true, disabled: true } });
  if (!user || user.disabled) return null;
  return { id: user.id, email: user.email, name: user.name, role: user.role };
}

/** For pages and layouts: signs in or shows the forbidden page when the capability is missing. */
export async function requirePage(capability: Capability): Promise<Viewer> {
  const viewer = await currentViewer();
  if (!viewer) redirect('/login');
  if (!can(viewer.role, capability)) redirect(`/forbidden?need=${capability}`);
  return viewer;
}

export class ForbiddenError extends Error {
  constructor(readonly capability: Capability | 'signed_in') {
    super(capability === 'signed_in' ? 'Sign in first' : `Your role may not do this (${capability})`);
    this.name = 'ForbiddenError';
  }
}

/** For server actions: throws, so the action never runs its body. */
export async function requireAction(capability: Capability): Promise<Viewer> {
  const viewer = await currentViewer();
  if (!viewer) throw new ForbiddenError('signed_in');
  if (!can(viewer.role, capability)) throw new ForbiddenError(capability);
  return viewer;
}

/**
 * For route handlers: the viewer, or the 401/403 response to return as is. Requests from
 * another origin are refused here (CSRF, lib/auth/csrf.ts), so every handler gets the check.
 */
export async function requireApi(capability: Capability): Promise<Viewer | Response> {
  if (!originAllowed(await headers())) return apiError(403, 'csrf_rejected', 'Cross-site request refused');
  const viewer = await currentViewer();
  if (!viewer) return apiError(401, 'unauthenticated', 'Sign in first');
  if (!can(viewer.role, capability)) return apiError(403, 'forbidden', `Your role (${viewer.role}) may not do this (${capability})`);
  return viewer;
}
