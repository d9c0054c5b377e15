// Field values as form inputs edit them (strings) and back, with the limits the server
// declares checked before sending. No DOM: unit tests run it in Node.
import { getLang, t } from './i18n';
import { moneyInput, parseMoney } from './format';
import type { Rec } from './api';
import type { FieldDef } from './schema';

export function toInput(def: FieldDef, value: any, record?: Rec): string {
  if (value === null || value === undefined) return '';
  switch (def.type) {
    case 'text_list':
    case 'reference_list':
      return Array.isArray(value) ? value.join(', ') : String(value);
    case 'money':
      return moneyInput(getLang(), value, record?.currency || 'EUR');
    case 'boolean':
      return value ? 'true' : 'false';
    default:
      return String(value);
  }
}

// Returns [value, error]; error is a translated message for values the browser can reject itself.
const utf8Bytes = (s: string) => new TextEncoder().encode(s).length;

// The limits the server declares (max_length in bytes of UTF-8, max_items), checked before
// sending so the message shows under the field; the server checks them again.
function limitError(def: FieldDef, values: string[]): string | null {
  if (def.max_items !== undefined && values.length > def.max_items) return t('error.tooMany', { n: def.max_items });
  if (def.max_length !== undefined && values.some((v) => utf8Bytes(v) > def.max_length!)) return t('error.tooLong', { n: def.max_length });
  return null;
}

export function fromInput(def: FieldDef, text: string, currency = 'EUR'): [any, string | null] {
  const s = text.trim();
  switch (def.type) {
    case 'text_list': {
      const items = s ? s.split(',').map((x) => x.trim()).filter(Boolean) : [];
      const err = limitError(def, items);
      return err ? [null, err] : [items, null];
    }
    case 'reference_list':
      return [s ? s.split(',').map((x) => x.trim()).filter(Boolean).map((x) => (/^\d+$/.test(x) ? Number(x) : x)) : [], null];
    case 'money': {
      if (!s) return [0, null];
      const v = parseMoney(getLang(), s, currency);
      return v === null ? [null, t('error.number')] : [v, null];
    }
    case 'integer': {
      if (!s) return [null, null];
      const n = Number(def.custom_key !== undefined ? s.replace(',', '.') : s);
      // Custom "number" fields take decimals; declared integer fields do not.
      const ok = def.custom_key !== undefined ? Number.isFinite(n) : Number.isInteger(n);
      return ok ? [n, null] : [null, t('error.number')];
    }
    case 'reference':
      if (!s) return [null, null];
      return [/^\d+$/.test(s) ? Number(s) : s, null];
    case 'boolean':
      return [s === 'true', null];
    case 'text': {
      const err = s === '' ? null : limitError(def, [s]);
      return err ? [null, err] : [s === '' ? null : s, null];
    }
    default:
      return [s === '' ? null : s, null];
  }
}

