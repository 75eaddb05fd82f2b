import { describe, expect, it } from 'vitest';
import { Embedder, embedders, origins, statusFor } from '../src/embed';

/** recorder is a fake window that records what is posted to it and to which origin. */
function recorder() {
  const got: [unknown, string][] = [];
  return { got, postMessage: (m: unknown, o: string) => void got.push([m, o]) };
}

describe('origins', () => {
  it('keeps exact http(s) origins, once each, in order', () => {
    const tests: [string, string[]][] = [
      ['', []],
      ['https://shop.example', ['https://shop.example']],
      ['https://a.example  http://127.0.0.1:8080 https://a.example', ['https://a.example', 'http://127.0.0.1:8080']],
      ['* https://*.example.com https://a.example/path javascript:x null', []],
    ];
    for (const [list, want] of tests) expect(origins(list), list).toEqual(want);
  });
});

describe('statusFor', () => {
  it('maps the terminal screens to the statuses the seed vendor SDK understands', () => {
    const tests: [string, string | null][] = [
      ['consent_screen', null],
      ['phone_verification_start_screen', null],
      ['completed_screen', 'completed'],
      ['successful_screen', 'successful'],
      ['rejected_screen', 'rejected'],
      ['cancel_screen', 'cancel'],
      ['error', 'error'],
      ['browserNotSupported', 'error'],
    ];
    for (const [screen, want] of tests) expect(statusFor(screen), screen).toBe(want);
  });
});

describe('Embedder', () => {
  it('posts start once, then each new terminal status, to every configured origin and never to *', () => {
    const parent = recorder();
    const e = new Embedder([parent], ['https://shop.example', 'https://b.example'], 's1');
    e.screen('consent_screen');
    e.screen('phone_verification_start_screen');
    e.screen('completed_screen');
    e.screen('completed_screen'); // a re-render
    e.screen('successful_screen');
    const start = { type: 'bynn-verification', status: 'start', sessionId: 's1' };
    const completed = { type: 'bynn-verification', status: 'completed', sessionId: 's1' };
    const successful = { type: 'bynn-verification', status: 'successful', sessionId: 's1' };
    expect(parent.got).toEqual([
      [start, 'https://shop.example'],
      [start, 'https://b.example'],
      [completed, 'https://shop.example'],
      [completed, 'https://b.example'],
      [successful, 'https://shop.example'],
      [successful, 'https://b.example'],
    ]);
  });

  it('reports a page that cannot run as start then error', () => {
    const parent = recorder();
    const e = new Embedder([parent], ['https://shop.example'], 's1');
    e.screen('browserNotSupported');
    expect(parent.got.map(([m]) => m)).toEqual([
      { type: 'bynn-verification', status: 'start', sessionId: 's1' },
      { type: 'bynn-verification', status: 'error', sessionId: 's1', error: 'browserNotSupported' },
    ]);
  });

  it('posts the height when it changes by a whole pixel', () => {
    const parent = recorder();
    const e = new Embedder([parent], ['https://shop.example'], 's1');
    for (const px of [0, 612.2, 612.9, 613, 480]) e.height(px);
    expect(parent.got).toEqual([
      [{ type: 'resize', height: 613 }, 'https://shop.example'],
      [{ type: 'resize', height: 480 }, 'https://shop.example'],
    ]);
  });

  it('sends nothing without a configured origin', () => {
    const parent = recorder();
    const e = new Embedder([parent], origins(''), 's1');
    e.screen('consent_screen');
    e.screen('completed_screen');
    e.height(700);
    expect(e.active).toBe(false);
    expect(parent.got).toEqual([]);
  });

  it('survives a target that throws (a closed opener)', () => {
    const parent = recorder();
    const broken = { postMessage: () => { throw new Error('closed'); } };
    new Embedder([broken, parent], ['https://shop.example'], 's1').screen('consent_screen');
    expect(parent.got.length).toBe(1);
  });
});

describe('embedders', () => {
  it('finds the parent of a frame and the opener of a popup, not the window itself', () => {
    const p = recorder();
    const o = recorder();
    const self: any = {};
    self.parent = self;
    self.opener = null;
    expect(embedders(self)).toEqual([]);
    expect(embedders({ ...self, parent: p } as any)).toEqual([p]);
    const popup: any = { opener: o };
    popup.parent = popup;
    expect(embedders(popup)).toEqual([o]);
  });
});
