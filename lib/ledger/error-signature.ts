import { createHash } from 'node:crypto';

/**
 * Error signatures: one root cause → one group. Messages are reduced to a readable
 * template by replacing the parts that vary between occurrences of the same cause
 * (ids, numbers, amounts, dates, UUIDs, hex ids, quoted data values, Odoo record refs,
 * document numbers) with placeholders, e.g.
 *   "Missing analytic distribution on line 3 of INV/2026/00042"
 *   → "validation: Missing analytic distribution on line <n> of <doc>".
 * Quoted technical names (`'analytic_distribution'`, `'account.move'`) are kept because
 * they tell different causes apart; quoted data (`'Harbor Build Co'`) is not.
 */

/**
 * The normaliser's version: raise it with any change to what errorSignature returns, so the
 * signatures ClickHouse keeps (error_signatures, lib/exceptions/signature.ts) are made again.
 */
export const SIGNATURE_NORMALIZER_VERSION = 1;

const MAX_TEMPLATE_LENGTH = 240;

interface Rule {
  pattern: RegExp;
  replace: string | ((match: string) => string);
}

/** A quoted value worth keeping: a lowercase field, model or state name (`partner_id`, `account.move`, `draft`). */
const TECHNICAL_NAME = /^[a-z][a-z0-9]*(?:[._][a-z0-9]+)*$/;

function quoted(open: string, close: string): (match: string) => string {
  return (match) => {
    const inner = match.slice(open.length, match.length - close.length);
    return TECHNICAL_NAME.test(inner) ? match : `${open}<value>${close}`;
  };
}

/** Applied in order: the specific shapes first, so bare numbers do not eat their digits. */
const RULES: readonly Rule[] = [
  { pattern: /\bhttps?:\/\/[^\s'"<>]+/gi, replace: '<url>' },
  { pattern: /\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b/g, replace: '<email>' },
  { pattern: /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, replace: '<uuid>' },
  // Odoo record refs: account.move(123,) or res.partner(7, 9) → keep the model.
  { pattern: /\b([a-z][a-z0-9_]*(?:\.[a-z0-9_]+)+)\(\s*\d[\d,\s]*\)/g, replace: '$1(<id>)' },
  // Single quotes only around a whole token, so apostrophes ("customer's", "isn't") survive.
  { pattern: /(?<!\w)'[^'\n]{0,200}'(?!\w)/g, replace: quoted("'", "'") },
  { pattern: /"[^"\n]{0,200}"/g, replace: quoted('"', '"') },
  { pattern: /“[^”\n]{0,200}”/g, replace: quoted('“', '”') },
  // ISO timestamps / dates, then day-first or month-first dates, then clock times.
  { pattern: /\b\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?/g, replace: '<date>' },
  { pattern: /\b\d{1,2}[/.]\d{1,2}[/.]\d{2,4}\b/g, replace: '<date>' },
  { pattern: /\b\d{1,2}:\d{2}(?::\d{2})?\b/g, replace: '<time>' },
  // Document numbers: INV/2026/00042, BILL/2026/01/0003, WH/OUT/00012, JOB-2301, RC-10400-L1; then PO00017, S00042.
  { pattern: /\b[A-Z][A-Z0-9]*(?:[/-][A-Z0-9]+)*[/-]\d{2,}(?:-[A-Z]+\d*)?\b/g, replace: '<doc>' },
  { pattern: /\b[A-Z]{1,5}\d{3,}\b/g, replace: '<doc>' },
  { pattern: /\b0x[0-9a-f]+\b/gi, replace: '<hex>' },
  { pattern: /\b(?=[0-9a-f]*\d)(?=[0-9a-f]*[a-f])[0-9a-f]{8,}\b/gi, replace: '<hex>' },
  // Money: symbol or ISO code next to a number.
  { pattern: /[$€£¥]\s?-?\d[\d,]*(?:\.\d+)?|-?\b\d[\d,]*(?:\.\d+)?\s?(?:USD|EUR|GBP|CAD|AUD|NZD|CHF)\b|\b(?:USD|EUR|GBP|CAD|AUD|NZD|CHF)\s?-?\d[\d,]*(?:\.\d+)?/g, replace: '<amount>' },
  { pattern: /(?<!\w)-?\d[\d,]*\.\d{2}\b(?!\.\d)/g, replace: '<amount>' },
  { pattern: /(?<!\w)-?\d+(?:[.,]\d+)*\b/g, replace: '<n>' },
  // Lists and runs of the same placeholder ("ids 4, 5, 6", "cost code 03 30 00") are one value.
  { pattern: /<(n|id|doc|uuid|hex|amount|date|value)>(?:(?:\s*,\s*|\s+)<\1>)+/g, replace: '<$1>' },
];

/** The message part of a Python traceback dump is its last line; elsewhere the first line carries the cause. */
function headline(message: string): string {
  const trimmed = message.trim();
  if (trimmed.startsWith('Traceback (most recent call last)')) {
    const lines = trimmed.split('\n').filter((l) => l.trim() !== '');
    return lines[lines.length - 1] ?? '';
  }
  const tracebackAt = trimmed.indexOf('\nTraceback (most recent call last)');
  return tracebackAt >= 0 ? trimmed.slice(0, tracebackAt) : trimmed;
}

/** The message with its varying parts replaced, whitespace collapsed and length bounded. */
export function normalizeErrorMessage(message: string): string {
  let text = headline(message).replace(/\s+/g, ' ');
  for (const rule of RULES) {
    text = typeof rule.replace === 'string' ? text.replace(rule.pattern, rule.replace) : text.replace(rule.pattern, rule.replace);
  }
  text = text.trim().replace(/[\s.:;,]+$/, '');
  return text.length > MAX_TEMPLATE_LENGTH ? `${text.slice(0, MAX_TEMPLATE_LENGTH - 1)}…` : text;
}

/** A readable grouping key, `<category>: <template>`. */
export function errorSignature(category: string, message: string): string {
  const template = normalizeErrorMessage(message);
  return `${category.trim() || 'unknown'}: ${template || '(no message)'}`;
}

/** Compact stable id for a signature (indexes, URLs): first 16 hex chars of its SHA-1. */
export function signatureHash(signature: string): string {
  return createHash('sha1').update(signature, 'utf8').digest('hex').slice(0, 16);
}
