import { HttpError } from '@/ingest/body';
import { locateJsonError } from '@/ingest/json-locate';

/**
 * A ledger batch body as a list of raw events: a JSON array, `{"events": [...]}`, or
 * NDJSON (one event per line, blank lines ignored). Unparseable input is a 400 that
 * says where; the events themselves are validated one by one later.
 */
export function parseLedgerBody(body: Buffer, type: string): unknown[] {
  const text = body.toString('utf8').replace(/^\uFEFF/, '');
  if (type === 'application/x-ndjson') return parseNdjson(text);

  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw jsonError(text, error);
  }
  if (Array.isArray(parsed)) return parsed;
  if (parsed && typeof parsed === 'object' && Array.isArray((parsed as { events?: unknown }).events)) {
    return (parsed as { events: unknown[] }).events;
  }
  throw new HttpError(400, 'bad_request', 'The body must be a JSON array of events or an object {"events": [...]}.');
}

function parseNdjson(text: string): unknown[] {
  const events: unknown[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i += 1) {
    const line = lines[i]?.trim() ?? '';
    if (!line) continue;
    try {
      events.push(JSON.parse(line));
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new HttpError(400, 'bad_request', `NDJSON line ${i + 1} is not valid JSON: ${reason}`, {}, { line: i + 1 });
    }
  }
  return events;
}

function jsonError(text: string, error: unknown): HttpError {
  const reason = error instanceof Error ? error.message : String(error);
  if (text.trim() === '') return new HttpError(400, 'bad_request', 'The body is empty; send a JSON array of events.');
  const where = locateJsonError(text);
  if (!where) return new HttpError(400, 'bad_request', `The body is not valid JSON: ${reason}`);
  const { line, column, position, expected } = where;
  return new HttpError(400, 'bad_request', `The body is not valid JSON at line ${line}, column ${column} (position ${position}): expected ${expected}.`, {}, { position, line, column });
}
