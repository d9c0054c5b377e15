import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { messages } from './messages';
import { formatMoney, parseMoney } from './format';
import { preferredLang } from './i18n';

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) return sources(p);
    return /\.tsx?$/.test(n) && !n.endsWith('.test.ts') ? [p] : [];
  });
}

describe('i18n', () => {
  it('has the same keys in French and English, none empty', () => {
    expect(Object.keys(messages.fr).sort()).toEqual(Object.keys(messages.en).sort());
    for (const lang of ['en', 'fr'] as const) for (const v of Object.values(messages[lang])) expect(v.trim()).not.toBe('');
  });
  it('defines every key used through t()', () => {
    const dir = new URL('.', import.meta.url).pathname;
    const used = new Set<string>();
    for (const f of sources(dir)) for (const m of readFileSync(f, 'utf8').matchAll(/\bt\('([a-zA-Z_.]+)'/g)) used.add(m[1]);
    const missing = [...used].filter((k) => !(k in messages.en));
    expect(missing).toEqual([]);
  });
  it("prefers the user's saved locale, unless this browser kept a refused choice for that user", () => {
    expect(preferredLang({ id: 7, locale: 'en' }, null)).toBe('en');
    expect(preferredLang({ id: 7, locale: 'fr' }, null)).toBe('fr');
    expect(preferredLang({ id: 7, locale: null }, null)).toBeNull();
    expect(preferredLang({ id: 7, locale: 'de' }, null)).toBeNull();
    expect(preferredLang({ id: 7, locale: 'fr' }, '7:en')).toBe('en');
    expect(preferredLang({ id: '7', locale: 'fr' }, '7:en')).toBe('en');
    expect(preferredLang({ id: 17, locale: 'fr' }, '7:en')).toBe('fr'); // another user's choice
    expect(preferredLang({ id: 7, locale: 'fr' }, '7:xx')).toBe('fr');
  });
  it('formats money the French way', () => {
    expect(formatMoney('fr', 123456, 'EUR').replace(/[\u202f\u00a0]/g, ' ')).toBe('1 234,56 €');
    expect(formatMoney('en', 123456, 'EUR')).toBe('€1,234.56');
    expect(parseMoney('fr', '1 234,56')).toBe(123456);
    expect(parseMoney('en', '1,234.56')).toBe(123456);
  });
});
