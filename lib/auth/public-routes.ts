/**
 * The only app files that may run without a capability check, and why. The route × role
 * matrix test (tests/integration/route-matrix.test.ts) fails for any other page, route
 * handler or server action that does not call requirePage / requireApi / requireAction first.
 */
export const PUBLIC_ROUTE_FILES: Readonly<Record<string, string>> = {
  'app/login/page.tsx': 'the sign-in form',
  'app/forbidden/page.tsx': 'explains a refusal; shows no data',
  'app/api/auth/[...nextauth]/route.ts': 'next-auth sign-in, callback, CSRF token and sign-out endpoints',
};
