/**
 * Signs in through next-auth's real credentials endpoint with plain HTTP (no browser) and
 * keeps the cookies, for tests that request many pages as many users.
 */
export class CookieJar {
  private readonly cookies = new Map<string, string>();

  store(response: Response): void {
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      if (value === '' || /max-age=0|expires=thu, 01 jan 1970/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  has(name: string): boolean {
    return this.cookies.has(name);
  }
}

export interface HttpSession {
  jar: CookieJar;
  /** Raw Set-Cookie lines of the sign-in response (for cookie-flag assertions). */
  signInCookies: string[];
  get(path: string, init?: RequestInit): Promise<Response>;
}

export async function csrfToken(baseUrl: string, jar: CookieJar): Promise<string> {
  const response = await fetch(`${baseUrl}/api/auth/csrf`, { headers: { cookie: jar.header() } });
  jar.store(response);
  return ((await response.json()) as { csrfToken: string }).csrfToken;
}

export async function signInHttp(baseUrl: string, email: string, password: string): Promise<HttpSession> {
  const jar = new CookieJar();
  const token = await csrfToken(baseUrl, jar);
  const response = await fetch(`${baseUrl}/api/auth/callback/credentials`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: jar.header() },
    body: new URLSearchParams({ csrfToken: token, email, password, callbackUrl: `${baseUrl}/`, json: 'true' }),
  });
  jar.store(response);
  if (!jar.has('next-auth.session-token') && !jar.has('__Secure-next-auth.session-token')) {
    throw new Error(`sign-in as ${email} failed: HTTP ${response.status} ${await response.text()}`);
  }
  return {
    jar,
    signInCookies: response.headers.getSetCookie(),
    get: (path, init = {}) => fetch(`${baseUrl}${path}`, { redirect: 'manual', ...init, headers: { ...(init.headers as Record<string, string>), cookie: jar.header() } }),
  };
}
