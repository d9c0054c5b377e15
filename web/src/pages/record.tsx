// Contact and company 360° pages: fields with inline edit, timeline, related records, merge.
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, qs, type Page, type Rec } from '../api';
import { enumLabel, money, num, t } from '../i18n';
import { editableFields } from '../record_types';
import { navigate } from '../router';
import { Link } from '../components/link';
import { displayName, primeName, RefName } from '../components/ref_name';
import { RecordForm } from '../components/record_form';
import { Timeline } from '../components/timeline';
import { nextId } from '../components/fields';

export function useRecord(resource: string, id: string): [Rec | null, (r: Rec) => void, string] {
  const [rec, setRec] = useState<Rec | null>(null);
  const [error, setError] = useState('');
  useEffect(() => {
    setRec(null);
    setError('');
    api
      .get<Rec>(`/${resource}/${encodeURIComponent(id)}`)
      .then((r) => {
        primeName(resource, r);
        setRec(r);
      })
      .catch((e) => setError(e instanceof ApiError && e.status === 404 ? t('error.notFound') : String(e.message || e)));
  }, [resource, id]);
  return [rec, (r) => (primeName(resource, r), setRec(r)), error];
}

export function RelatedList({ resource, filter, title }: { resource: 'contacts' | 'deals' | 'companies'; filter: string; title: string }) {
  const [rows, setRows] = useState<Rec[] | null>(null);
  useEffect(() => {
    api
      .get<Page>(`/${resource}${qs({ filter, limit: 20 })}`)
      .then((p) => setRows(p.data))
      .catch(() => setRows([]));
  }, [resource, filter]);
  const [hid] = useState(() => nextId('rel'));
  return (
    <section class="panel related" aria-labelledby={hid}>
      <h2 id={hid}>{title}</h2>
      {rows === null ? <p>{t('msg.loading')}</p> : null}
      {rows && !rows.length ? <p class="empty">{t('msg.nothingYet')}</p> : null}
      <ul>
        {(rows || []).map((r) => (
          <li key={r.id}>
            <Link href={`/${resource}/${r.id}`}>{displayName(resource, r)}</Link>
            {resource === 'deals' ? (
              <span class="muted">
                {' '}
                · {money(r.amount, r.currency)} · {enumLabel(r.status)}
              </span>
            ) : null}
            {resource === 'contacts' && r.title ? <span class="muted"> · {r.title}</span> : null}
          </li>
        ))}
      </ul>
    </section>
  );
}

function DeleteButton({ resource, id, after }: { resource: string; id: string | number; after: string }) {
  const [confirming, setConfirming] = useState(false);
  const [msg, setMsg] = useState('');
  if (!confirming)
    return (
      <button type="button" class="danger" onClick={() => setConfirming(true)}>
        {t('action.delete')}
      </button>
    );
  return (
    <span role="alert" class="confirm">
      {t('msg.confirmDelete', { n: 1 })}{' '}
      <button
        type="button"
        class="danger"
        onClick={() =>
          api
            .del(`/${resource}/${id}`)
            .then(() => navigate(after))
            .catch((e) => setMsg(String(e.message || e)))
        }
      >
        {t('action.confirmDelete')}
      </button>
      <button type="button" onClick={() => setConfirming(false)}>
        {t('action.cancel')}
      </button>
      {msg}
    </span>
  );
}

export function ContactPage({ id }: { id: string }) {
  const [rec, setRec, error] = useRecord('contacts', id);
  const [tick, setTick] = useState(0);
  if (error) return <p role="alert" class="msg-error">{error}</p>;
  if (!rec) return <p>{t('msg.loading')}</p>;
  return (
    <div class="page record-page">
      <header class="page-head">
        <div>
          <p class="crumb">
            <Link href="/contacts">{t('nav.contacts')}</Link>
          </p>
          <h1>{displayName('contacts', rec)}</h1>
          <p class="chips">
            {rec.title ? <span class="chip">{rec.title}</span> : null}
            {rec.company_id ? (
              <span class="chip">
                <RefName resource="companies" id={rec.company_id} />
              </span>
            ) : null}
            <span class="chip">{enumLabel(rec.lifecycle_stage)}</span>
            <span class="chip">
              {t('label.score')}: {num(rec.score ?? 0)}
            </span>
            {rec.owner_id ? (
              <span class="chip">
                {t('label.owner')}: <RefName resource="users" id={rec.owner_id} link={false} />
              </span>
            ) : null}
            {(rec.tags || []).map((tag: string) => (
              <span class="chip tag" key={tag}>
                {tag}
              </span>
            ))}
          </p>
        </div>
        <div class="page-actions">
          <DeleteButton resource="contacts" id={rec.id} after="/contacts" />
        </div>
      </header>
      <div class="two-col">
        <div>
          <section class="panel" aria-labelledby="fields-h">
            <h2 id="fields-h">{t('section.fields')}</h2>
            <RecordForm resource="contacts" record={rec} fields={editableFields('contacts')} onSaved={(r) => (setRec(r), setTick(tick + 1))} />
          </section>
          <MergePanel target={rec} onMerged={(r) => (setRec(r), setTick(tick + 1))} />
        </div>
        <div>
          <Timeline entity="contacts" id={rec.id} refreshKey={tick} />
          <RelatedList resource="deals" filter={`contact_ids contains ${rec.id}`} title={t('section.relatedDeals')} />
        </div>
      </div>
    </div>
  );
}

