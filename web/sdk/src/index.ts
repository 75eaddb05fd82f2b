// OpenIDV web SDK: OpenIDV.mount(element, options).

import './styles.css';
import { Embedder, embedders, origins, watchHeight } from './embed';
import type { LogEvent } from './types';
import { Widget, type MountOptions, type Mounted } from './widget';

export type { MountOptions, Mounted, LogEvent };

/** version is the SDK version. */
export const version = '0.1.0';

/** mount renders the verification flow into element and starts it. */
export function mount(element: HTMLElement, options: MountOptions): Mounted {
  const w = new Widget(element, options);
  void w.start();
  return { unmount: () => w.unmount() };
}

/**
 * hostedToken reads the client token from the URL fragment and removes it
 * from the address bar, keeping it in this tab's sessionStorage so that a
 * reload still works.
 */
function hostedToken(sessionId: string): string {
  const key = 'openidv:' + sessionId;
  const fromHash = new URLSearchParams(location.hash.slice(1)).get('token') || '';
  try {
    if (fromHash) sessionStorage.setItem(key, fromHash);
    else return sessionStorage.getItem(key) || '';
  } catch {
    // storage disabled: the token lives in memory only
  }
  if (fromHash && history.replaceState) history.replaceState(null, '', location.pathname + location.search);
  return fromHash;
}

/**
 * hosted mounts the hosted page (GET /s/{id}): the session id and brand come
 * from the element's data attributes, the client token from the URL fragment.
 * Events are collected on window.openidvEvents for tests and support. When
 * the page is framed or opened by a page of an origin in data-frame-ancestors,
 * it tells that page when the flow starts and ends and how tall it is.
 */
function hosted(): void {
  const el = document.getElementById('openidv');
  if (!el || el.dataset.hosted !== 'true') return;
  const sessionId = el.dataset.sessionId || '';
  const token = hostedToken(sessionId);
  const events: LogEvent[] = [];
  (window as any).openidvEvents = events;
  const embed = new Embedder(embedders(window), origins(el.dataset.frameAncestors || ''), sessionId);
  if (embed.active) watchHeight(document, (px) => embed.height(px));
  mount(el, {
    sessionId,
    clientToken: token,
    baseUrl: el.dataset.baseUrl,
    brandName: el.dataset.brandName,
    onLog: (e) => events.push(e),
    onScreen: embed.active ? (s) => embed.screen(s) : undefined,
  });
}

if (typeof document !== 'undefined') {
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', hosted);
  else hosted();
}
