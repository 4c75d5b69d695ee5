import { headers } from 'next/headers';

/** The caller's address as the reverse proxy reports it; null outside a request. */
export async function clientIp(): Promise<string | null> {
  try {
    const forwarded = (await headers()).get('x-forwarded-for');
    return forwarded ? forwarded.split(',')[0]!.trim() : null;
  } catch {
    return null;
  }
}
