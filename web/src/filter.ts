// Builds the segment filter language from visual conditions:
//   city = "Lyon" and (lifecycle_stage in ("lead","mql") or score >= 50)
import type { FieldDef } from './schema';

export type Op = '=' | '!=' | '<' | '<=' | '>' | '>=' | 'contains' | 'in' | 'is empty' | 'is not empty';

export interface Condition {
  field: string;
  op: Op;
  value: string;
}

export function quote(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

export function opsFor(def: FieldDef | undefined): Op[] {
  const empty: Op[] = ['is empty', 'is not empty'];
  if (!def) return ['=', '!=', 'contains', ...empty];
  switch (def.type) {
    case 'integer':
    case 'money':
    case 'date':
    case 'datetime':
      return ['=', '!=', '<', '<=', '>', '>=', ...empty];
    case 'enum':
      return ['=', '!=', 'in', ...empty];
    case 'text_list':
    case 'reference_list':
      return ['contains', ...empty];
    case 'reference':
    case 'boolean':
      return ['=', '!=', ...empty];
    default:
      return ['=', '!=', 'contains', 'in', ...empty];
  }
}

function literal(def: FieldDef | undefined, raw: string): string {
  const v = raw.trim();
  const type = def?.type ?? 'text';
  if (type === 'integer' || type === 'reference') return /^-?\d+(\.\d+)?$/.test(v) ? v : quote(v);
  if (type === 'boolean') return v === 'true' || v === 'false' ? v : quote(v);
  if (type === 'date' || type === 'datetime') return /^\d{4}-\d{2}-\d{2}/.test(v) ? v : quote(v);
  if (type === 'money') {
    // "500" → 500 EUR; "500 USD" kept; decimal comma accepted.
    const m = v.replace(',', '.').match(/^(-?\d+(?:\.\d+)?)\s*([A-Za-z]{3})?$/);
    if (m) return `${m[1]} ${(m[2] || 'EUR').toUpperCase()}`;
    return quote(v);
  }
  return quote(v);
}

export function conditionText(c: Condition, def: FieldDef | undefined): string | null {
  if (!c.field) return null;
  if (c.op === 'is empty' || c.op === 'is not empty') return `${c.field} ${c.op}`;
  if (c.value.trim() === '') return null;
  if (c.op === 'in') {
    const parts = c.value
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean)
      .map((x) => literal(def, x));
    return parts.length ? `${c.field} in (${parts.join(', ')})` : null;
  }
  return `${c.field} ${c.op} ${literal(def, c.value)}`;
}

export function buildFilter(conds: Condition[], join: 'and' | 'or', defs: (name: string) => FieldDef | undefined): string {
  const parts = conds.map((c) => conditionText(c, defs(c.field))).filter((x): x is string => !!x);
  return parts.join(` ${join} `);
}

// Pipeline board: open deals always, closed ones only when closed within the last `days` days
// ('all': no restriction). Appended to the board's filter.
export function closedDealsFilter(days: string, nowMs: number): string {
  if (days === 'all') return '';
  const since = new Date(nowMs - Number(days) * 86400000).toISOString();
  return ` and (status = "open" or closed_at >= ${quote(since)})`;
}
