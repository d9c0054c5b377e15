// Current language, translation lookup and field/enum labels. Language: once signed in, the
// user's record (`locale`, read at login and session restore); before that, the last choice made
// in this browser, else the browser's language. The App re-renders everything when it changes.
import { messages, type MessageKey } from './messages';
import type { Lang } from './format';
import type { FieldDef } from './schema';
import * as fmt from './format';

const STORAGE_KEY = 'relais.lang';

const isLang = (v: unknown): v is Lang => v === 'fr' || v === 'en';

let lang: Lang = initialLang();

function initialLang(): Lang {
  try {
    // Left by an older version that kept a per-user choice when the server refused to save it.
    localStorage.removeItem('relais.lang.localOnly');
    const saved = localStorage.getItem(STORAGE_KEY);
    if (saved === 'fr' || saved === 'en') return saved;
  } catch {
    /* storage disabled */
  }
  const nav = (typeof navigator !== 'undefined' && (navigator.languages?.[0] || navigator.language)) || 'fr';
  return nav.toLowerCase().startsWith('fr') ? 'fr' : 'en';
}

export function getLang(): Lang {
  return lang;
}

export function hasSavedLang(): boolean {
  try {
    return !!localStorage.getItem(STORAGE_KEY);
  } catch {
    return false;
  }
}

export function setLang(next: Lang, persist = true) {
  lang = next;
  if (persist) {
    try {
      localStorage.setItem(STORAGE_KEY, next);
    } catch {
      /* ignore */
    }
  }
  if (typeof document !== 'undefined') document.documentElement.lang = next;
}

// The language saved on a signed-in user's record; null when it names no known language.
export function userLang(user: { locale?: string | null }): Lang | null {
  return isLang(user.locale) ? user.locale : null;
}

export function t(key: MessageKey, params: Record<string, string | number> = {}): string {
  const text: string = messages[lang][key] ?? messages.en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, k) => (params[k] !== undefined ? String(params[k]) : `{${k}}`));
}

export function label(def: FieldDef | undefined, fallback = ''): string {
  if (!def) return fallback;
  return lang === 'fr' ? def.label.fr : def.label.en;
}

// Enum values (lifecycle stages, statuses, priorities, roles, activity types) have their own labels.
export function enumLabel(value: string | null | undefined): string {
  if (value === null || value === undefined || value === '') return '';
  const key = `enum.${value}` as MessageKey;
  return messages[lang][key] ?? value;
}

export const money = (minor: number | null | undefined, currency?: string) => fmt.formatMoney(lang, minor, currency);
export const num = (n: number | null | undefined) => fmt.formatNumber(lang, n);
export const date = (iso: string | null | undefined) => fmt.formatDate(lang, iso);
export const dateTime = (iso: string | number | null | undefined) => fmt.formatDateTime(lang, iso);
