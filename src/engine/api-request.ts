import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { ApiStatusError } from './engine-errors.js';
import type { Transport } from './engine-transport.js';

// One request to the Engine API: JSON in, JSON out, an HTTP error as ApiStatusError with
// the engine's own message ({"message": "..."}; engines before 1.24 answered some errors
// in plain text), a timeout on an idle request, and none on a stream.

export type Query = Record<string, string | undefined>;

export interface ApiAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  /** The parsed JSON body; the text for a non-JSON one (/_ping's "OK"); undefined when empty. */
  body: unknown;
}

export interface RequestSettings {
  query?: Query;
  /** Sent as JSON. */
  body?: unknown;
  /** Idle time after which the request fails with ETIMEDOUT; 0: none (a stream). */
  timeoutMs: number;
  signal?: AbortSignal;
}

export function pathWithQuery(path: string, query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined) params.set(k, v);
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

interface Sent {
  res: IncomingMessage;
  /** The error to report instead of the stream's "aborted" when the timeout cut the body short. */
  timeout: () => Error | undefined;
}

/** A request whose answer (any status) has arrived. */
function send(t: Transport, method: string, path: string, s: RequestSettings): Promise<Sent> {
  return new Promise((resolve, reject) => {
    const payload = s.body === undefined ? undefined : Buffer.from(JSON.stringify(s.body));
    const req = t.request(method, pathWithQuery(path, s.query), {
      headers: payload ? { 'content-type': 'application/json', 'content-length': payload.length } : {},
      ...(s.timeoutMs > 0 ? { timeout: s.timeoutMs } : {}),
      ...(s.signal ? { signal: s.signal } : {}),
    });
    let timedOut: Error | undefined;
    if (s.timeoutMs > 0) {
      req.setTimeout(s.timeoutMs, () => {
        timedOut = Object.assign(new Error(`no answer within ${s.timeoutMs} ms`), { code: 'ETIMEDOUT' });
        req.destroy(timedOut);
      });
    } else {
      // A pooled connection keeps its idle timer: a stream that stays quiet for hours must not meet it.
      req.on('socket', (socket) => socket.setTimeout(0));
    }
    req.once('response', (res) => resolve({ res, timeout: () => timedOut }));
    // Not once: a connection that fails after the answer arrived reports to the request again.
    req.on('error', (err) => reject(Object.assign(err, { reusedSocket: req.reusedSocket })));
    req.end(payload);
  });
}

/**
 * Sends, and once more when a pooled connection turned out closed before any answer (the
 * engine or an ssh process ended it while idle): only for requests that change nothing.
 */
async function sendOnce(t: Transport, method: string, path: string, s: RequestSettings): Promise<Sent> {
  try {
    return await send(t, method, path, s);
  } catch (err) {
    const { code, reusedSocket } = err as { code?: string; reusedSocket?: boolean };
    if (!reusedSocket || (method !== 'GET' && method !== 'HEAD') || (code !== 'ECONNRESET' && code !== 'EPIPE') || s.signal?.aborted) throw err;
    return await send(t, method, path, s);
  }
}

async function readBody(res: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of res) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  if (!text) return undefined;
  const type = res.headers['content-type'] ?? '';
  if (!type.includes('json') && !(type === '' && /^\s*[[{]/.test(text))) return text;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new Error(`${res.statusCode} with a body that is not JSON: ${JSON.stringify(text.slice(0, 80))}`);
  }
}

function statusError(res: IncomingMessage, body: unknown): ApiStatusError {
  const message = body !== null && typeof body === 'object' ? (body as { message?: unknown }).message : body;
  const said = typeof message === 'string' && message.trim() ? message.trim() : res.statusMessage || 'no message';
  return new ApiStatusError(res.statusCode ?? 0, said);
}

/** The whole answer; throws ApiStatusError for a status outside 2xx. */
export async function apiRequest(t: Transport, method: string, path: string, s: RequestSettings): Promise<ApiAnswer> {
  const { res, timeout } = await sendOnce(t, method, path, s);
  let body: unknown;
  try {
    body = await readBody(res);
  } catch (err) {
    throw timeout() ?? err;
  }
  const status = res.statusCode ?? 0;
  if (status < 200 || status > 299) throw statusError(res, body);
  return { status, headers: res.headers, body };
}

/** The answer as a stream (/events), without a timeout; throws ApiStatusError for a status outside 2xx. */
export async function apiStream(t: Transport, path: string, s: Omit<RequestSettings, 'timeoutMs' | 'body'>): Promise<IncomingMessage> {
  const { res } = await sendOnce(t, 'GET', path, { ...s, timeoutMs: 0 });
  const status = res.statusCode ?? 0;
  if (status < 200 || status > 299) throw statusError(res, await readBody(res));
  return res;
}
