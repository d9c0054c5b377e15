// Locale-aware formatting through Intl. Money is integer minor units + ISO currency code.
export type Lang = 'fr' | 'en';

const localeOf = (lang: Lang) => (lang === 'fr' ? 'fr-FR' : 'en-GB');

export function fractionDigits(currency: string): number {
  try {
    return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
  } catch {
    return 2;
  }
}

export function formatMoney(lang: Lang, minor: number | null | undefined, currency = 'EUR'): string {
  const digits = fractionDigits(currency || 'EUR');
  const value = (Number(minor) || 0) / 10 ** digits;
  try {
    return new Intl.NumberFormat(localeOf(lang), { style: 'currency', currency: currency || 'EUR' }).format(value);
  } catch {
    return `${formatNumber(lang, value)} ${currency}`;
  }
}

// "1 234,56" typed by a French user or "1,234.56" by an English one → minor units.
export function parseMoney(lang: Lang, text: string, currency = 'EUR'): number | null {
  let s = text.replace(/[\s\u00a0\u202f€$£]/g, '').replace(/[A-Z]{3}$/i, '');
  if (!s) return null;
  if (lang === 'fr') s = s.replace(/\./g, '').replace(',', '.');
  else s = s.replace(/,/g, '');
  const n = Number(s);
  if (!Number.isFinite(n)) return null;
  return Math.round(n * 10 ** fractionDigits(currency));
}

export function moneyInput(lang: Lang, minor: number | null | undefined, currency = 'EUR'): string {
  if (minor === null || minor === undefined) return '';
  const digits = fractionDigits(currency);
  return new Intl.NumberFormat(localeOf(lang), { minimumFractionDigits: digits, maximumFractionDigits: digits, useGrouping: false }).format(
    minor / 10 ** digits,
  );
}

export function formatNumber(lang: Lang, n: number | null | undefined): string {
  if (n === null || n === undefined || Number.isNaN(Number(n))) return '';
  return new Intl.NumberFormat(localeOf(lang)).format(Number(n));
}

export function formatDate(lang: Lang, iso: string | null | undefined): string {
  if (!iso) return '';
  // A plain date ("2026-11-25") is a calendar day: do not shift it through a time zone.
  const d = /^\d{4}-\d{2}-\d{2}$/.test(iso) ? new Date(`${iso}T12:00:00`) : new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return new Intl.DateTimeFormat(localeOf(lang), { dateStyle: 'medium' }).format(d);
}

export function formatDateTime(lang: Lang, iso: string | number | null | undefined): string {
  if (iso === null || iso === undefined || iso === '') return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  return new Intl.DateTimeFormat(localeOf(lang), { dateStyle: 'medium', timeStyle: 'short' }).format(d);
}

export function todayIso(): string {
  const d = new Date();
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

export function addDaysIso(iso: string, days: number): string {
  const d = new Date(`${iso}T12:00:00`);
  d.setDate(d.getDate() + days);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

// Value for <input type="datetime-local"> in local time.
export function localDateTimeInput(d = new Date()): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}
