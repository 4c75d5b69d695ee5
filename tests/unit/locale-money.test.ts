import { describe, it } from 'vitest';
import assert from 'node:assert/strict';
import { formatMoney } from '@/lib/format';
import { DEFAULT_LOCALE, localeFromAcceptLanguage } from '@/lib/locale';

/** Intl may use a no-break space before a currency sign; compare with plain spaces. */
const plain = (text: string) => text.replace(/[\u00a0\u202f]/g, ' ');

describe('formatMoney', () => {
  it('shows exact cents in the reader’s locale', () => {
    assert.equal(formatMoney(1840.25, 'USD', 'en-US'), '$1,840.25');
    assert.equal(plain(formatMoney(1840.25, 'EUR', 'de-DE')), '1.840,25 €');
    assert.equal(plain(formatMoney(1840.25, 'CAD', 'fr-CA')), '1 840,25 $');
    assert.equal(formatMoney(-75, 'USD', 'en-US'), '-$75.00');
  });

  it('keeps the amount readable for a currency code Intl does not know', () => {
    assert.equal(formatMoney(12.5, 'XX1', 'en-US'), '12.50 XX1');
  });
});

describe('localeFromAcceptLanguage', () => {
  it('takes the most preferred language Intl can format', () => {
    assert.equal(localeFromAcceptLanguage('de-DE,de;q=0.9,en;q=0.8'), 'de-DE');
    assert.equal(localeFromAcceptLanguage('en;q=0.5, fr-CA;q=0.9'), 'fr-CA');
  });

  it('falls back for a missing, wildcard or malformed header', () => {
    assert.equal(localeFromAcceptLanguage(null), DEFAULT_LOCALE);
    assert.equal(localeFromAcceptLanguage('*'), DEFAULT_LOCALE);
    assert.equal(localeFromAcceptLanguage('not a language!!, ;;'), DEFAULT_LOCALE);
  });
});
