// The hosted page talking to the page that embeds it (an iframe's parent or
// a popup's opener), in the message protocol of the seed vendor's web SDK:
//   {type: 'bynn-verification', status, sessionId}  status: start | completed |
//        successful | rejected | cancel | error (with error: string)
//   {type: 'resize', height}                         the content height in CSS px
// Messages go only to the origins the server allows to frame the page
// (hosted_page.frame_ancestors), each named as the target origin, so the
// browser drops them for any other embedder; never to '*'.

/** Target is a window the page can post to. */
export interface Target {
  postMessage(message: unknown, targetOrigin: string): void;
}

/** Status is a bynn-verification status. */
export type Status = 'start' | 'completed' | 'successful' | 'rejected' | 'cancel' | 'error';

/** statusFor maps a screen the page shows to the status it reports, or null. */
export function statusFor(screen: string): Status | null {
  switch (screen) {
    case 'completed_screen':
      return 'completed';
    case 'successful_screen':
      return 'successful';
    case 'rejected_screen':
      return 'rejected';
    case 'cancel_screen': // cancelled, refused consent or expired: the session is over unverified
      return 'cancel';
    case 'error':
    case 'browserNotSupported':
      return 'error';
  }
  return null;
}

/**
 * origins parses the space-separated allowed origins, keeping only exact
 * http(s) origins (a target origin cannot be a pattern).
 */
export function origins(list: string): string[] {
  const out: string[] = [];
  for (const o of list.split(/\s+/)) {
    if (!/^https?:\/\/[^/?#*\s]+$/i.test(o)) continue;
    try {
      const u = new URL(o);
      if (u.origin !== 'null' && !out.includes(u.origin)) out.push(u.origin);
    } catch {
      // not a URL: skipped
    }
  }
  return out;
}

/** Embedder posts the protocol's messages to the embedding windows. */
export class Embedder {
  private started = false;
  private lastStatus: Status | null = null;
  private lastHeight = 0;

  constructor(
    private readonly targets: Target[],
    private readonly allowed: string[],
    private readonly sessionId: string,
  ) {}

  /** active reports whether anything will be sent at all. */
  get active(): boolean {
    return this.targets.length > 0 && this.allowed.length > 0;
  }

  /** screen reports a rendered screen: start on the first, then each new terminal status. */
  screen(name: string, error?: string): void {
    if (!this.started) {
      this.started = true;
      this.post({ type: 'bynn-verification', status: 'start', sessionId: this.sessionId });
    }
    const status = statusFor(name);
    if (!status || status === this.lastStatus) return;
    this.lastStatus = status;
    const msg: Record<string, unknown> = { type: 'bynn-verification', status, sessionId: this.sessionId };
    if (status === 'error') msg.error = error || name;
    this.post(msg);
  }

  /** height reports the content height when it changed by a whole pixel. */
  height(px: number): void {
    const h = Math.ceil(px);
    if (!(h > 0) || h === this.lastHeight) return;
    this.lastHeight = h;
    this.post({ type: 'resize', height: h });
  }

  private post(msg: unknown): void {
    for (const t of this.targets) {
      for (const o of this.allowed) {
        try {
          t.postMessage(msg, o);
        } catch {
          // a closed opener or a detached frame: nothing to tell
        }
      }
    }
  }
}

/** embedders returns the windows embedding w: its parent when framed, its opener when a popup. */
export function embedders(w: Window): Target[] {
  const out: Target[] = [];
  if (w.parent && w.parent !== w) out.push(w.parent);
  if (w.opener && w.opener !== w) out.push(w.opener as Window);
  return out;
}

/**
 * watchHeight calls report with the document's content height now and
 * whenever it changes. The root is marked oidv-embedded so the page takes
 * its natural height instead of filling the frame.
 */
export function watchHeight(doc: Document, report: (px: number) => void): void {
  const root = doc.documentElement;
  root.classList.add('oidv-embedded');
  const measure = () => report(root.getBoundingClientRect().height);
  if (typeof ResizeObserver === 'function') {
    new ResizeObserver(measure).observe(root);
  } else {
    doc.defaultView?.addEventListener('resize', measure);
  }
  measure();
}
