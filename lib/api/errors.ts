/**
 * The one error shape every Plumbline HTTP API answers with (web /api routes and ingest):
 * `{ "error": { "code": "...", "message": "...", "details": ... } }`.
 */
export interface ApiErrorBody {
  error: { code: string; message: string; details?: unknown };
}

export function apiErrorBody(code: string, message: string, details?: unknown): ApiErrorBody {
  return { error: details === undefined ? { code, message } : { code, message, details } };
}

export function apiError(status: number, code: string, message: string, details?: unknown, headers?: HeadersInit): Response {
  return Response.json(apiErrorBody(code, message, details), { status, headers });
}

/** Thrown inside lib/ to say "this is the caller's fault"; route wrappers turn it into a 4xx. */
export class RequestError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'RequestError';
  }
}

/** A query parameter that does not read, and what it must be. */
export interface ParamIssue {
  parameter: string;
  message: string;
}

function invalidFiltersMessage(issues: readonly ParamIssue[]): string {
  return `Invalid filter: ${issues.map((i) => `${i.parameter} ${i.message}`).join('; ')}`;
}

/** The 400 `invalid_filters` for a request whose query parameters do not read, one detail per issue. */
export function invalidFilters(issues: readonly ParamIssue[]): Response {
  return apiError(400, 'invalid_filters', invalidFiltersMessage(issues), issues);
}

/** The same, thrown from inside lib/ (RequestError). */
export function invalidFiltersError(issues: readonly ParamIssue[]): RequestError {
  return new RequestError(400, 'invalid_filters', invalidFiltersMessage(issues), issues);
}

/** A 400 in the shared shape when the query parameter `parameter` is not one of `allowed`; null when it is. */
export function invalidChoice(parameter: string, value: string | undefined, allowed: readonly string[]): Response | null {
  if (value !== undefined && allowed.includes(value)) return null;
  return invalidFilters([{ parameter, message: `must be one of ${allowed.join(', ')}` }]);
}
