/**
 * How Odoo (and the transport in front of it) says no, reduced to the ledger's ten error
 * categories (DOMAIN.md table), plus plain-language explanations for finance users.
 */
export const ERROR_CATEGORIES = [
  'auth',
  'permission',
  'validation',
  'business_rule',
  'not_found',
  'reference_missing',
  'duplicate',
  'conflict',
  'transient',
  'server_error',
] as const;

export type ErrorCategory = (typeof ERROR_CATEGORIES)[number];

export function isErrorCategory(value: string): value is ErrorCategory {
  return (ERROR_CATEGORIES as readonly string[]).includes(value);
}

/** Only races and outages heal by themselves; everything else needs a person to fix data or config. */
const RETRYABLE: ReadonlySet<ErrorCategory> = new Set<ErrorCategory>(['conflict', 'transient']);

export function isRetryableByDefault(category: ErrorCategory): boolean {
  return RETRYABLE.has(category);
}

export interface OdooErrorInput {
  httpStatus?: number;
  /** e.g. `odoo.exceptions.ValidationError` or just `ValidationError`. */
  odooExceptionName?: string;
  xmlrpcFaultCode?: number;
  message?: string;
}

/** Exception class name (last dotted segment) → category. */
const EXCEPTION_CATEGORIES: Readonly<Record<string, ErrorCategory>> = {
  AccessDenied: 'auth',
  SessionExpiredException: 'auth',
  AccessError: 'permission',
  ValidationError: 'validation',
  NotNullViolation: 'validation',
  CheckViolation: 'validation',
  ForeignKeyViolation: 'validation',
  UserError: 'business_rule',
  RedirectWarning: 'business_rule',
  Warning: 'business_rule',
  except_orm: 'business_rule',
  MissingError: 'not_found',
  UniqueViolation: 'duplicate',
  LockError: 'conflict',
  SerializationFailure: 'conflict',
  TransactionRollbackError: 'conflict',
  LockNotAvailable: 'conflict',
  DeadlockDetected: 'conflict',
  ConcurrencyError: 'conflict',
  RetryableJobError: 'transient',
  TimeoutError: 'transient',
  Timeout: 'transient',
  ReadTimeout: 'transient',
  ConnectTimeout: 'transient',
  ConnectionError: 'transient',
  ConnectionResetError: 'transient',
  ConnectionRefusedError: 'transient',
  ECONNRESET: 'transient',
  ECONNREFUSED: 'transient',
  ETIMEDOUT: 'transient',
  EAI_AGAIN: 'transient',
  ServiceUnavailable: 'transient',
  KeyError: 'server_error',
  ValueError: 'server_error',
  TypeError: 'server_error',
  AttributeError: 'server_error',
  IndexError: 'server_error',
  ZeroDivisionError: 'server_error',
  CacheMiss: 'server_error',
  QWebException: 'server_error',
};

function exceptionCategory(name: string | undefined): ErrorCategory | null {
  if (!name) return null;
  const short = name.trim().split('.').pop() ?? '';
  return EXCEPTION_CATEGORIES[short] ?? null;
}

/**
 * Message patterns specific enough to override a generic class or status. Order
 * matters: a middleware mapping check beats everything, and "lock date" must never be
 * read as a lock conflict.
 */
