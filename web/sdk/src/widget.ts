// The widget: mounts into an element, drives the flow and renders each screen.

import { Api, ApiError } from './api';
import { Cable } from './cable';
import { h, uid } from './dom';
import * as ev from './events';
import { Driver, isTerminal, viewFor } from './flow';
import { format, pickLocale, strings, type Locale, type Strings } from './i18n';
import type { LogEvent, Preflight } from './types';

/** MountOptions configure OpenIDV.mount. */
export interface MountOptions {
  /** sessionUrl is the session's `url` (…/s/{id}#token=…); or give sessionId and clientToken. */
  sessionUrl?: string;
  sessionId?: string;
  clientToken?: string;
  /** baseUrl is the OpenIDV server (default: the sessionUrl's origin, else this page's). */
  baseUrl?: string;
  /** locale forces the language (en, es); default: the session's i18n, then the browser's. */
  locale?: string;
  /** brandName is shown in the header. */
  brandName?: string;
  /** redirectDelayMs is the pause on a terminal screen before going to web_sdk_return_url (default 4000). */
  redirectDelayMs?: number;
  /** handoff offers a QR code to continue on a phone when on a wide screen (default true). */
  handoff?: boolean;
  onLog?: (e: LogEvent) => void;
  onComplete?: (r: { screen: string; status: string; returnUrl: string | null }) => void;
  /** onScreen is called with each screen rendered: a preflight screen name, or error / browserNotSupported. */
  onScreen?: (screen: string) => void;
  onError?: (e: Error) => void;
}

/** Mounted is the handle mount returns. */
export interface Mounted {
  unmount(): void;
}

interface Resolved {
  baseUrl: string;
  sessionId: string;
  token: string;
}

/** resolve reads the session id, token and server from the options. */
export function resolve(o: MountOptions, pageOrigin: string): Resolved {
  let { sessionId, clientToken: token, baseUrl } = o;
  if (o.sessionUrl) {
    const u = new URL(o.sessionUrl, pageOrigin);
    const m = u.pathname.match(/^(.*)\/s\/([^/]+)\/?$/);
    if (!m) throw new Error('OpenIDV: sessionUrl is not a session url (…/s/{id}#token=…)');
    sessionId = sessionId || decodeURIComponent(m[2]);
    token = token || new URLSearchParams(u.hash.slice(1)).get('token') || u.searchParams.get('token') || undefined;
    baseUrl = baseUrl || u.origin + m[1];
  }
  if (!sessionId || !token) throw new Error('OpenIDV: give sessionUrl, or sessionId and clientToken');
  return { baseUrl: (baseUrl || pageOrigin).replace(/\/+$/, ''), sessionId, token };
}

/** missingApis lists the browser APIs the flow needs that are absent. */
export function missingApis(w: any): string[] {
  const need: [string, unknown][] = [
    ['fetch', w.fetch],
    ['Promise', w.Promise],
    ['URL', w.URL],
    ['URLSearchParams', w.URLSearchParams],
    ['JSON', w.JSON],
  ];
  return need.filter(([, v]) => typeof v === 'undefined').map(([n]) => n);
}

/** Widget is one mounted flow. */
export class Widget {
  private readonly root: HTMLElement;
  private readonly body: HTMLElement;
  private readonly status: HTMLElement;
  private t: Strings;
  private locale: Locale;
  private api: Api | null = null;
  private driver: Driver | null = null;
  private sentTo: Record<string, string> = {};
  private editing: Record<string, boolean> = {};
  private tick: ReturnType<typeof setInterval> | null = null;
  private redirect: ReturnType<typeof setTimeout> | null = null;
  private shown = '';
  private preflight: Preflight | null = null;

  constructor(
    private readonly host: HTMLElement,
    private readonly o: MountOptions,
  ) {
    this.locale = pickLocale(o.locale, navigator.language);
    this.t = strings(this.locale);
    this.status = h('p', { class: 'oidv-sr', role: 'status', 'aria-live': 'polite' });
    this.body = h('div', { class: 'oidv-body' }, h('p', { class: 'oidv-muted' }, this.t.loading));
    const brand = o.brandName ? h('header', { class: 'oidv-brand' }, o.brandName) : null;
    this.root = h('div', { class: 'oidv', lang: this.locale }, brand, this.body, this.status);
    host.replaceChildren(this.root);
  }

