// Deal page: fields, won/lost, contacts, stage history, timeline and tasks.
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, qs, type Page, type Rec } from '../api';
import { dateTime, enumLabel, money, t, date } from '../i18n';
import { editableFields } from '../record_types';
import { Link } from '../components/link';
import { displayName, RefName } from '../components/ref_name';
import { RecordForm } from '../components/record_form';
import { Timeline } from '../components/timeline';
import { useSmallList } from '../components/fields';
import { useRecord } from './record';
import { LostDialog, type Stage } from './pipeline';
import { TaskItem } from './tasks';

export function DealPage({ id }: { id: string }) {
  const [rec, setRec, error] = useRecord('deals', id);
  const pipelines = useSmallList('pipelines');
  const [tick, setTick] = useState(0);
  const [losing, setLosing] = useState(false);
  const [msg, setMsg] = useState('');
  if (error) return <p role="alert" class="msg-error">{error}</p>;
  if (!rec) return <p>{t('msg.loading')}</p>;
  const pipeline = pipelines.find((p) => String(p.id) === String(rec.pipeline_id));
  const stages: Stage[] = pipeline?.stages || [];
  const stageName = (sid: string) => stages.find((s) => s.id === sid)?.name || sid;
  const won = stages.find((s) => s.kind === 'won');
  const lost = stages.find((s) => s.kind === 'lost');

  async function moveTo(stage: Stage, reason?: string) {
    try {
      const body: Record<string, any> = { stage_id: stage.id };
      if (reason) body.lost_reason = reason;
      const saved = await api.patch<Rec>(`/deals/${rec!.id}`, body, { ifMatch: rec!.version });
      setRec(saved);
      setTick(tick + 1);
      setMsg('');
    } catch (e) {
      setMsg(e instanceof ApiError && e.status === 409 ? t('error.conflict') : String((e as Error).message || e));
    }
  }

  const fields = editableFields('deals').filter((d) => d.name !== 'contact_ids');
  return (
    <div class="page record-page">
      <header class="page-head">
        <div>
          <p class="crumb">
            <Link href={`/pipeline?pipeline=${rec.pipeline_id}`}>{pipeline?.name || t('nav.pipeline')}</Link>
          </p>
          <h1>{displayName('deals', rec)}</h1>
          <p class="chips">
            <span class="chip">{money(rec.amount, rec.currency)}</span>
            <span class="chip">{stageName(rec.stage_id)}</span>
            <span class={`chip status-${rec.status}`}>{enumLabel(rec.status)}</span>
            {rec.lost_reason ? (
              <span class="chip">
                {t('label.lostReason')}: {rec.lost_reason}
              </span>
            ) : null}
            {rec.expected_close_date ? <span class="chip">{date(rec.expected_close_date)}</span> : null}
          </p>
        </div>
        <div class="page-actions">
          {won && rec.stage_id !== won.id ? (
            <button type="button" class="primary" onClick={() => moveTo(won)}>
              {t('action.markWon')}
            </button>
          ) : null}
          {lost && rec.stage_id !== lost.id ? (
            <button type="button" class="danger" onClick={() => setLosing(true)}>
              {t('action.markLost')}
            </button>
          ) : null}
        </div>
      </header>
      {msg ? (
        <p role="alert" class="msg-error">
          {msg}
        </p>
      ) : null}
      <div class="two-col">
        <div>
          <section class="panel" aria-labelledby="fields-h">
            <h2 id="fields-h">{t('section.fields')}</h2>
            <RecordForm
              resource="deals"
              record={rec}
              fields={fields}
              options={{ stage_id: stages.map((s) => ({ value: s.id, label: s.name })) }}
              onSaved={(r) => (setRec(r), setTick(tick + 1))}
            />
          </section>
          <DealContacts deal={rec} onSaved={(r) => setRec(r)} />
          <StageHistory dealId={rec.id} stageName={stageName} refreshKey={tick} />
          <DealTasks dealId={rec.id} refreshKey={tick} />
        </div>
        <div>
          <Timeline entity="deals" id={rec.id} refreshKey={tick} stageName={stageName} />
        </div>
      </div>
      {losing && lost ? (
        <LostDialog
          deal={rec}
          onCancel={() => setLosing(false)}
          onConfirm={(reason) => {
            setLosing(false);
            moveTo(lost, reason);
          }}
        />
      ) : null}
    </div>
  );
}

