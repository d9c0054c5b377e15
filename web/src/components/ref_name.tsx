// Shows the display name of a referenced record (company, contact, user...), fetched once and cached.
import { useEffect, useState } from 'preact/hooks';
import { api, type Rec } from '../api';
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
