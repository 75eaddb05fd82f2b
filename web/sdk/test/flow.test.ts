import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Driver, fallbackTimeoutMs, isTerminal, reconnectDelayMs, viewFor, type Transport } from '../src/flow';
import type { Preflight } from '../src/types';

function pf(show: string, extra: Partial<Preflight> = {}): Preflight {
  return {
    session_id: 's1',
    status: 'in_progress',
    requirement: null,
    screen: { show, parameters: {} },
    attempts: null,
    last_error: null,
    web_sdk_return_url: null,
    ...extra,
  };
}

describe('viewFor', () => {
  it.each([
    ['consent_screen', 'consent'],
    ['phone_verification_start_screen', 'phone'],
    ['email_verification_start_screen', 'email'],
    ['completed_screen', 'terminal'],
    ['successful_screen', 'terminal'],
    ['cancel_screen', 'terminal'],
    ['rejected_screen', 'terminal'],
    ['scan_id_document_front_screen', 'unavailable'],
    ['liveness_screen', 'unavailable'],
    ['nfc_capture_screen', 'unavailable'],
    ['video_call_screen', 'unavailable'],
    ['some_future_screen', 'unavailable'],
  ])('%s → %s', (screen, want) => {
    expect(viewFor(screen)).toBe(want);
  });

  it('knows the terminal screens', () => {
    expect(isTerminal('completed_screen')).toBe(true);
    expect(isTerminal('consent_screen')).toBe(false);
  });
});

describe('fallbackTimeoutMs (docs/contracts.md)', () => {
  it.each([
    ['scan_id_document_front_screen', 90_000],
    ['scan_id_document_back_screen', 90_000],
    ['email_verification_start_screen', 30_000],
    ['phone_verification_start_screen', 10_000],
    ['liveness_screen', 10_000],
    ['proof_of_address_screen', 10_000],
    ['consent_screen', 10_000],
  ])('%s waits %d ms', (screen, want) => {
    expect(fallbackTimeoutMs(screen)).toBe(want);
  });
});

/** fakeTransport records requests and lets the test push or drop the channel. */
function fakeTransport(connected = true) {
  let push: (p: Preflight) => void = () => undefined;
  let down: () => void = () => undefined;
  const t: Transport & { requests: number; push: (p: Preflight) => void; drop: () => void; closed: boolean } = {
    requests: 0,
    closed: false,
    open(onPreflight, onDown) {
      push = onPreflight;
      down = onDown;
    },
    requestPreflight() {
      if (!connected) return false;
      t.requests++;
      return true;
    },
    close() {
      t.closed = true;
    },
    push: (p) => push(p),
    drop: () => {
      connected = false;
      down();
    },
  };
  return t;
}

describe('Driver', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('renders pushes once each and asks the socket after 10 s of silence', async () => {
    const transport = fakeTransport();
    const shown: string[] = [];
    const fetchPreflight = vi.fn(async () => pf('consent_screen'));
    const d = new Driver({ fetchPreflight, transport: () => transport, onPreflight: (p) => shown.push(p.screen.show), onError: () => undefined });
    d.start();
    transport.push(pf('consent_screen'));
    transport.push(pf('consent_screen'));
    expect(shown).toEqual(['consent_screen']);
    await vi.advanceTimersByTimeAsync(9_999);
    expect(transport.requests).toBe(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(transport.requests).toBe(1);
    expect(fetchPreflight).not.toHaveBeenCalled();
  });

  it('waits 30 s on the email screen', async () => {
    const transport = fakeTransport();
    const d = new Driver({ fetchPreflight: async () => pf('x'), transport: () => transport, onPreflight: () => undefined, onError: () => undefined });
    d.start();
    transport.push(pf('email_verification_start_screen'));
    await vi.advanceTimersByTimeAsync(29_999);
    expect(transport.requests).toBe(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(transport.requests).toBe(1);
  });

  it('polls the preflight API at once when the socket fails, then on every timeout', async () => {
    const transport = fakeTransport();
    const shown: string[] = [];
    let screen = 'consent_screen';
    const fetchPreflight = vi.fn(async () => pf(screen));
    const d = new Driver({ fetchPreflight, transport: () => transport, onPreflight: (p) => shown.push(p.screen.show), onError: () => undefined });
    d.start();
    transport.drop();
    await vi.advanceTimersByTimeAsync(0);
    expect(fetchPreflight).toHaveBeenCalledTimes(1);
    expect(shown).toEqual(['consent_screen']);
    screen = 'phone_verification_start_screen';
    await vi.advanceTimersByTimeAsync(10_000);
    expect(fetchPreflight).toHaveBeenCalledTimes(2);
    expect(shown).toEqual(['consent_screen', 'phone_verification_start_screen']);
    expect(d.polls).toBe(2);
  });

  it('polls without a transport and keeps polling after errors', async () => {
    const errors: unknown[] = [];
    const fetchPreflight = vi.fn(async () => {
      throw new Error('offline');
    });
    const d = new Driver({ fetchPreflight, transport: null, onPreflight: () => undefined, onError: (e) => errors.push(e) });
    d.start();
    await vi.advanceTimersByTimeAsync(0);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(fetchPreflight).toHaveBeenCalledTimes(2);
    expect(errors).toHaveLength(2);
  });

  it('stops on a terminal screen', async () => {
    const transport = fakeTransport();
    const fetchPreflight = vi.fn(async () => pf('x'));
    const d = new Driver({ fetchPreflight, transport: () => transport, onPreflight: () => undefined, onError: () => undefined });
    d.start();
    d.accept(pf('completed_screen', { status: 'completed' }));
    expect(transport.closed).toBe(true);
    await vi.advanceTimersByTimeAsync(120_000);
    expect(transport.requests).toBe(0);
    expect(fetchPreflight).not.toHaveBeenCalled();
  });
});

describe('reconnecting', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('backs off from 2 s to at most 60 s', () => {
    expect([0, 1, 2, 3, 4, 5, 10].map(reconnectDelayMs)).toEqual([2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000]);
  });

  it('polls at once when the socket drops, reopens it after 2 s and takes its pushes', async () => {
    const made: ReturnType<typeof fakeTransport>[] = [];
    const shown: string[] = [];
    const fetchPreflight = vi.fn(async () => pf('consent_screen'));
    const d = new Driver({
      fetchPreflight,
      transport: () => {
        const t = fakeTransport();
        made.push(t);
        return t;
      },
      onPreflight: (p) => shown.push(p.screen.show),
      onError: () => undefined,
    });
    d.start();
    made[0].drop();
    await vi.advanceTimersByTimeAsync(0);
    expect(fetchPreflight).toHaveBeenCalledTimes(1);
    expect(made).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(2_000);
    expect(made).toHaveLength(2);
    made[1].push(pf('phone_verification_start_screen'));
    expect(shown).toEqual(['consent_screen', 'phone_verification_start_screen']);
    d.stop();
    expect(made[1].closed).toBe(true);
  });
});