const MESSAGE_RULES: readonly { pattern: RegExp; category: ErrorCategory }[] = [
  { pattern: /\b(not|isn't|is not) mapped\b|\bno mapping\b|\bunmapped\b|\bmapping (is )?missing\b/i, category: 'reference_missing' },
  { pattern: /duplicate key|unique constraint|already exists|must be unique|identity[_ ]key|duplicated? (invoice|bill|reference)/i, category: 'duplicate' },
  { pattern: /could not serialize|serialization failure|concurrent update|deadlock detected|could not obtain lock|lock not available/i, category: 'conflict' },
  { pattern: /timed? ?out|gateway timeout|socket hang up|econnreset|econnrefused|etimedout|connection (reset|refused|aborted)|service unavailable|temporarily unavailable|too many requests|rate limit/i, category: 'transient' },
  { pattern: /api key (has )?(expired|revoked|invalid)|invalid api key|session expired|access denied|wrong login\/password|invalid credentials/i, category: 'auth' },
  { pattern: /does not exist or has been deleted|record not found|no such record/i, category: 'not_found' },
];

function messageCategory(message: string | undefined): ErrorCategory | null {
  if (!message) return null;
  return MESSAGE_RULES.find((rule) => rule.pattern.test(message))?.category ?? null;
}

/** Odoo's XML-RPC fault codes: 1 application error, 2 warning (any UserError), 3 AccessDenied, 4 AccessError. */
function faultCategory(code: number | undefined): ErrorCategory | null {
  switch (code) {
    case 1:
      return 'server_error';
    case 2:
      return 'business_rule';
    case 3:
      return 'auth';
    case 4:
      return 'permission';
    default:
      return null;
  }
}

const TRANSIENT_STATUSES: ReadonlySet<number> = new Set([408, 425, 429, 502, 503, 504, 520, 521, 522, 523, 524, 598, 599]);

function httpCategory(status: number | undefined): ErrorCategory | null {
  if (status === undefined || status < 400) return null;
  if (TRANSIENT_STATUSES.has(status)) return 'transient';
  if (status === 401) return 'auth';
  if (status === 403) return 'permission';
  if (status === 404 || status === 410) return 'not_found';
  if (status === 409) return 'conflict';
  // 422 without an exception name in the body is "some UserError" (DOMAIN.md).
  if (status === 422) return 'business_rule';
  if (status >= 500) return 'server_error';
  return 'validation';
}

/** Generic buckets a specific message may refine (a ValidationError that is really a unique constraint). */
const REFINABLE: ReadonlySet<ErrorCategory> = new Set<ErrorCategory>(['validation', 'business_rule', 'server_error']);

/**
 * Classifies an Odoo failure. Precedence, most specific first: exception class (refined
 * by the message when the class is a generic bucket), then message patterns, then the
 * XML-RPC fault code, then the HTTP status; nothing recognisable is a server_error.
 */
export function classifyOdooError(input: OdooErrorInput): ErrorCategory {
  const byName = exceptionCategory(input.odooExceptionName);
  const byMessage = messageCategory(input.message);
  // A known class only yields to a message that narrows a generic bucket; credentials
  // wording inside, say, a UserError is the business text, not an auth failure.
  if (byName) return byMessage && REFINABLE.has(byName) && byMessage !== 'auth' ? byMessage : byName;
  return byMessage ?? faultCategory(input.xmlrpcFaultCode) ?? httpCategory(input.httpStatus) ?? 'server_error';
}

export interface BusinessContext {
  /** Odoo model or ledger entity type, e.g. `account.move`, `purchase.order`. */
  entityType?: string;
  field?: string;
}

/** Finance words for Odoo model names; unknown models pass through. */
const ENTITY_WORDS: Readonly<Record<string, string>> = {
  'account.move': 'invoice or bill',
  'account.move.line': 'invoice line',
  'account.payment': 'payment',
  'sale.order': 'rental or sales order',
  'purchase.order': 'purchase order',
  'project.project': 'project',
  'account.analytic.line': 'timesheet',
  'account.analytic.account': 'analytic account',
  'res.partner': 'customer or vendor',
  'product.product': 'product',
  'maintenance.equipment': 'equipment',
  'rental.contract': 'rental contract',
};

function entityWord(context: BusinessContext): string {
  const type = context.entityType?.trim();
  return type ? (ENTITY_WORDS[type] ?? type) : 'record';
}

interface MessageRule {
  pattern: RegExp;
  text: string;
}

/** Common Odoo and middleware failures, checked in order before the category fallback. */
const BUSINESS_RULES: readonly MessageRule[] = [
  // Mapping checks first: "analytic distribution missing because the cost code is not mapped" is a mapping problem.
  { pattern: /(vendor|supplier)\b.*\bnot mapped|not mapped\b.*\b(vendor|supplier)/i, text: 'Vendor is not mapped to an Odoo partner' },
  { pattern: /(customer|partner)\b.*\bnot mapped|not mapped\b.*\b(partner|customer)/i, text: 'Customer is not mapped to an Odoo partner' },
  { pattern: /cost code\b.*\bnot mapped|not mapped\b.*\bcost code/i, text: 'Cost code is not mapped to an Odoo analytic account' },
  { pattern: /project\b.*\bnot mapped|not mapped\b.*\bproject/i, text: 'Project is not mapped to an Odoo project' },
  { pattern: /(product|equipment)\b.*\bnot mapped|not mapped\b.*\b(product|equipment)/i, text: 'Equipment or product is not mapped to an Odoo product' },
  { pattern: /analytic[ _]distribution|no analytic account|analytic account (is )?(missing|required)/i, text: 'Project has no analytic account in Odoo' },
  { pattern: /lock date|period is locked|locked period|fiscal (year|period) (is )?(locked|closed)/i, text: 'The accounting period is locked in Odoo' },
  { pattern: /api key|access denied|wrong login|invalid credentials|session expired/i, text: "Odoo rejected the interface's credentials (API key expired or revoked)" },
  { pattern: /no (\w+ )?journal|journal (is )?(missing|not found|required)|define an? (\w+ )*journal/i, text: 'No suitable journal is configured in Odoo for this document' },
  { pattern: /(income|expense) account|no account (is )?defined/i, text: 'The product has no income or expense account in Odoo' },
  { pattern: /does not match (the )?purchase order|price difference|quantity (billed|invoiced) exceeds/i, text: 'The bill does not match its purchase order' },
  { pattern: /hourly cost/i, text: 'The employee has no hourly cost in Odoo, so the timesheet cannot be costed' },
  { pattern: /currency\b.*\b(inactive|not active|archived)|(inactive|archived)\b.*\bcurrency/i, text: 'The currency is not active in Odoo' },
  { pattern: /\btax(es)?\b/i, text: 'A tax on this document is missing or not allowed in Odoo' },
];

const FALLBACKS: Readonly<Record<ErrorCategory, (context: BusinessContext) => string>> = {
  auth: () => "Odoo rejected the interface's credentials (API key expired or revoked)",
  permission: (c) => `The interface's Odoo user is not allowed to change this ${entityWord(c)}`,
  validation: (c) => (c.field ? `Odoo rejected the ${entityWord(c)}: field "${c.field}" is missing or invalid` : `Odoo rejected the ${entityWord(c)} as incomplete or invalid`),
  business_rule: (c) => `Odoo's accounting rules refused this ${entityWord(c)}`,
  not_found: (c) => `The ${entityWord(c)} no longer exists in Odoo (deleted or archived)`,
  reference_missing: (c) => `A ${c.field ?? 'reference'} on this ${entityWord(c)} is not mapped to an Odoo record`,
  duplicate: (c) => `This ${entityWord(c)} already exists in Odoo (duplicate number or reference)`,
  conflict: (c) => `Someone else was changing the same ${entityWord(c)} in Odoo; it will be retried automatically`,
  transient: () => 'Odoo was unreachable or too slow to answer; it will be retried automatically',
  server_error: () => 'Odoo failed with an internal error; IT needs to look at the technical details',
};

/** Categories whose meaning a message pattern must not override (a timeout that mentions a journal is still a timeout). */
const FIXED_MEANING: ReadonlySet<ErrorCategory> = new Set<ErrorCategory>(['transient', 'conflict', 'duplicate', 'not_found', 'permission']);

/**
 * A one-line, plain-language explanation of a failure for finance users: a recognised
 * message pattern first (e.g. the missing analytic distribution that really means the
 * project has no analytic account), else the category's generic explanation.
 */
export function businessMessage(category: ErrorCategory, message: string, context: BusinessContext = {}): string {
  if (!FIXED_MEANING.has(category)) {
    const rule = BUSINESS_RULES.find((r) => r.pattern.test(message));
    if (rule) return rule.text;
  }
  return FALLBACKS[category](context);
}
