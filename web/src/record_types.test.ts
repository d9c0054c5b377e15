// The UI's use of GET /api/v1/schema, on a copy of the server's answer
// (testing/schema.fixture.json, checked against the server by tests/integration/test_schema.py).
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import fixture from './testing/schema.fixture.json';
import type { SchemaAnswer } from './schema';
import {
  editableFields,
  enumValues,
  fieldDef,
  fieldsOf,
  fieldValue,
  importFields,
  loadSchema,
  recordType,
  schemaLoaded,
  setSchema,
  suggestMapping,
} from './record_types';
import { fromInput } from './field_values';

const answer = fixture as unknown as SchemaAnswer;

function withCustom(entity: string, custom: unknown[]): SchemaAnswer {
  return { entities: answer.entities.map((e) => (e.name === entity ? { ...e, custom_fields: custom as any } : e)) };
}

describe('record types from the server', () => {
  beforeEach(() => setSchema(answer));
  afterEach(() => {
    setSchema(null);
    vi.unstubAllGlobals();
  });

  it('finds types by plural and singular', () => {
    expect(recordType('contacts')?.name).toBe('contact');
    expect(recordType('company')?.plural).toBe('companies');
    expect(recordType('nothing')).toBeUndefined();
  });

  it('offers only writable fields in forms', () => {
    const names = editableFields('contacts').map((d) => d.name);
    expect(names).toContain('first_name');
    expect(names).toContain('lifecycle_stage');
    for (const hidden of ['id', 'score', 'version', 'created_at', 'custom']) expect(names).not.toContain(hidden);
    expect(editableFields('deals').map((d) => d.name)).not.toContain('status');
    expect(editableFields('pipelines').map((d) => d.name)).not.toContain('stages');
  });

  it('takes labels, enum values and references from the declaration', () => {
    expect(fieldDef('contacts', 'first_name')?.label).toEqual({ en: 'First name', fr: 'Prénom' });
    expect(enumValues('users', 'role')).toEqual(['admin', 'manager', 'sales', 'marketing', 'support', 'readonly']);
    expect(fieldDef('deals', 'pipeline_id')?.references_plural).toBe('pipelines');
    expect(fieldDef('deals', 'title')?.required).toBe(true);
  });

  it('shows custom fields as fields of the record', () => {
    setSchema(withCustom('contact', [{ key: 'region', label: 'Région', type: 'enum', options: ['Nord', 'Sud'], required: false }]));
    const def = fieldDef('contacts', 'custom.region')!;
    expect(def.type).toBe('enum');
    expect(def.enum_values).toEqual(['Nord', 'Sud']);
    expect(fieldValue(def, { id: 1, custom: { region: 'Sud' } })).toBe('Sud');
    expect(editableFields('contacts').map((d) => d.name)).toContain('custom.region');
    expect(fieldsOf('companies').map((d) => d.name)).not.toContain('custom.region');
    expect(suggestMapping('contacts', 'Région')).toBe('custom.region');
    expect(importFields('contacts').map((f) => f.field)).toContain('custom.region');
  });

  it('suggests import fields from French and English headers', () => {
    expect(suggestMapping('contacts', 'Prénom')).toBe('first_name');
    expect(suggestMapping('contacts', 'Courriel')).toBe('email');
    expect(suggestMapping('contacts', 'E-mail')).toBe('email');
    expect(suggestMapping('contacts', 'Société')).toBe('company');
    expect(suggestMapping('contacts', 'last_name')).toBe('last_name');
    expect(suggestMapping('contacts', 'Unknown')).toBe('');
    expect(suggestMapping('deals', 'Montant')).toBe('amount');
  });

  it('checks the declared limits before sending', () => {
    const first = fieldDef('contacts', 'first_name')!;
    expect(fromInput(first, 'é'.repeat(500))).toEqual(['é'.repeat(500), null]);
    expect(fromInput(first, 'é'.repeat(501))[1]).toMatch(/1000/);
    const emails = fieldDef('contacts', 'emails')!;
    const many = Array.from({ length: 51 }, (_, i) => `a${i}@x.fr`).join(', ');
    expect(fromInput(emails, many)[1]).toMatch(/50/);
  });

  it('loads the answer of GET /api/v1/schema', async () => {
    setSchema(null);
    expect(schemaLoaded()).toBe(false);
    const fetchMock = vi.fn(async () => new Response(JSON.stringify(answer), { status: 200 }));
    vi.stubGlobal('fetch', fetchMock);
    await loadSchema();
    expect(fetchMock).toHaveBeenCalledTimes(1);
    expect((fetchMock.mock.calls[0] as unknown[])[0]).toBe('/api/v1/schema');
    expect(schemaLoaded()).toBe(true);
    expect(fieldDef('tasks', 'priority')?.enum_values).toContain('urgent');
  });
});
