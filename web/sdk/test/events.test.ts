import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as ev from '../src/events';

// The seed's catalogue as the server knows it (internal/idv/sdkevents.go).
const catalogue = [...readFileSync(resolve(process.cwd(), '../../internal/idv/sdkevents.go'), 'utf8').matchAll(/^\t\t\{"([^"]+)",/gm)].map(
  (m) => m[1],
);

describe('SDK events', () => {
  it('reads the catalogue', () => {
    expect(catalogue).toContain('noAttemps');
    expect(catalogue.length).toBeGreaterThan(30);
  });

  it.each([
    [ev.browserNotSupported(), { type: 'browserNotSupported', payload: { message: 'Browser is not supported.' } }],
    [ev.internalServerError(), { type: 'InternalServerError', payload: { message: 'Error. Try again.' } }],
    [ev.otpSuccess(), { type: 'otpSuccess', payload: { message: 'Correct OTP.' } }],
    [ev.otpFailure(), { type: 'otpFailure', payload: { message: 'Invalid OTP.' } }],
  ])('%o has the seed name and payload', (got, want) => {
    expect(got).toEqual(want);
    expect(catalogue).toContain(got.type);
  });

  it('posts browser events only; the server records OTP results itself', () => {
    expect(ev.postable(ev.browserNotSupported())).toBe(true);
    expect(ev.postable(ev.internalServerError())).toBe(true);
    expect(ev.postable(ev.otpSuccess())).toBe(false);
    expect(ev.postable(ev.otpFailure())).toBe(false);
    for (const t of [...ev.browserEvents, ...ev.serverEvents]) expect(catalogue).toContain(t);
  });
});