function DealContacts({ deal, onSaved }: { deal: Rec; onSaved: (r: Rec) => void }) {
  const ids: (string | number)[] = deal.contact_ids || [];
  const [q, setQ] = useState('');
  const [results, setResults] = useState<Rec[]>([]);
  const [msg, setMsg] = useState('');
  useEffect(() => {
    if (!q.trim()) return setResults([]);
    const h = setTimeout(() => api.get<Page>(`/contacts${qs({ q, limit: 8 })}`).then((p) => setResults(p.data)).catch(() => setResults([])), 200);
    return () => clearTimeout(h);
  }, [q]);
  async function save(next: (string | number)[]) {
    try {
      onSaved(await api.patch<Rec>(`/deals/${deal.id}`, { contact_ids: next }, { ifMatch: deal.version }));
      setMsg('');
    } catch (e) {
      setMsg(String((e as Error).message || e));
    }
  }
  return (
    <section class="panel" aria-labelledby="deal-contacts-h">
      <h2 id="deal-contacts-h">{t('section.contacts')}</h2>
      <ul>
        {ids.map((cid) => (
          <li key={cid}>
            <RefName resource="contacts" id={cid} />{' '}
            <button type="button" class="link" onClick={() => save(ids.filter((x) => x !== cid))} aria-label={t('action.removeContact', { id: cid })}>
              {t('action.remove')}
            </button>
          </li>
        ))}
      </ul>
      <label for="deal-add-contact">{t('label.addContact')}</label>
      <input id="deal-add-contact" type="search" value={q} onInput={(e) => setQ((e.target as HTMLInputElement).value)} />
      <ul>
        {results
          .filter((r) => !ids.some((x) => String(x) === String(r.id)))
          .map((r) => (
            <li key={r.id}>
              <button type="button" class="link" onClick={() => (save([...ids, r.id]), setQ(''))}>
                {displayName('contacts', r)}
              </button>
            </li>
          ))}
      </ul>
      {msg ? <p role="alert">{msg}</p> : null}
    </section>
  );
}

function StageHistory({ dealId, stageName, refreshKey }: { dealId: string | number; stageName: (id: string) => string; refreshKey: number }) {
  const [rows, setRows] = useState<Rec[]>([]);
  useEffect(() => {
    api
      .get<Page>(`/deals/${dealId}/timeline${qs({ limit: 100 })}`)
      .then((p) => setRows(p.data.filter((x) => x.kind === 'stage_change')))
      .catch(() => setRows([]));
  }, [dealId, refreshKey]);
  return (
    <section class="panel" aria-labelledby="stage-history-h">
      <h2 id="stage-history-h">{t('section.stageHistory')}</h2>
      {!rows.length ? <p class="empty">{t('msg.nothingYet')}</p> : null}
      <ol>
        {rows.map((r, i) => {
          const from = r.from_stage ?? '';
          const to = r.to_stage ?? '';
          return (
            <li key={i}>
              <time dateTime={r.at}>{dateTime(r.at)}</time> — {from ? `${stageName(String(from))} → ` : ''}
              {stageName(String(to))}
            </li>
          );
        })}
      </ol>
    </section>
  );
}

function DealTasks({ dealId, refreshKey }: { dealId: string | number; refreshKey: number }) {
  const [rows, setRows] = useState<Rec[]>([]);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    api
      .get<Page>(`/tasks${qs({ filter: `deal_id = ${dealId}`, sort: 'due_date', limit: 50 })}`)
      .then((p) => setRows(p.data))
      .catch(() => setRows([]));
  }, [dealId, refreshKey, tick]);
  return (
    <section class="panel" aria-labelledby="deal-tasks-h">
      <h2 id="deal-tasks-h">{t('nav.tasks')}</h2>
      {!rows.length ? <p class="empty">{t('msg.nothingYet')}</p> : null}
      <ul class="task-list">
        {rows.map((r) => (
          <TaskItem key={r.id} task={r} onChange={() => setTick(tick + 1)} />
        ))}
      </ul>
    </section>
  );
}
