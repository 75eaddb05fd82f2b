// The HTTP client of the session API, authorised by the client token.

import type { LogEvent, Preflight, SessionInfo } from './types';

/** ApiError is a failed call with the server's error envelope. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
    readonly retryAfter: number | null,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** Api calls /v1/sessions/{id}/… with the client token. */
export class Api {
  private readonly root: string;

  constructor(
    baseUrl: string,
    readonly sessionId: string,
    private readonly token: string,
    private readonly fetchFn: typeof fetch = (...a) => fetch(...a),
  ) {
    this.root = baseUrl.replace(/\/+$/, '') + '/v1/sessions/' + encodeURIComponent(sessionId);
  }

  /** websocketUrl is the cable URL (the token goes in the query: browsers cannot set headers on websockets). */
  websocketUrl(): string {
    const u = new URL(this.root + '/cable');
    u.protocol = u.protocol === 'https:' ? 'wss:' : 'ws:';
    u.searchParams.set('token', this.token);
    return u.toString();
  }

  session(): Promise<SessionInfo> {
    return this.call('GET', '');
  }
  preflight(): Promise<Preflight> {
    return this.call('GET', '/preflight');
  }
  consent(consent: boolean): Promise<Preflight> {
    return this.call('PATCH', '/consent', { consent });
  }
  startPhone(phone_number: string): Promise<Preflight> {
    return this.call('POST', '/phone_verification', { phone_number });
  }
  completePhone(code: string): Promise<Preflight> {
    return this.call('PATCH', '/phone_verification', { code });
  }
  startEmail(email_address: string): Promise<Preflight> {
    return this.call('POST', '/email_verification', { email_address });
  }
  completeEmail(code: string): Promise<Preflight> {
    return this.call('PATCH', '/email_verification', { code });
  }
  qr(): Promise<{ url: string; qr_base64_png: string }> {
    return this.call('GET', '/qr');
  }
  events(events: LogEvent[]): Promise<unknown> {
    return this.call('POST', '/events', events);
  }

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { Authorization: 'Bearer ' + this.token, 'X-Origin': 'js-sdk' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const resp = await this.fetchFn(this.root + path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'omit',
      referrerPolicy: 'no-referrer',
      cache: 'no-store',
    });
    const text = await resp.text();
    let json: any = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      json = null;
    }
    if (!resp.ok) {
      const e = json && json.error ? json.error : {};
      const retry = Number(resp.headers.get('Retry-After'));
      throw new ApiError(resp.status, e.type || 'internal', e.message || resp.statusText, retry > 0 ? retry : null);
    }
    return json as T;
  }
}
