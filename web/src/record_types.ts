// The record types as the server describes them (GET /api/v1/schema), loaded once after
// sign-in and again when custom fields change. Forms, list columns, filters, import
// suggestions and pickers read fields from here; nothing in the UI repeats the declarations.
// Module state: one answer for the signed-in user, replaced as a whole (setSchema).
import { api } from './api';
import type { CustomFieldDef, FieldDef, FieldType, ImportField, RecordType, SchemaAnswer } from './schema';

let byName = new Map<string, RecordType>();

export function setSchema(answer: SchemaAnswer | null) {
  byName = new Map();
  for (const type of answer?.entities || []) {
    byName.set(type.plural, type);
    byName.set(type.name, type);
  }
}

export async function loadSchema(): Promise<void> {
  setSchema(await api.get<SchemaAnswer>('/schema'));
}

export function schemaLoaded(): boolean {
  return byName.size > 0;
}

// By plural ("contacts") or singular ("contact").
export function recordType(resource: string): RecordType | undefined {
  return byName.get(resource);
}

const customTypes: Record<CustomFieldDef['type'], FieldType> = {
  text: 'text',
  number: 'integer',
  date: 'date',
  enum: 'enum',
  boolean: 'boolean',
  money: 'money',
};

// A custom field as a field of the record: its value lives in record.custom[key].
export function customFieldDef(c: CustomFieldDef): FieldDef {
  return {
    name: `custom.${c.key}`,
    custom_key: c.key,
    type: customTypes[c.type],
    label: { en: c.label, fr: c.label },
    required: c.required,
    read_only: false,
    searchable: false,
    sortable: false,
    filterable: false,
    enum_values: c.type === 'enum' ? c.options : undefined,
  };
}

// The declared fields, then the installation's custom fields (without the raw `custom` object).
export function fieldsOf(resource: string): FieldDef[] {
  const type = recordType(resource);
  if (!type) return [];
  const own = type.fields.filter((d) => d.name !== 'custom');
  return [...own, ...(type.custom_fields || []).map(customFieldDef)];
}

export function fieldDef(resource: string, name: string): FieldDef | undefined {
  return fieldsOf(resource).find((d) => d.name === name);
}

// Fields the user may edit in a form (read-only fields are never sent; objects and lists of
// objects have editors of their own).
export function editableFields(resource: string): FieldDef[] {
  return fieldsOf(resource).filter((d) => !d.read_only && d.type !== 'object' && d.type !== 'list');
}

export function enumValues(resource: string, field: string): string[] {
  return fieldDef(resource, field)?.enum_values || [];
}

// The value a field shows for a record (custom fields read record.custom).
export function fieldValue(def: FieldDef, record: Record<string, any>): any {
  if (def.custom_key !== undefined) return record.custom?.[def.custom_key];
  return record[def.name];
}

// The URL segment of the records a reference names ("companies").
export function referencePlural(def: FieldDef | undefined): string | undefined {
  return def?.references_plural;
}

export function foldHeader(h: string): string {
  return h
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

// What a CSV column can feed: the server's import fields, then the custom fields (matched
// by key or label, like the server does).
export function importFields(resource: string): ImportField[] {
  const type = recordType(resource);
  if (!type) return [];
  const custom = (type.custom_fields || []).map((c) => ({
    field: `custom.${c.key}`,
    label: { en: c.label, fr: c.label },
    synonyms: [foldHeader(c.key), foldHeader(c.label)],
  }));
  return [...(type.import_fields || []), ...custom];
}

export function suggestMapping(resource: string, header: string): string {
  const folded = foldHeader(header);
  for (const f of importFields(resource)) {
    if (f.synonyms.includes(folded)) return f.field;
  }
  return '';
}
