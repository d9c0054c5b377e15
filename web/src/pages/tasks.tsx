// Tasks: my tasks / team tasks grouped by due date, completed with one click.
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, listAll, type Rec } from '../api';
import { enumLabel, t, date } from '../i18n';
import type { MessageKey } from '../messages';
import { addDaysIso, todayIso } from '../format';
import { useUser } from '../session';
import { prefetchRefs, RefName } from '../components/ref_name';

export function TaskItem({ task, onChange }: { task: Rec; onChange?: (r: Rec) => void }) {
  const [rec, setRec] = useState(task);
  const [err, setErr] = useState('');
  const done = rec.status === 'done';
  const overdue = !done && rec.due_date && rec.due_date < todayIso();
  async function toggle() {
    try {
      const saved = await api.patch<Rec>(`/tasks/${rec.id}`, { status: done ? 'open' : 'done' }, { ifMatch: rec.version });
      setRec(saved);
      setErr('');
      onChange?.(saved);
    } catch (e) {
      setErr(e instanceof ApiError ? e.message : String(e));
    }
  }
  const id = `task-${rec.id}`;
  return (
    <li class={`task${done ? ' done' : ''}${overdue ? ' overdue' : ''}`}>
      <input id={id} type="checkbox" checked={done} onChange={toggle} />
      <label for={id}>
        <span class="sr-only">{done ? t('action.reopen') : t('action.complete')}: </span>
        {rec.title}
      </label>
      <span class="muted">
        {rec.due_date ? ` · ${date(rec.due_date)}` : ''}
        {rec.priority && rec.priority !== 'normal' ? ` · ${enumLabel(rec.priority)}` : ''}
      </span>
      {rec.contact_id ? (
        <span class="muted">
          {' · '}
          <RefName resource="contacts" id={rec.contact_id} />
        </span>
      ) : null}
      {rec.deal_id ? (
        <span class="muted">
          {' · '}
          <RefName resource="deals" id={rec.deal_id} />
        </span>
      ) : null}
      {rec.company_id && !rec.contact_id ? (
        <span class="muted">
          {' · '}
          <RefName resource="companies" id={rec.company_id} />
        </span>
      ) : null}
      {err ? <span role="alert" class="msg-error"> {err}</span> : null}
    </li>
  );
}

type Group = 'overdue' | 'today' | 'week' | 'later' | 'none';
const groupKeys: Record<Group, MessageKey> = {
  overdue: 'tasks.overdue',
  today: 'tasks.today',
  week: 'tasks.week',
  later: 'tasks.later',
  none: 'tasks.noDate',
};

export function groupOf(due: string | null | undefined, today = todayIso()): Group {
  if (!due) return 'none';
  if (due < today) return 'overdue';
  if (due === today) return 'today';
  if (due <= addDaysIso(today, 7)) return 'week';
  return 'later';
}

export function TasksPage() {
  const user = useUser();
  const [scope, setScope] = useState<'mine' | 'team'>('mine');
  const [rows, setRows] = useState<Rec[] | null>(null);
  const [error, setError] = useState('');
  useEffect(() => {
    setRows(null);
    let filter = 'status = "open"';
    if (scope === 'mine') filter += ` and assignee_id = ${user.id}`;
    else if (user.team_id) filter += ` and team_id = ${user.team_id}`;
    listAll('tasks', { filter, sort: 'due_date' }, 1000)
      .then((r) => (prefetchRefs(r, { contact_id: 'contacts', deal_id: 'deals', company_id: 'companies' }), setRows(r), setError('')))
      .catch((e) => (setRows([]), setError(e instanceof ApiError ? e.message : String(e))));
  }, [scope]);
  const groups: Group[] = ['overdue', 'today', 'week', 'later', 'none'];
  return (
    <div class="page">
      <header class="page-head">
        <h1>{t('nav.tasks')}</h1>
        <div class="page-actions" role="group" aria-label={t('label.scope')}>
          <button type="button" aria-pressed={scope === 'mine'} onClick={() => setScope('mine')}>
            {t('tasks.mine')}
          </button>
          <button type="button" aria-pressed={scope === 'team'} onClick={() => setScope('team')}>
            {t('tasks.team')}
          </button>
        </div>
      </header>
      {error ? <p role="alert" class="msg-error">{error}</p> : null}
      {rows === null ? <p>{t('msg.loading')}</p> : null}
      {rows && !rows.length && !error ? <p class="empty">{t('msg.noTasks')}</p> : null}
      {groups.map((g) => {
        const list = (rows || []).filter((r) => groupOf(r.due_date) === g);
        if (!list.length) return null;
        return (
          <section key={g} class={`panel group-${g}`} aria-labelledby={`tg-${g}`}>
            <h2 id={`tg-${g}`}>
              {t(groupKeys[g])} <span class="count">({list.length})</span>
            </h2>
            <ul class="task-list">
              {list.map((r) => (
                <TaskItem key={r.id} task={r} />
              ))}
            </ul>
          </section>
        );
      })}
    </div>
  );
}
