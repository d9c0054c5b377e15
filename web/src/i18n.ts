// Current language, translation lookup and field/enum labels. Language: once signed in, the
// user's record (`locale`, read at login and session restore); before that, the last choice made
// in this browser, else the browser's language. The App re-renders everything when it changes.
import { messages, type MessageKey } from './messages';
import type { Lang } from './format';
import type { FieldDef } from './schema';
import * as fmt from './format';

const STORAGE_KEY = 'relais.lang';
// "<user id>:<lang>" when the server refused to store that user's choice (roles that may not edit
// their own user record): this browser then keeps the choice over the record's locale.
const LOCAL_ONLY_KEY = 'relais.lang.localOnly';

const isLang = (v: unknown): v is Lang => v === 'fr' || v === 'en';

function readStorage(key: string): string | null {
  try {
    return localStorage.getItem(key);
  } catch {
    return null; /* storage disabled */
  }
}
let lang: Lang = initialLang();

function initialLang(): Lang {
  try {
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

// The language for a signed-in user: a choice kept in this browser because the server refused
// it, else the record's locale; null when neither names a known language.
export function preferredLang(user: { id: number | string; locale?: string | null }, localOnly: string | null): Lang | null {
  if (localOnly) {
    const sep = localOnly.lastIndexOf(':');
    const chosen = localOnly.slice(sep + 1);
    if (sep > 0 && localOnly.slice(0, sep) === String(user.id) && isLang(chosen)) return chosen;
  }
  return isLang(user.locale) ? user.locale : null;
}

export function userLang(user: { id: number | string; locale?: string | null }): Lang | null {
  return preferredLang(user, readStorage(LOCAL_ONLY_KEY));
}

// Records (or, with null, forgets) a choice the server did not store for this user.
export function keepLangLocally(userId: number | string, chosen: Lang | null) {
  try {
    if (chosen) localStorage.setItem(LOCAL_ONLY_KEY, `${userId}:${chosen}`);
    else localStorage.removeItem(LOCAL_ONLY_KEY);
  } catch {
    /* ignore */
  }
}

export function t(key: MessageKey, params: Record<string, string | number> = {}): string {
  const text: string = messages[lang][key] ?? messages.en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, k) => (params[k] !== undefined ? String(params[k]) : `{${k}}`));
}

export function label(def: FieldDef | undefined, fallback = ''): string {
  if (!def) return fallback;
  return lang === 'fr' ? def.fr : def.en;
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