  /** start checks the browser, reads the session and opens the live channel. */
  async start(): Promise<void> {
    const missing = missingApis(window);
    if (missing.length > 0) {
      this.log(ev.browserNotSupported('Browser is not supported. Missing: ' + missing.join(', ') + '.'));
      this.message('browserNotSupported', this.t.browserTitle, this.t.browserText);
      return;
    }
    let r: Resolved;
    try {
      r = resolve(this.o, location.origin);
    } catch (e) {
      this.fail(e);
      this.message('error', this.t.notFoundTitle, this.t.notFoundText);
      return;
    }
    this.api = new Api(r.baseUrl, r.sessionId, r.token);
    await this.loadLocale();
    const api = this.api;
    const ws = api.websocketUrl();
    this.driver = new Driver({
      fetchPreflight: () => api.preflight(),
      transport: typeof WebSocket === 'function' ? () => new Cable(ws) : null,
      onPreflight: (p) => this.show(p),
      onError: (e) => this.apiError(e),
    });
    this.driver.start();
  }

  /** unmount stops everything and empties the host element. */
  unmount(): void {
    this.driver?.stop();
    this.clearTimers();
    this.host.replaceChildren();
  }

  private async loadLocale(): Promise<void> {
    if (this.o.locale || !this.api) return;
    try {
      const s = await this.api.session();
      this.setLocale(pickLocale(s.i18n, navigator.language));
    } catch {
      // 410 (cancelled or refused) and friends: the preflight tells the screen.
    }
  }

  private setLocale(l: Locale): void {
    this.locale = l;
    this.t = strings(l);
    this.root.lang = l;
    if (this.host.dataset.hosted === 'true') document.documentElement.lang = l;
  }

  // ---- events

  private log(e: LogEvent): void {
    try {
      this.o.onLog?.(e);
    } catch {
      // an integrator's callback must not break the flow
    }
    if (ev.postable(e) && this.api) {
      this.api.events([e]).catch(() => undefined);
    }
  }

  private fail(e: unknown): void {
    const err = e instanceof Error ? e : new Error(String(e));
    try {
      this.o.onError?.(err);
    } catch {
      // ignore
    }
  }

  private apiError(e: unknown): void {
    this.fail(e);
    if (!(e instanceof ApiError) || e.status >= 500) {
      this.log(ev.internalServerError());
      if (!this.preflight) this.message('error', this.t.errorTitle, this.t.errorText, true);
    } else if (e.status === 404 || e.status === 401) {
      this.driver?.stop();
      this.message('error', this.t.notFoundTitle, this.t.notFoundText);
    }
  }

  // ---- rendering

  private show(p: Preflight): void {
    const before = this.preflight;
    this.preflight = p;
    const screen = p.screen.show;
    if (before && !isTerminal(before.screen.show) && screen === 'rejected_screen' && p.last_error?.reason === 'otpFailure') {
      this.log(ev.otpFailure());
    }
    this.clearTimers();
    const view = viewFor(screen);
    const changed = screen !== this.shown;
    const moveFocus = changed && this.shown !== '';
    this.shown = screen;
    let section: HTMLElement;
    switch (view) {
      case 'consent':
        section = this.consent(p);
        break;
      case 'phone':
        section = this.otp(p, 'phone');
        break;
      case 'email':
        section = this.otp(p, 'email');
        break;
      case 'terminal':
        section = this.terminal(p);
        break;
      default:
        section = this.unavailable(p, changed);
    }
    this.swap(section, screen, moveFocus);
  }

