/** Display formatting shared by pages: money per currency, ages and relative times. */

/** Money in the reader's locale, to the currency's minor unit (stored amounts are exact cents). */
export function formatMoney(amount: number, currency: string, locale: string): string {
  try {
    return new Intl.NumberFormat(locale, { style: 'currency', currency }).format(amount);
  } catch {
    return `${amount.toFixed(2)} ${currency}`;
  }
}

/** Exact cents as a plain decimal ("-12.05"), for exports: no locale, no rounding. */
export function centsToDecimal(cents: number): string {
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

export function formatRelative(isoTime: string, now: Date = new Date()): string {
  const ms = now.getTime() - new Date(isoTime).getTime();
  const minutes = Math.round(ms / 60_000);
  if (minutes < 1) return 'just now';
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.round(minutes / 60);
  if (hours < 48) return `${hours} h ago`;
  return `${Math.round(hours / 24)} days ago`;
}

export function formatDateTime(isoTime: string | null | undefined): string {
  if (!isoTime) return '—';
  return new Date(isoTime).toISOString().replace('T', ' ').slice(0, 16) + ' UTC';
}
