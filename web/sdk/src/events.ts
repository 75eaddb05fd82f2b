// SDK events (docs/contracts.md) that apply to this
// slice, with their exact names and payload shapes.

import type { LogEvent } from './types';

/** browserEvents are reported by the browser and posted to POST …/events. */
export const browserEvents = ['browserNotSupported', 'InternalServerError'] as const;

/** serverEvents are recorded by the server itself; the SDK only passes them to onLog. */
export const serverEvents = ['otpSuccess', 'otpFailure'] as const;

/** browserNotSupported: the browser lacks an API the flow needs, or a step is not available here yet. */
export function browserNotSupported(message = 'Browser is not supported.'): LogEvent {
  return { type: 'browserNotSupported', payload: { message } };
}

/** internalServerError: the server answered 5xx or could not be reached. */
export function internalServerError(message = 'Error. Try again.'): LogEvent {
  return { type: 'InternalServerError', payload: { message } };
}

/** otpSuccess: the applicant entered the correct code. */
export function otpSuccess(): LogEvent {
  return { type: 'otpSuccess', payload: { message: 'Correct OTP.' } };
}

/** otpFailure: the applicant entered a wrong code 3 times. */
export function otpFailure(): LogEvent {
  return { type: 'otpFailure', payload: { message: 'Invalid OTP.' } };
}

/** postable reports whether an event is the browser's to post (server events are already in the timeline). */
export function postable(e: LogEvent): boolean {
  return (browserEvents as readonly string[]).includes(e.type);
}
