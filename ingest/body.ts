import type http from 'node:http';
import zlib from 'node:zlib';

/** A client mistake (4xx) or a shedding answer (429/503), rendered by the endpoint in its own error format. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

/** `application/json; charset=utf-8` → `application/json`; undefined when absent. */
export function mediaType(header: string | undefined): string | undefined {
  const type = header?.split(';')[0]?.trim().toLowerCase();
  return type || undefined;
}

/**
 * Shedding load: the in-flight byte budget is spent (nothing of the request is kept).
 * `closeConnection` when part of the body was left unread, so the connection can't be reused.
 */
export function overloaded(closeConnection = false): HttpError {
  const headers: Record<string, string> = closeConnection ? { 'retry-after': '1', connection: 'close' } : { 'retry-after': '1' };
  return new HttpError(429, 'overloaded', 'Ingest is holding as much data as it may; retry after the indicated delay.', headers);
}

function tooLarge(maxBytes: number, what: string): HttpError {
  // The rest of an oversized body is not read, so the connection can't be reused.
  return new HttpError(413, 'payload_too_large', `${what} exceeds the limit of ${maxBytes} bytes.`, { connection: 'close' }, { limitBytes: maxBytes });
}

/**
 * Reads the whole body, counting bytes as they arrive (Content-Length is only a hint),
 * then undoes Content-Encoding with an output cap so a small gzip bomb can't expand
 * past the same limit. Every byte kept is first taken from `take` (the in-flight budget):
 * the declared length before reading anything, so an overloaded server answers 429
 * without reading the body, then whatever arrives beyond it and the decompressed size.
 */
export async function readBody(req: http.IncomingMessage, maxBytes: number, take: (bytes: number) => boolean = () => true): Promise<Buffer> {
  const encoding = (req.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  if (!['identity', 'gzip', 'x-gzip', 'deflate'].includes(encoding)) {
    throw new HttpError(415, 'unsupported_media_type', `Content-Encoding "${encoding}" is not supported; use gzip, deflate or none.`);
  }
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge(maxBytes, 'The request body');
  let taken = Number.isFinite(declared) && declared > 0 ? declared : 0;
  if (taken > 0 && !take(taken)) throw overloaded();

  const raw = await new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    req.on('data', (chunk: Buffer) => {
      if (done) return;
      size += chunk.length;
      if (size > maxBytes) {
        done = true;
        req.pause();
        reject(tooLarge(maxBytes, 'The request body'));
        return;
      }
      if (size > taken) {
        if (!take(size - taken)) {
          done = true;
          req.pause();
          reject(overloaded(true));
          return;
        }
        taken = size;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (!done) resolve(Buffer.concat(chunks, size));
    });
    req.on('error', (error) => {
      if (!done) reject(new HttpError(400, 'bad_request', `The request body could not be read: ${error.message}`));
      done = true;
    });
  });

  if (encoding === 'identity') return raw;
  const inflate = encoding === 'deflate' ? zlib.inflate : zlib.gunzip;
  return new Promise<Buffer>((resolve, reject) => {
    inflate(raw, { maxOutputLength: maxBytes }, (error, result) => {
      if (!error) return take(result.length) ? resolve(result) : reject(overloaded());
      if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE' || error instanceof RangeError) {
        return reject(tooLarge(maxBytes, 'The decompressed request body'));
      }
      reject(new HttpError(400, 'bad_request', `The body is not valid ${encoding} data: ${error.message}`));
    });
  });
}