  private swap(section: HTMLElement, screen: string, focus: boolean): void {
    const active = document.activeElement;
    const keepName = active && this.body.contains(active) ? active.getAttribute('name') : null;
    this.root.dataset.screen = screen;
    this.body.replaceChildren(section);
    try {
      performance.mark('openidv:screen:' + screen);
    } catch {
      // marks are best effort
    }
    if (focus) {
      section.querySelector<HTMLElement>('h1')?.focus();
    } else if (keepName) {
      section.querySelector<HTMLElement>(`[name="${keepName}"]`)?.focus();
    }
    try {
      this.o.onScreen?.(screen);
    } catch {
      // an integrator's callback must not break the flow
    }
  }

  private screen(name: string, title: string, ...children: (Node | null | false)[]): HTMLElement {
    const id = uid('title');
    return h(
      'section',
      { class: 'oidv-screen', 'data-screen': name, 'aria-labelledby': id },
      h('h1', { id, tabindex: -1 }, title),
      ...children,
    );
  }

  private message(name: string, title: string, text: string, retry = false): void {
    const again = retry ? h('button', { type: 'button', class: 'oidv-btn', onclick: () => location.reload() }, this.t.retry) : null;
    this.shown = name;
    this.swap(this.screen(name, title, h('p', {}, text), again), name, true);
  }

  private consent(p: Preflight): HTMLElement {
    const text = typeof p.screen.parameters.text === 'string' && p.screen.parameters.text ? p.screen.parameters.text : this.t.consentText;
    const title = typeof p.screen.parameters.title === 'string' && p.screen.parameters.title ? p.screen.parameters.title : this.t.consentTitle;
    const answer = (yes: boolean) => (e: Event) => this.act(e, () => this.api!.consent(yes));
    return this.screen(
      'consent_screen',
      title,
      ...text.split(/\n{2,}/).map((para) => h('p', {}, para)),
      h(
        'div',
        { class: 'oidv-actions' },
        h('button', { type: 'button', class: 'oidv-btn', 'data-action': 'accept', onclick: answer(true) }, this.t.consentAccept),
        h('button', { type: 'button', class: 'oidv-btn oidv-btn-secondary', 'data-action': 'reject', onclick: answer(false) }, this.t.consentReject),
      ),
      this.handoff(),
    );
  }

  private otp(p: Preflight, kind: 'phone' | 'email'): HTMLElement {
    const params = p.screen.parameters;
    const name = kind === 'phone' ? 'phone_verification_start_screen' : 'email_verification_start_screen';
    if (!params.code_sent || this.editing[kind]) return this.destinationForm(name, kind);
    return this.codeForm(name, kind, p);
  }

  private destinationForm(name: string, kind: 'phone' | 'email'): HTMLElement {
    const t = this.t;
    const inputId = uid('dest');
    const hintId = uid('hint');
    const errId = uid('err');
    const input = h('input', {
      id: inputId,
      name: kind,
      type: kind === 'phone' ? 'tel' : 'email',
      autocomplete: kind === 'phone' ? 'tel' : 'email',
      inputmode: kind === 'phone' ? 'tel' : 'email',
      required: true,
      value: this.sentTo[kind] || '',
      'aria-describedby': hintId + ' ' + errId,
    });
    const err = h('p', { id: errId, class: 'oidv-error', role: 'alert' });
    const submit = (e: Event) => {
      e.preventDefault();
      const v = input.value.trim();
      if (!v) return this.fieldError(input, err, t.required);
      this.sentTo[kind] = v;
      this.editing[kind] = false;
      this.act(e, () => (kind === 'phone' ? this.api!.startPhone(v) : this.api!.startEmail(v)), err, input);
    };
    return this.screen(
      name,
      kind === 'phone' ? t.phoneTitle : t.emailTitle,
      h('p', {}, kind === 'phone' ? t.phoneIntro : t.emailIntro),
      h(
        'form',
        { class: 'oidv-form', novalidate: true, onsubmit: submit },
        h('label', { for: inputId }, kind === 'phone' ? t.phoneLabel : t.emailLabel),
        kind === 'phone' ? h('p', { id: hintId, class: 'oidv-hint' }, t.phoneHint) : h('span', { id: hintId }),
        input,
        err,
        h('button', { type: 'submit', class: 'oidv-btn' }, t.sendCode),
      ),
      this.handoff(),
    );
  }

