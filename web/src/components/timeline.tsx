// A record's history (activities, notes, tasks, stage and field changes), newest first, with
// inline forms to log a call / meeting / e-mail / note and to add a task.
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, fieldErrors, qs, type Page, type Rec } from '../api';
import { dateTime, enumLabel, label, t, date } from '../i18n';
import { fieldDef } from '../record_types';
import type { MessageKey } from '../messages';
import { localDateTimeInput, todayIso } from '../format';
import { useUser } from '../session';
import { nextId } from './fields';
import { prefetchNames, RefName } from './ref_name';

type Entity = 'contacts' | 'companies' | 'deals';
const linkField: Record<Entity, string> = { contacts: 'contact_id', companies: 'company_id', deals: 'deal_id' };

export function Timeline(props: { entity: Entity; id: string | number; refreshKey?: number; stageName?: (id: string) => string }) {
  const { entity, id } = props;
  const [items, setItems] = useState<Rec[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState('');
  const [tick, setTick] = useState(0);

  async function load(after?: string) {
    try {
      const page = await api.get<Page>(`/${entity}/${id}/timeline${qs({ limit: 30, cursor: after })}`);
      prefetchNames('users', page.data.map((x) => x.owner_id || x.actor_user_id));
      setItems(after ? [...items, ...page.data] : page.data);
      setCursor(page.next_cursor);
      setError('');
    } catch (e) {
      setError(e instanceof ApiError ? e.message : String(e));
    }
  }
  useEffect(() => {
    load();
  }, [entity, id, tick, props.refreshKey]);

  return (
    <section class="timeline" aria-labelledby="timeline-h">
      <h2 id="timeline-h">{t('section.timeline')}</h2>
      <Composer entity={entity} id={id} onDone={() => setTick(tick + 1)} />
      {error ? <p role="alert" class="msg-error">{error}</p> : null}
      <ol class="timeline-list" aria-label={t('section.timeline')}>
        {items.map((it, i) => (
          <TimelineItem key={`${it.kind}-${it.id ?? i}-${it.at}`} item={it} entity={entity} stageName={props.stageName} />
        ))}
      </ol>
      {!items.length && !error ? <p class="empty">{t('msg.nothingYet')}</p> : null}
      {cursor ? (
        <button type="button" onClick={() => load(cursor)}>
          {t('action.loadMore')}
        </button>
      ) : null}
    </section>
  );
}

const hiddenChanges = new Set(['updated_at', 'version', 'stage_changed_at', 'closed_at', 'custom']);

function TimelineItem({ item, entity, stageName }: { item: Rec; entity: Entity; stageName?: (id: string) => string }) {
  const r: Rec = item.record || item.data || item;
  const at = item.at || r.occurred_at || r.created_at;
  const who = r.owner_id || (Number(r.actor_user_id) > 0 ? r.actor_user_id : null);
  let kindLabel = '';
  let title = '';
  let body = '';
  switch (item.kind) {
    case 'activity':
      kindLabel = enumLabel(r.type) || t('kind.activity');
      title = r.subject || '';
      body = [r.body, r.outcome ? `${t('label.outcome')}: ${r.outcome}` : '', r.duration_minutes ? `${r.duration_minutes} min` : '']
        .filter(Boolean)
        .join(' · ');
      break;
    case 'note':
      kindLabel = t('kind.note');
      body = r.body || '';
      break;
    case 'task':
      kindLabel = t('kind.task');
      title = r.title || '';
      body = [r.due_date ? `${t('label.due')}: ${date(r.due_date)}` : '', enumLabel(r.status)].filter(Boolean).join(' · ');
      break;
    case 'stage_change': {
      kindLabel = t('kind.stage_change');
      const from = r.from_stage ?? '';
      const to = r.to_stage ?? '';
      const name = (s: any) => (stageName ? stageName(String(s)) : String(s));
      title = from ? `${name(from)} → ${name(to)}` : name(to);
      break;
    }
    default: {
      kindLabel = t('kind.audit');
      title = enumLabel(r.action) || r.action || '';
      // Creations repeat the whole record: only updates list what changed.
      if (r.action === 'update' && r.changes && typeof r.changes === 'object') {
        body = Object.keys(r.changes)
          .filter((k) => !hiddenChanges.has(k))
          .map((k) => {
            const def = fieldDef(entity, k);
            const name = label(def, k);
            const v = r.changes[k];
            return def && ['text', 'enum', 'integer', 'date'].includes(def.type) && v !== null && typeof v !== 'object'
              ? `${name} : ${def.type === 'enum' ? enumLabel(String(v)) : def.type === 'date' ? date(String(v)) : String(v)}`
              : name;
          })
          .join(' · ');
      }
    }
  }
  return (
    <li class={`tl-item tl-${item.kind}`}>
      <div class="tl-head">
        <span class="tl-kind">{kindLabel}</span>
        {title ? <strong class="tl-title">{title}</strong> : null}
        <time dateTime={at}>{dateTime(at)}</time>
        {who ? (
          <span class="tl-who">
            <RefName resource="users" id={who} link={false} />
          </span>
        ) : null}
      </div>
      {body ? <p class="tl-body">{body}</p> : null}
    </li>
  );
}

type Mode = 'call' | 'meeting' | 'email' | 'note' | 'task' | null;

function Composer({ entity, id, onDone }: { entity: Entity; id: string | number; onDone: () => void }) {
  const user = useUser();
  const [mode, setMode] = useState<Mode>(null);
  const [subject, setSubject] = useState('');
  const [body, setBody] = useState('');
  const [when, setWhen] = useState(localDateTimeInput());
  const [duration, setDuration] = useState('');
  const [outcome, setOutcome] = useState('');
  const [due, setDue] = useState(todayIso());
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [message, setMessage] = useState('');
  const [busy, setBusy] = useState(false);
  const [ids] = useState(() => ({ subject: nextId('c-subj'), body: nextId('c-body'), when: nextId('c-when'), duration: nextId('c-dur'), outcome: nextId('c-out'), due: nextId('c-due') }));

  function open(m: Mode) {
    setMode(m);
    setSubject('');
    setBody('');
    setWhen(localDateTimeInput());
    setDuration('');
    setOutcome('');
    setDue(todayIso());
    setErrors({});
    setMessage('');
  }

  async function submit(e: Event) {
    e.preventDefault();
    if (!mode) return;
    const link = { [linkField[entity]]: isNaN(Number(id)) ? id : Number(id) };
    setBusy(true);
    try {
      if (mode === 'note') {
        await api.post('/notes', { body, ...link });
      } else if (mode === 'task') {
        await api.post('/tasks', { title: subject, description: body || undefined, due_date: due || undefined, assignee_id: user.id, ...link });
      } else {
        const occurred = when ? new Date(when).toISOString() : new Date().toISOString();
        await api.post('/activities', {
          type: mode,
          subject,
          body: body || undefined,
          occurred_at: occurred,
          duration_minutes: duration ? Number(duration) : undefined,
          outcome: outcome || undefined,
          ...link,
        });
      }
      setMode(null);
      onDone();
    } catch (err) {
      setErrors(fieldErrors(err));
      setMessage(err instanceof ApiError ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  }

  const buttons: [Mode, MessageKey][] = [
    ['call', 'action.logCall'],
    ['meeting', 'action.logMeeting'],
    ['email', 'action.logEmail'],
    ['note', 'action.addNote'],
    ['task', 'action.addTask'],
  ];
  const err = (k: string) =>
    errors[k] ? (
      <p class="field-error" id={`${(ids as any)[k] || k}-err`} role="alert">
        {errors[k]}
      </p>
    ) : null;

  return (
    <div class="composer">
      <div class="composer-buttons" role="group" aria-label={t('section.logActivity')}>
        {buttons.map(([m, key]) => (
          <button type="button" key={m} aria-pressed={mode === m} onClick={() => open(m)}>
            {t(key)}
          </button>
        ))}
      </div>
      {mode ? (
        <form class="composer-form" onSubmit={submit} aria-label={t(buttons.find((b) => b[0] === mode)![1])}>
          {mode !== 'note' ? (
            <div class="field">
              <label for={ids.subject}>{mode === 'task' ? t('label.taskTitle') : t('label.subject')}</label>
              <input id={ids.subject} value={subject} required onInput={(e) => setSubject((e.target as HTMLInputElement).value)} />
              {err(mode === 'task' ? 'title' : 'subject')}
            </div>
          ) : null}
          <div class="field">
            <label for={ids.body}>{mode === 'note' ? t('kind.note') : t('label.details')}</label>
            <textarea id={ids.body} rows={3} value={body} required={mode === 'note'} onInput={(e) => setBody((e.target as HTMLTextAreaElement).value)} />
            {err(mode === 'task' ? 'description' : 'body')}
          </div>
          {mode === 'call' || mode === 'meeting' || mode === 'email' ? (
            <div class="form-row">
              <div class="field">
                <label for={ids.when}>{t('label.when')}</label>
                <input id={ids.when} type="datetime-local" value={when} onInput={(e) => setWhen((e.target as HTMLInputElement).value)} />
                {err('occurred_at')}
              </div>
              {mode !== 'email' ? (
                <div class="field">
                  <label for={ids.duration}>{t('label.duration')}</label>
                  <input id={ids.duration} type="number" min="0" value={duration} onInput={(e) => setDuration((e.target as HTMLInputElement).value)} />
                  {err('duration_minutes')}
                </div>
              ) : null}
              <div class="field">
                <label for={ids.outcome}>{t('label.outcome')}</label>
                <input id={ids.outcome} value={outcome} onInput={(e) => setOutcome((e.target as HTMLInputElement).value)} />
              </div>
            </div>
          ) : null}
          {mode === 'task' ? (
            <div class="field">
              <label for={ids.due}>{t('label.due')}</label>
              <input id={ids.due} type="date" value={due} onInput={(e) => setDue((e.target as HTMLInputElement).value)} />
              {err('due_date')}
            </div>
          ) : null}
          <div class="form-actions">
            <button type="submit" class="primary" disabled={busy}>
              {t('action.save')}
            </button>
            <button type="button" onClick={() => setMode(null)}>
              {t('action.cancel')}
            </button>
            {message ? <span class="msg-error" role="alert">{message}</span> : null}
          </div>
        </form>
      ) : null}
    </div>
  );
}
