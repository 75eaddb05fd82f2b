import { describe, expect, it } from 'vitest';
import { format, pickLocale, strings } from '../src/i18n';

describe('i18n', () => {
  it.each([
    [['es'], 'es'],
    [['es-MX'], 'es'],
    [['pt-BR', 'es_ES'], 'es'],
    [['', 'en-GB'], 'en'],
    [['fr'], 'en'],
    [[null, undefined], 'en'],
  ] as const)('pickLocale(%j) = %s', (cands, want) => {
    expect(pickLocale(...cands)).toBe(want);
  });

  it('has every English string in Spanish, translated', () => {
    const en = strings('en');
    const es = strings('es');
    expect(Object.keys(es).sort()).toEqual(Object.keys(en).sort());
    const same = Object.keys(en).filter((k) => (en as any)[k] === (es as any)[k]);
    expect(same).toEqual([]);
  });

  it('formats placeholders', () => {
    expect(format(strings('es').resendIn, { s: 12 })).toBe('Podrás pedir un código nuevo en 12 s.');
    expect(format('{a} {b}', { a: 1 })).toBe('1 {b}');
  });
});