  private codeForm(name: string, kind: 'phone' | 'email', p: Preflight): HTMLElement {
    const t = this.t;
    const params = p.screen.parameters;
    const inputId = uid('code');
    const errId = uid('err');
    const infoId = uid('info');
    const err = h('p', { id: errId, class: 'oidv-error', role: 'alert' });
    const input = h('input', {
      id: inputId,
      name: 'code',
      type: 'text',
      inputmode: 'numeric',
      autocomplete: 'one-time-code',
      pattern: '[0-9]*',
      maxlength: 6,
      required: true,
      'aria-describedby': infoId + ' ' + errId,
    });
    const form = h('form', { class: 'oidv-form', novalidate: true });
    const submit = (e: Event) => {
      e.preventDefault();
      const code = input.value.replace(/\D/g, '');
      if (!/^\d{6}$/.test(code)) return this.fieldError(input, err, t.invalidCode);
      this.act(
        e,
        async () => {
          const next = await (kind === 'phone' ? this.api!.completePhone(code) : this.api!.completeEmail(code));
          this.log(ev.otpSuccess());
          return next;
        },
        err,
        input,
      );
    };
    form.addEventListener('submit', submit);
    input.addEventListener('input', () => {
      const digits = input.value.replace(/\D/g, '').slice(0, 6);
      if (digits !== input.value) input.value = digits;
    });
    input.addEventListener('paste', (e: ClipboardEvent) => {
      const digits = (e.clipboardData?.getData('text') || '').replace(/\D/g, '');
      if (digits.length === 6) {
        e.preventDefault();
        input.value = digits;
        form.requestSubmit();
      }
    });
    const info: (string | Node)[] = [];
    if (p.attempts) info.push(format(t.attemptsLeft, { n: Math.max(p.attempts.max - p.attempts.used, 0) }));
    if (params.code_expired) info.push(' ' + t.codeExpired);
    if (p.last_error && p.requirement?.status === 'needs_resubmission') {
      err.textContent = t.wrongCode;
      input.setAttribute('aria-invalid', 'true');
    }
    form.append(
      h('label', { for: inputId }, t.codeLabel),
      h('p', { id: infoId, class: 'oidv-hint' }, t.codeHint + ' ', ...info),
      input,
      err,
      h('button', { type: 'submit', class: 'oidv-btn' }, t.verify),
    );
    return this.screen(name, kind === 'phone' ? t.codeTitlePhone : t.codeTitleEmail, form, this.resend(kind, params));
  }

  private resend(kind: 'phone' | 'email', params: Record<string, unknown>): HTMLElement {
    const t = this.t;
    const left = Number(params.sends_left ?? 0);
    const note = h('p', { class: 'oidv-hint', 'aria-live': 'polite' });
    const btn = h('button', { type: 'button', class: 'oidv-btn oidv-btn-secondary', 'data-action': 'resend' }, t.resend);
    const change = h('button', { type: 'button', class: 'oidv-link', 'data-action': 'change' }, t.changeDestination);
    const at = typeof params.resend_available_at === 'string' ? Date.parse(params.resend_available_at) : NaN;
    const update = () => {
      const wait = Number.isNaN(at) ? 0 : Math.ceil((at - Date.now()) / 1000);
      if (left <= 0) {
        note.textContent = t.noSendsLeft;
        btn.disabled = true;
      } else if (wait > 0) {
        note.textContent = format(t.resendIn, { s: wait }) + ' ' + format(t.sendsLeft, { n: left });
        btn.disabled = true;
      } else {
        note.textContent = format(t.sendsLeft, { n: left });
        btn.disabled = false;
        if (this.tick) clearInterval(this.tick);
        this.tick = null;
      }
    };
    update();
    if (btn.disabled && left > 0) this.tick = setInterval(update, 1000);
    btn.addEventListener('click', (e) => {
      const dest = this.sentTo[kind];
      if (!dest) {
        this.editing[kind] = true;
        if (this.preflight) this.rerender();
        return;
      }
      this.act(e, () => (kind === 'phone' ? this.api!.startPhone(dest) : this.api!.startEmail(dest)), note);
    });
    change.addEventListener('click', () => {
      this.editing[kind] = true;
      this.rerender();
    });
    return h('div', { class: 'oidv-resend' }, note, h('div', { class: 'oidv-actions' }, btn, change));
  }

