// Flow logic without DOM: which view a preflight routes to, the seed's
// fallback timeouts, and the Driver that keeps the latest preflight from
// the websocket, action answers and polling.

import type { Preflight } from './types';

/** View is what the SDK renders for a preflight. */
export type View = 'consent' | 'phone' | 'email' | 'terminal' | 'unavailable';

const terminalScreens = ['completed_screen', 'cancel_screen', 'successful_screen', 'rejected_screen'];

/** viewFor routes a screen name to the view that renders it. */
export function viewFor(screen: string): View {
  switch (screen) {
    case 'consent_screen':
      return 'consent';
    case 'phone_verification_start_screen':
      return 'phone';
    case 'email_verification_start_screen':
      return 'email';
  }
  return terminalScreens.includes(screen) ? 'terminal' : 'unavailable';
}

/** isTerminal reports whether a screen ends the flow. */
export function isTerminal(screen: string): boolean {
  return terminalScreens.includes(screen);
}

/**
 * fallbackTimeoutMs is how long to wait for a websocket push before asking
 * for the preflight again (docs/contracts.md): 90 s on the ID document
 * screens, 30 s on email, 10 s elsewhere.
 */
export function fallbackTimeoutMs(screen: string): number {
  if (screen === 'scan_id_document_front_screen' || screen === 'scan_id_document_back_screen') return 90_000;
  if (screen === 'email_verification_start_screen') return 30_000;
  return 10_000;
}

/** fingerprint identifies what a preflight shows, to skip re-rendering identical pushes. */
export function fingerprint(p: Preflight): string {
  return JSON.stringify([p.status, p.screen, p.requirement, p.attempts, p.last_error, p.web_sdk_return_url]);
}

/** Transport is the live channel (the websocket) as the Driver sees it. */
export interface Transport {
  /** open connects; onPreflight gets every pushed payload, onDown is called once when the channel is lost or cannot open. */
  open(onPreflight: (p: Preflight) => void, onDown: () => void): void;
  /** requestPreflight asks the server to push the preflight now; false when not connected. */
  requestPreflight(): boolean;
  close(): void;
}

/** reconnectDelayMs is the wait before reopening a lost websocket: 2 s, doubling to at most 60 s. */
export function reconnectDelayMs(attempt: number): number {
  return Math.min(2_000 * 2 ** attempt, 60_000);
}

/** DriverDeps are the Driver's collaborators; tests pass fakes and fake timers. */
export interface DriverDeps {
  fetchPreflight: () => Promise<Preflight>;
  /** transport makes a live channel (a new one per connection attempt); null polls only. */
  transport: (() => Transport) | null;
  onPreflight: (p: Preflight) => void;
  onError: (e: unknown) => void;
}

/**
 * Driver keeps the flow moving: websocket first; when nothing arrives for
 * the current screen's fallback timeout it sends "preflight" on the socket
 * or, without a socket, calls the preflight API. It stops on terminal screens.
 */
export class Driver {
  private timer: ReturnType<typeof setTimeout> | null = null;
  private reconnect: ReturnType<typeof setTimeout> | null = null;
  private transport: Transport | null = null;
  private current: Preflight | null = null;
  private last = '';
  private live = false;
  private stopped = false;
  private attempts = 0;
  /** polls counts preflight API calls made as a fallback (for tests and diagnostics). */
  polls = 0;

  constructor(private readonly deps: DriverDeps) {}

  /** start opens the transport and arms the first fallback timer. */
  start(): void {
    if (this.deps.transport) {
      this.connect();
      this.arm('consent_screen');
    } else {
      this.poll();
    }
  }

  /** connect opens a new transport; when it is lost the Driver polls at once and reconnects later. */
  private connect(): void {
    const t = this.deps.transport!();
    this.transport = t;
    this.live = true;
    t.open(
      (p) => {
        this.attempts = 0;
        this.accept(p);
      },
      () => {
        if (this.transport !== t) return;
        this.live = false;
        this.transport = null;
        if (this.stopped) return;
        this.poll();
        this.reconnect = setTimeout(() => {
          this.reconnect = null;
          if (!this.stopped) this.connect();
        }, reconnectDelayMs(this.attempts++));
      },
    );
  }

  /** accept takes a preflight from any source (push, action answer, poll). */
  accept(p: Preflight): void {
    if (this.stopped) return;
    this.current = p;
    const fp = fingerprint(p);
    if (fp !== this.last) {
      this.last = fp;
      this.deps.onPreflight(p);
    }
    if (isTerminal(p.screen.show)) {
      this.stop();
      return;
    }
    this.arm(p.screen.show);
  }

  /** stop ends timers and the transport. */
  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.reconnect) clearTimeout(this.reconnect);
    this.timer = this.reconnect = null;
    const t = this.transport;
    this.transport = null;
    t?.close();
  }

  /** screen is the screen of the latest preflight, if any. */
  screen(): string | null {
    return this.current ? this.current.screen.show : null;
  }

  private arm(screen: string): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.fallback(), fallbackTimeoutMs(screen));
  }

  private fallback(): void {
    if (this.stopped) return;
    if (this.live && this.transport?.requestPreflight()) {
      this.arm(this.screen() ?? 'consent_screen');
      return;
    }
    this.poll();
  }

  private poll(): void {
    this.polls++;
    this.deps.fetchPreflight().then(
      (p) => this.accept(p),
      (e) => {
        this.deps.onError(e);
        if (!this.stopped) this.arm(this.screen() ?? 'consent_screen');
      },
    );
  }
}
