import { describe, expect, it } from 'vitest';
import { parseCsv, toCsv } from './csv';

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
});
