import { afterEach, describe, expect, it, vi } from 'vitest';
import { mount } from '../src/index';
import { missingApis, resolve } from '../src/widget';
import type { LogEvent } from '../src/types';

describe('resolve', () => {
  it('reads the id and token from the session url fragment', () => {
    expect(resolve({ sessionUrl: 'https://idv.example/base/s/abc123#token=ct_x' }, 'https://shop.example')).toEqual({
      baseUrl: 'https://idv.example/base',
      sessionId: 'abc123',
      token: 'ct_x',
    });
  });
  it('takes an explicit id and token', () => {
    expect(resolve({ sessionId: 'a', clientToken: 't', baseUrl: 'https://idv.example/' }, 'https://x')).toEqual({
      baseUrl: 'https://idv.example',
      sessionId: 'a',
      token: 't',
    });
  });
  it('refuses a url without a session', () => {
    expect(() => resolve({ sessionUrl: 'https://idv.example/other' }, 'https://x')).toThrow(/session url/);
  });
});

describe('missingApis', () => {
  it('names what is missing', () => {
    expect(missingApis({ fetch: () => 0, Promise, URL, URLSearchParams, JSON })).toEqual([]);
    expect(missingApis({ Promise, URL, URLSearchParams, JSON })).toEqual(['fetch']);
  });
});

/** fakeServer answers the SDK's calls from a table and records them. */
function fakeServer(preflights: Record<string, unknown>) {
  const calls: string[] = [];
  const fetchFn = vi.fn(async (url: string, init: RequestInit) => {
    const path = new URL(url).pathname.replace(/^\/v1\/sessions\/s1/, '') || '/';
    const key = `${init.method} ${path}`;
    calls.push(key + (init.body ? ' ' + init.body : ''));
    const body = preflights[key];
    if (body === undefined) return new Response('{"error":{"type":"not_found","message":"no"}}', { status: 404 });
    return new Response(JSON.stringify(body), { status: 200, headers: { 'Content-Type': 'application/json' } });
  });
  return { calls, fetchFn };
}

const consent = {
  session_id: 's1',
  status: 'in_progress',
  requirement: { requirement_type: 'consent', status: 'pending', flow_order: 100 },
  screen: { show: 'consent_screen', parameters: { title: null, text: 'We keep your data for 30 days.' } },
  attempts: null,
  last_error: null,
  web_sdk_return_url: null,
};
const cancelled = { ...consent, status: 'canceled', requirement: null, screen: { show: 'cancel_screen', parameters: {} } };

describe('mount', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    document.body.replaceChildren();
  });

  it('renders the consent text of the level, in the session language, and sends the answer', async () => {
    const srv = fakeServer({
      'GET /': { session_id: 's1', status: 'in_progress', i18n: 'es', steps: [], web_sdk_return_url: null },
      'GET /preflight': consent,
      'PATCH /consent': cancelled,
    });
    vi.stubGlobal('fetch', srv.fetchFn);
    vi.stubGlobal('WebSocket', undefined);
    const el = document.createElement('div');
    document.body.append(el);
    const logs: LogEvent[] = [];
    const done = vi.fn();
    const screens: string[] = [];
    mount(el, {
      sessionId: 's1',
      clientToken: 'ct_1',
      baseUrl: 'https://idv.example',
      onLog: (e) => logs.push(e),
      onComplete: done,
      onScreen: (s) => screens.push(s),
    });
    await vi.waitFor(() => expect(el.querySelector('[data-screen=consent_screen]')).not.toBeNull());
    expect(el.textContent).toContain('We keep your data for 30 days.');
    expect(el.querySelector('[data-action=accept]')!.textContent).toBe('Acepto');
    (el.querySelector('[data-action=reject]') as HTMLButtonElement).click();
    await vi.waitFor(() => expect(el.querySelector('[data-screen=cancel_screen]')).not.toBeNull());
    expect(srv.calls).toContain('PATCH /consent {"consent":false}');
    expect(el.querySelector('h1')!.textContent).toBe('Verificación cancelada');
    expect(done).toHaveBeenCalledWith({ screen: 'cancel_screen', status: 'canceled', returnUrl: null });
    expect(logs).toEqual([]);
    expect(screens).toEqual(['consent_screen', 'cancel_screen']);
  });

  it('says plainly when a step is not available and logs browserNotSupported', async () => {
    const srv = fakeServer({
      'GET /': { session_id: 's1', status: 'in_progress', steps: [], web_sdk_return_url: null },
      'GET /preflight': {
        ...consent,
        requirement: { requirement_type: 'liveness', status: 'pending', flow_order: 300 },
        screen: { show: 'liveness_screen', parameters: { available: false } },
      },
      'POST /events': { recorded: 1 },
    });
    vi.stubGlobal('fetch', srv.fetchFn);
    vi.stubGlobal('WebSocket', undefined);
    const el = document.createElement('div');
    const logs: LogEvent[] = [];
    mount(el, { sessionId: 's1', clientToken: 'ct_1', baseUrl: 'https://idv.example', locale: 'en', onLog: (e) => logs.push(e) });
    await vi.waitFor(() => expect(el.querySelector('[data-screen=liveness_screen]')).not.toBeNull());
    expect(el.querySelector('h1')!.textContent).toBe('This step is not available here yet');
    expect(logs.map((e) => e.type)).toEqual(['browserNotSupported']);
    await vi.waitFor(() => expect(srv.calls.some((c) => c.startsWith('POST /events [{"type":"browserNotSupported"'))).toBe(true));
  });

  it('reports a server failure as InternalServerError and offers to retry', async () => {
    const calls: string[] = [];
    vi.stubGlobal(
      'fetch',
      vi.fn(async (url: string, init: RequestInit) => {
        calls.push(`${init.method} ${new URL(url).pathname}` + (init.body ? ' ' + init.body : ''));
        if (init.method === 'POST') return new Response('{"recorded":1}', { status: 201 });
        return new Response('{"error":{"type":"internal","message":"boom"}}', { status: 500 });
      }),
    );
    vi.stubGlobal('WebSocket', undefined);
    const el = document.createElement('div');
    const logs: LogEvent[] = [];
    const errors: Error[] = [];
    mount(el, { sessionId: 's1', clientToken: 'ct_1', baseUrl: 'https://idv.example', locale: 'en', onLog: (e) => logs.push(e), onError: (e) => errors.push(e) });
    await vi.waitFor(() => expect(el.querySelector('[data-screen=error]')).not.toBeNull());
    expect(el.querySelector('h1')!.textContent).toBe('Something went wrong');
    expect(el.querySelector('button')!.textContent).toBe('Try again');
    expect(logs).toEqual([{ type: 'InternalServerError', payload: { message: 'Error. Try again.' } }]);
    expect(errors.map((e) => e.message)).toContain('boom');
    await vi.waitFor(() =>
      expect(calls).toContain('POST /v1/sessions/s1/events [{"type":"InternalServerError","payload":{"message":"Error. Try again."}}]'),
    );
  });
});
