import { env } from '@/lib/config/env';
import { apiError } from '@/lib/api/errors';

/**
 * CSRF defence for cookie-authenticated route handlers. Browsers always send Origin on
 * cross-site POST/PUT/PATCH/DELETE and Sec-Fetch-Site on every request, so a state-changing
 * request whose Origin is not this app (NEXTAUTH_URL or the Host it was sent to) is refused.
 * Server actions get the same check from Next itself. Non-browser clients send neither header.
 */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function isSameOriginRequest(method: string, headers: Headers): boolean {
  if (SAFE_METHODS.has(method.toUpperCase())) return originAllowed(headers);
  if (headers.get('sec-fetch-site') === 'cross-site') return false;
  return originAllowed(headers);
}

/** A request that names an Origin must name this app's; one without Origin is not from a cross-site browser form or fetch. */
export function originAllowed(headers: Headers): boolean {
  const origin = headers.get('origin');
  if (!origin) return true;
  if (origin === 'null') return false;
  return allowedOrigins(headers).has(origin);
}

function allowedOrigins(headers: Headers): Set<string> {
  const allowed = new Set<string>();
  const configured = env().NEXTAUTH_URL;
  if (configured) allowed.add(new URL(configured).origin);
  const host = headers.get('x-forwarded-host') ?? headers.get('host');
  if (host) {
    const proto = headers.get('x-forwarded-proto')?.split(',')[0]?.trim() ?? (configured?.startsWith('https://') ? 'https' : 'http');
    allowed.add(`${proto}://${host}`);
  }
  return allowed;
}

/** Null when the request may proceed, otherwise the 403 to return. */
export function csrfRejection(request: Request): Response | null {
  return isSameOriginRequest(request.method, request.headers) ? null : apiError(403, 'csrf_rejected', 'Cross-site request refused');
}
