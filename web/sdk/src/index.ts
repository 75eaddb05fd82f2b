// OpenIDV web SDK: OpenIDV.mount(element, options).

import './styles.css';
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
 * hosted mounts the hosted page (GET /s/{id}): the session id and brand come
 * from the element's data attributes, the client token from the URL fragment,
 * which is then removed from the address bar. Events are collected on
 * window.openidvEvents for tests and support.
 */
function hosted(): void {
  const el = document.getElementById('openidv');
  if (!el || el.dataset.hosted !== 'true') return;
  const token = new URLSearchParams(location.hash.slice(1)).get('token') || '';
  if (token && history.replaceState) history.replaceState(null, '', location.pathname + location.search);
  const events: LogEvent[] = [];
  (window as any).openidvEvents = events;
  mount(el, {
    sessionId: el.dataset.sessionId,
    clientToken: token,
    baseUrl: el.dataset.baseUrl,
    brandName: el.dataset.brandName,
    onLog: (e) => events.push(e),
  });
}

if (typeof document !== 'undefined') {
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', hosted);
  else hosted();
}
