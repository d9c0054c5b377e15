import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { messages } from './messages';
import { formatMoney, parseMoney } from './format';
import { userLang } from './i18n';

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
  it("takes the user's saved locale when it is a known language", () => {
    expect(userLang({ locale: 'en' })).toBe('en');
    expect(userLang({ locale: 'fr' })).toBe('fr');
    expect(userLang({ locale: null })).toBeNull();
    expect(userLang({})).toBeNull();
    expect(userLang({ locale: 'de' })).toBeNull();
  });
  it('formats money the French way', () => {
    expect(formatMoney('fr', 123456, 'EUR').replace(/[\u202f\u00a0]/g, ' ')).toBe('1 234,56 €');
    expect(formatMoney('en', 123456, 'EUR')).toBe('€1,234.56');
    expect(parseMoney('fr', '1 234,56')).toBe(123456);
    expect(parseMoney('en', '1,234.56')).toBe(123456);
  });
});