  private rerender(): void {
    const p = this.preflight;
    if (!p) return;
    this.shown = '';
    this.show(p);
  }

  private terminal(p: Preflight): HTMLElement {
    const t = this.t;
    const screen = p.screen.show;
    let title = t.completedTitle;
    let text = t.completedText;
    if (screen === 'rejected_screen') {
      [title, text] = [t.rejectedTitle, t.rejectedText];
    } else if (screen === 'cancel_screen') {
      [title, text] = p.status === 'expired' ? [t.expiredTitle, t.expiredText] : [t.cancelTitle, t.cancelText];
    }
    const ret = p.web_sdk_return_url;
    const go = ret ? h('a', { class: 'oidv-btn', href: ret, rel: 'noreferrer' }, t.continue) : null;
    try {
      this.o.onComplete?.({ screen, status: p.status, returnUrl: ret });
    } catch {
      // ignore
    }
    if (ret && /^https?:/i.test(ret)) {
      this.redirect = setTimeout(() => location.assign(ret), this.o.redirectDelayMs ?? 4000);
    }
    return this.screen(screen, title, h('p', {}, text), ret ? h('p', { class: 'oidv-hint' }, t.redirecting) : null, go);
  }

  private unavailable(p: Preflight, changed: boolean): HTMLElement {
    const screen = p.screen.show;
    if (changed) this.log(ev.browserNotSupported(`The step ${screen} is not available in this version of the web SDK.`));
    const step = p.requirement?.requirement_type || screen;
    return this.screen(screen, this.t.notAvailableTitle, h('p', {}, format(this.t.notAvailableText, { step })), this.handoff());
  }

  // ---- hand-off to a phone

  private handoff(): HTMLElement | null {
    if (this.o.handoff === false || !this.api) return null;
    const mm = window.matchMedia;
    if (!mm || !mm('(min-width: 48em)').matches || mm('(pointer: coarse)').matches) return null;
    const box = h('details', { class: 'oidv-handoff' }, h('summary', {}, this.t.handoffTitle), h('p', {}, this.t.handoffText));
    let loaded = false;
    box.addEventListener('toggle', () => {
      if (!box.open || loaded) return;
      loaded = true;
      this.api!.qr().then(
        (q) => box.append(h('img', { src: 'data:image/png;base64,' + q.qr_base64_png, alt: this.t.handoffAlt, width: 200, height: 200 })),
        (e) => this.fail(e),
      );
    });
    return box;
  }

  // ---- actions

  private act(e: Event, call: () => Promise<Preflight>, err?: HTMLElement, input?: HTMLInputElement): void {
    e.preventDefault();
    const btns = Array.from(this.body.querySelectorAll('button'));
    btns.forEach((b) => (b.disabled = true));
    this.body.setAttribute('aria-busy', 'true');
    call().then(
      (p) => {
        this.body.removeAttribute('aria-busy');
        this.driver?.accept(p);
      },
      (x) => {
        this.body.removeAttribute('aria-busy');
        btns.forEach((b) => (b.disabled = false));
        this.fail(x);
        if (x instanceof ApiError && x.status < 500 && err) {
          const msg = x.status === 400 && input?.name === 'code' ? this.t.wrongCode : x.message;
          if (input) this.fieldError(input, err, msg);
          else err.textContent = msg;
          this.api?.preflight().then((p) => this.driver?.accept(p), () => undefined);
          return;
        }
        this.apiError(x);
      },
    );
  }

  private fieldError(input: HTMLInputElement, err: HTMLElement, msg: string): void {
    input.setAttribute('aria-invalid', 'true');
    err.textContent = msg;
    this.status.textContent = msg;
    input.focus();
  }

  private clearTimers(): void {
    if (this.tick) clearInterval(this.tick);
    if (this.redirect) clearTimeout(this.redirect);
    this.tick = this.redirect = null;
  }
}
