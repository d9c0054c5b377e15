// Shows the display name of a referenced record (company, contact, user...), fetched once and cached.
import { useEffect, useState } from 'preact/hooks';
import { api, qs, type Page, type Rec } from '../api';
import { Link } from './link';

const cache = new Map<string, Promise<string>>();

export function displayName(resource: string, r: Rec | null | undefined): string {
  if (!r) return '';
  switch (resource) {
    case 'contacts':
      return [r.first_name, r.last_name].filter(Boolean).join(' ') || (r.emails && r.emails[0]) || `#${r.id}`;
    case 'deals':
    case 'tasks':
      return r.title || `#${r.id}`;
    case 'users':
      return r.name || r.email || `#${r.id}`;
    default:
      return r.name || r.title || `#${r.id}`;
  }
}

export function primeName(resource: string, r: Rec) {
  cache.set(`${resource}/${r.id}`, Promise.resolve(displayName(resource, r)));
}

// Loads the names of many referenced records with one `id in (...)` query per 100 ids, so a
// page of 50 rows or a board of deals does not send one request per reference.
export function prefetchNames(resource: string, ids: unknown[]) {
  const missing = [...new Set(ids.filter((x) => x !== null && x !== undefined && /^\d+$/.test(String(x))).map(String))].filter(
    (id) => !cache.has(`${resource}/${id}`),
  );
  for (let i = 0; i < missing.length; i += 100) {
    const chunk = missing.slice(i, i + 100);
    const names = api
      .get<Page>(`/${resource}${qs({ filter: `id in (${chunk.join(', ')})`, limit: 500 })}`)
      .then((r) => new Map(r.data.map((x) => [String(x.id), displayName(resource, x)])))
      .catch(() => new Map<string, string>());
    for (const id of chunk) {
      const key = `${resource}/${id}`;
      cache.set(
        key,
        names.then((m) => {
          const n = m.get(id);
          if (n !== undefined) return n;
          cache.delete(key); // not visible in bulk: fall back to a direct fetch next time
          return fetchName(resource, id);
        }),
      );
    }
  }
}

// Prefetches every reference column of a set of rows.
export function prefetchRefs(rows: Rec[], refs: Record<string, string>) {
  for (const [field, resource] of Object.entries(refs)) prefetchNames(resource, rows.map((r) => r[field]));
}

export function fetchName(resource: string, id: string | number): Promise<string> {
  const key = `${resource}/${id}`;
  let p = cache.get(key);
  if (!p) {
    p = api
      .get<Rec>(`/${resource}/${encodeURIComponent(String(id))}`)
      .then((r) => displayName(resource, r))
      .catch(() => `#${id}`);
    cache.set(key, p);
  }
  return p;
}

export function RefName(props: { resource: string; id: string | number | null | undefined; link?: boolean }) {
  const { resource, id } = props;
  const [name, setName] = useState<string>('');
  useEffect(() => {
    let live = true;
    if (id === null || id === undefined || id === '') {
      setName('');
      return;
    }
    fetchName(resource, id).then((n) => live && setName(n));
    return () => {
      live = false;
    };
  }, [resource, id]);
  if (id === null || id === undefined || id === '') return null;
  const linkable = props.link !== false && ['contacts', 'companies', 'deals'].includes(resource);
  return linkable ? <Link href={`/${resource}/${id}`}>{name || '…'}</Link> : <span>{name || '…'}</span>;
}
