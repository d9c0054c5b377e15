// Thin client for /api/v1: cookie session (same-origin), CSRF header on writes, typed errors.
export interface ApiErrorBody {
  code: string;
  message: string;
  fields?: Record<string, string>;
}

export class ApiError extends Error {
  constructor(
    public status: number,
    public code: string,
    message: string,
    public fields: Record<string, string> = {},
  ) {
    super(message);
  }
}

export type Rec = Record<string, any> & { id: number | string; version?: number };

export interface Page<T = Rec> {
  data: T[];
  next_cursor: string | null;
}

let csrfToken = '';
let onUnauthorized: () => void = () => {};

export function setCsrfToken(token: string) {
  csrfToken = token || '';
}

// Called when any request (other than login/me) gets 401: the session has expired.
export function setUnauthorizedHandler(fn: () => void) {
  onUnauthorized = fn;
}

export interface RequestOptions {
  ifMatch?: number | string;
  contentType?: string;
  rawBody?: string;
  quiet401?: boolean;
}

export async function request<T = any>(
  method: string,
  path: string,
  body?: unknown,
  opts: RequestOptions = {},
): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (method !== 'GET' && method !== 'HEAD' && csrfToken) headers['X-CSRF-Token'] = csrfToken;
  if (opts.ifMatch !== undefined) headers['If-Match'] = `"${opts.ifMatch}"`;
  let payload: BodyInit | undefined;
  if (opts.rawBody !== undefined) {
    payload = opts.rawBody;
    headers['Content-Type'] = opts.contentType || 'text/plain';
  } else if (body !== undefined) {
    payload = JSON.stringify(body);
    headers['Content-Type'] = 'application/json';
  }
  let res: Response;
  try {
    res = await fetch(`/api/v1${path}`, { method, headers, body: payload, credentials: 'same-origin' });
  } catch (e) {
    throw new ApiError(0, 'network', String(e));
  }
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  let json: any = undefined;
  if (text) {
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
  }
  if (!res.ok) {
    const err: ApiErrorBody = json?.error ?? { code: 'http_' + res.status, message: res.statusText };
    if (res.status === 401 && !opts.quiet401) onUnauthorized();
    throw new ApiError(res.status, err.code, err.message || res.statusText, err.fields || {});
  }
  return json as T;
}

export const api = {
  get: <T = any>(path: string, opts?: RequestOptions) => request<T>('GET', path, undefined, opts),
  post: <T = any>(path: string, body?: unknown, opts?: RequestOptions) =>
    request<T>('POST', path, body ?? {}, opts),
  patch: <T = any>(path: string, body: unknown, opts?: RequestOptions) =>
    request<T>('PATCH', path, body, opts),
  del: <T = any>(path: string, opts?: RequestOptions) => request<T>('DELETE', path, undefined, opts),
};

export function qs(params: Record<string, string | number | undefined | null | string[]>): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === null || v === '') continue;
    const values = Array.isArray(v) ? v : [String(v)];
    for (const one of values) parts.push(`${encodeURIComponent(k)}=${encodeURIComponent(one)}`);
  }
  return parts.length ? `?${parts.join('&')}` : '';
}

export function listPage(resource: string, params: Record<string, string | number | undefined>) {
  return api.get<Page>(`/${resource}${qs(params)}`);
}

// Reads every page of a bounded list (e.g. the deals of one pipeline), stopping at `cap` rows.
export async function listAll(
  resource: string,
  params: Record<string, string | number | undefined>,
  cap = 2000,
): Promise<Rec[]> {
  const out: Rec[] = [];
  let cursor: string | undefined;
  do {
    const page = await listPage(resource, { ...params, limit: 500, cursor });
    out.push(...page.data);
    cursor = page.next_cursor || undefined;
  } while (cursor && out.length < cap);
  return out;
}

// Maps server field errors ("emails[0]", "emails.0") onto form field names.
export function fieldErrors(e: unknown): Record<string, string> {
  if (!(e instanceof ApiError)) return {};
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(e.fields)) {
    const base = k.split(/[.[]/)[0];
    if (!out[base]) out[base] = v;
  }
  return out;
}
