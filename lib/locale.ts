import { headers } from 'next/headers';
import Negotiator from 'negotiator';

/** Formatting follows the reader's browser language; this is the fallback. */
export const DEFAULT_LOCALE = 'en-US';

/** The reader's most preferred language (Accept-Language, q-values honoured) that Intl can format. */
export function localeFromAcceptLanguage(acceptLanguage: string | null | undefined): string {
  if (!acceptLanguage) return DEFAULT_LOCALE;
  for (const language of new Negotiator({ headers: { 'accept-language': acceptLanguage } }).languages()) {
    try {
      const [supported] = Intl.NumberFormat.supportedLocalesOf(language);
      if (supported) return supported;
    } catch {
      // A malformed tag is skipped, like any language we cannot format.
    }
  }
  return DEFAULT_LOCALE;
}

/** The locale of the request being rendered (server components, route handlers). */
export async function requestLocale(): Promise<string> {
  return localeFromAcceptLanguage((await headers()).get('accept-language'));
}
