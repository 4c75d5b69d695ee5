import { hash, verify } from '@node-rs/argon2';

export const MIN_PASSWORD_LENGTH = 12;

/** Returns a reason the password is too weak, or null. Length matters most (NIST 800-63B). */
export function passwordWeakness(password: string, email?: string): string | null {
  if (password.length < MIN_PASSWORD_LENGTH) return `Password must be at least ${MIN_PASSWORD_LENGTH} characters`;
  if (new Set(password).size < 5) return 'Password repeats too few characters';
  if (email && password.toLowerCase().includes(email.split('@')[0]!.toLowerCase())) return 'Password must not contain your email name';
  return null;
}

export function hashPassword(password: string): Promise<string> {
  return hash(password);
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}