function MergePanel({ target, onMerged }: { target: Rec; onMerged: (r: Rec) => void }) {
  const [q, setQ] = useState('');
  const [results, setResults] = useState<Rec[]>([]);
  const [pick, setPick] = useState<Rec | null>(null);
  const [msg, setMsg] = useState('');
  const [sid] = useState(() => nextId('merge'));
  useEffect(() => {
    if (!q.trim()) return setResults([]);
    const h = setTimeout(
      () =>
        api
          .get<Page>(`/contacts${qs({ q, limit: 8 })}`)
          .then((p) => setResults(p.data.filter((r) => String(r.id) !== String(target.id))))
          .catch(() => setResults([])),
      200,
    );
    return () => clearTimeout(h);
  }, [q]);
  return (
    <details class="panel">
      <summary>{t('section.merge')}</summary>
      <p class="hint">{t('hint.merge')}</p>
      <label for={sid}>{t('label.findDuplicate')}</label>
      <input id={sid} type="search" value={q} onInput={(e) => setQ((e.target as HTMLInputElement).value)} />
      <ul>
        {results.map((r) => (
          <li key={r.id}>
            <button type="button" class="link" onClick={() => setPick(r)}>
              {displayName('contacts', r)} {r.emails?.[0] ? `(${r.emails[0]})` : ''}
            </button>
          </li>
        ))}
      </ul>
      {pick ? (
        <p role="alert" class="confirm">
          {t('msg.confirmMerge', { from: displayName('contacts', pick), into: displayName('contacts', target) })}{' '}
          <button
            type="button"
            class="danger"
            onClick={() =>
              api
                .post<Rec>(`/contacts/${target.id}/merge`, { from: pick.id })
                .then((r) => {
                  setPick(null);
                  setQ('');
                  setMsg(t('msg.merged'));
                  onMerged(r && r.id ? r : target);
                })
                .catch((e) => setMsg(String(e.message || e)))
            }
          >
            {t('action.merge')}
          </button>
          <button type="button" onClick={() => setPick(null)}>
            {t('action.cancel')}
          </button>
        </p>
      ) : null}
      {msg ? <p role="status">{msg}</p> : null}
    </details>
  );
}

export function CompanyPage({ id }: { id: string }) {
  const [rec, setRec, error] = useRecord('companies', id);
  const [tick, setTick] = useState(0);
  if (error) return <p role="alert" class="msg-error">{error}</p>;
  if (!rec) return <p>{t('msg.loading')}</p>;
  return (
    <div class="page record-page">
      <header class="page-head">
        <div>
          <p class="crumb">
            <Link href="/companies">{t('nav.companies')}</Link>
          </p>
          <h1>{displayName('companies', rec)}</h1>
          <p class="chips">
            {rec.domain ? <span class="chip">{rec.domain}</span> : null}
            {rec.industry ? <span class="chip">{rec.industry}</span> : null}
            {rec.city ? <span class="chip">{rec.city}</span> : null}
          </p>
        </div>
        <div class="page-actions">
          <DeleteButton resource="companies" id={rec.id} after="/companies" />
        </div>
      </header>
      <div class="two-col">
        <div>
          <section class="panel" aria-labelledby="fields-h">
            <h2 id="fields-h">{t('section.fields')}</h2>
            <RecordForm resource="companies" record={rec} fields={editableFields('companies')} onSaved={(r) => (setRec(r), setTick(tick + 1))} />
          </section>
          <RelatedList resource="contacts" filter={`company_id = ${rec.id}`} title={t('section.relatedContacts')} />
          <RelatedList resource="deals" filter={`company_id = ${rec.id}`} title={t('section.relatedDeals')} />
        </div>
        <div>
          <Timeline entity="companies" id={rec.id} refreshKey={tick} />
        </div>
      </div>
    </div>
  );
}
