import { describe, expect, it } from 'vitest';
import { parseCsv, toCsv } from './csv';
import { suggestMapping } from './schema';

describe('csv', () => {
  it('parses quotes, escaped quotes, CRLF and semicolons', () => {
    expect(parseCsv('a,b\r\n"x, y","he said ""hi"""\r\n')).toEqual([
      ['a', 'b'],
      ['x, y', 'he said "hi"'],
    ]);
    expect(parseCsv('\uFEFFPrénom;Nom\nÉlodie;Martin\n')).toEqual([
      ['Prénom', 'Nom'],
      ['Élodie', 'Martin'],
    ]);
  });
  it('round-trips through toCsv', () => {
    const rows = [['a', 'b,c'], ['"q"', 'line\nbreak']];
    expect(parseCsv(toCsv(rows))).toEqual(rows);
  });
  it('suggests fields from French and English headers', () => {
    expect(suggestMapping('contacts', 'Prénom')).toBe('first_name');
    expect(suggestMapping('contacts', 'Courriel')).toBe('email');
    expect(suggestMapping('contacts', 'E-mail')).toBe('email');
    expect(suggestMapping('contacts', 'Société')).toBe('company');
    expect(suggestMapping('contacts', 'last_name')).toBe('last_name');
    expect(suggestMapping('contacts', 'Unknown')).toBe('');
  });
});
