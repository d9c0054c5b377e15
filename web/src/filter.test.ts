import { beforeAll, describe, expect, it } from 'vitest';
import { buildFilter, closedDealsFilter, quote } from './filter';
import { fieldDef, setSchema } from './record_types';
import type { SchemaAnswer } from './schema';
import fixture from './testing/schema.fixture.json';

beforeAll(() => setSchema(fixture as unknown as SchemaAnswer));

const defs = (n: string) => fieldDef('contacts', n);

describe('buildFilter', () => {
  it('joins conditions and quotes text', () => {
    expect(
      buildFilter(
        [
          { field: 'city', op: '=', value: 'Lyon' },
          { field: 'lifecycle_stage', op: 'in', value: 'lead, mql' },
          { field: 'score', op: '>=', value: '50' },
        ],
        'and',
        defs,
      ),
    ).toBe('city = "Lyon" and lifecycle_stage in ("lead", "mql") and score >= 50');
  });
  it('escapes quotes and skips incomplete rows', () => {
    expect(quote('a"b\\c')).toBe('"a\\"b\\\\c"');
    expect(buildFilter([{ field: 'city', op: '=', value: '' }, { field: 'title', op: 'is empty', value: '' }], 'or', defs)).toBe('title is empty');
  });
  it('formats money and dates', () => {
    const deal = (n: string) => fieldDef('deals', n);
    expect(buildFilter([{ field: 'amount', op: '>', value: '500' }, { field: 'expected_close_date', op: '<', value: '2026-11-25' }], 'and', deal)).toBe(
      'amount > 500 EUR and expected_close_date < 2026-11-25',
    );
  });
});

describe('closedDealsFilter', () => {
  const now = Date.UTC(2026, 10, 25, 12, 0, 0);

  it('keeps open deals and those closed within the window', () => {
    expect(closedDealsFilter('30', now)).toBe(' and (status = "open" or closed_at >= "2026-10-26T12:00:00.000Z")');
    expect(closedDealsFilter('365', now)).toBe(' and (status = "open" or closed_at >= "2025-11-25T12:00:00.000Z")');
  });

  it('adds nothing when every closed deal is wanted', () => {
    expect(closedDealsFilter('all', now)).toBe('');
  });
});
