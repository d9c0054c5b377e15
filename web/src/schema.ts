// TypeScript types of GET /api/v1/schema (src/api/schema_json.hpp): the record types as the
// server declares them (src/domain/schema/entities.cpp). record_types.ts loads the answer.
export type FieldType =
  | 'text'
  | 'integer'
  | 'money'
  | 'currency'
  | 'date'
  | 'datetime'
  | 'boolean'
  | 'enum'
  | 'text_list'
  | 'reference'
  | 'reference_list'
  | 'object'
  | 'list';

export interface Labels {
  en: string;
  fr: string;
}

export interface FieldDef {
  name: string;
  type: FieldType;
  label: Labels;
  required: boolean;
  read_only: boolean;
  searchable: boolean;
  sortable: boolean;
  filterable: boolean;
  text_format?: 'line' | 'multiline' | 'time_zone';
  max_length?: number;
  max_items?: number;
  enum_values?: string[];
  references?: string; // the referenced record type, singular ("company")
  references_plural?: string; // its URL segment ("companies")
  default?: unknown;
  // Client side only: a custom field shown as a field, `name` is "custom.<key>".
  custom_key?: string;
}

export interface CustomFieldDef {
  key: string;
  label: string;
  type: 'text' | 'number' | 'date' | 'enum' | 'boolean' | 'money';
  options: string[];
  required: boolean;
}

export interface ImportField {
  field: string;
  label: Labels;
  synonyms: string[];
}

export type Reach = 'none' | 'scope' | 'all';

export interface RecordType {
  name: string;
  plural: string;
  owned: boolean;
  has_timeline: boolean;
  on_timeline: boolean;
  exportable: boolean;
  importable: boolean;
  fields: FieldDef[];
  access: { read: Reach; write: Reach; create: boolean; list: boolean };
  custom_fields?: CustomFieldDef[];
  import_fields?: ImportField[];
}

export interface SchemaAnswer {
  entities: RecordType[];
}
