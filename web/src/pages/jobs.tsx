// Administration: the background job queue. Lists jobs by status and kind, shows one job with
// its last error, retries failed and dead jobs, and keeps everything live from the server's
// event stream (GET /api/v1/jobs/stream): a job's progress bar moves as its worker reports,
// whichever server runs it.
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ApiError, qs, type Page } from '../api';
import { dateTime, getLang, num, t } from '../i18n';
import type { MessageKey } from '../messages';

export interface Job {
  id: number;
  kind: string;
  status: 'queued' | 'running' | 'done' | 'failed' | 'dead';
  attempts: number;
  max_attempts: number;
  run_at: string;
  progress: { done: number; total: number } | null;
  last_error: string | null;
  payload: unknown;
  result: unknown;
  lease_until: string | null;
  created_at: string;
  updated_at: string;
  finished_at: string | null;
}

const STATUSES: Job['status'][] = ['queued', 'running', 'done', 'failed', 'dead'];
const statusKey = (s: string) => `jobs.status.${s}` as MessageKey;

// The newer of two states of one job: a stream event and a list page may cross each other.
export function newer(a: Job | undefined, b: Job): Job {
  if (!a) return b;
  return a.updated_at > b.updated_at ? a : b;
}

export function percent(job: Job): number | null {
  if (job.status === 'done') return 100;
  if (!job.progress || job.progress.total <= 0) return null;
  return Math.min(100, Math.round((job.progress.done / job.progress.total) * 100));
}

function percentText(value: number): string {
  return new Intl.NumberFormat(getLang() === 'fr' ? 'fr-FR' : 'en-GB', { style: 'percent' }).format(value / 100);
}

export function JobProgress({ job }: { job: Job }) {
  const pct = percent(job);
  const label = t('jobs.progressOfJob', { id: job.id });
  if (pct === null) {
    if (job.status !== 'running') return <span class="muted">—</span>;
    // Running without a known total: an indeterminate bar and the count so far.
    return (
      <span class="job-progress">
        <progress aria-label={label} />
        <span>{job.progress ? num(job.progress.done) : ''}</span>
      </span>
    );
  }
  return (
    <span class="job-progress">
      <progress aria-label={label} max={100} value={pct} />
      <span>{percentText(pct)}</span>
    </span>
  );
}

function JobDetail({ job, onClose, onRetried }: { job: Job; onClose: () => void; onRetried: (j: Job) => void }) {
  const [error, setError] = useState('');
  const [notice, setNotice] = useState('');
  async function retry() {
    try {
      const saved = await api.post<Job>(`/jobs/${job.id}/retry`);
      onRetried(saved);
      setError('');
      setNotice(t('jobs.retried', { id: job.id }));
    } catch (e) {
      setError(e instanceof ApiError ? e.message : String(e));
    }
  }
  const canRetry = job.status === 'failed' || job.status === 'dead';
  return (
    <section class="panel job-detail" aria-labelledby="job-detail-title">
      <header class="page-head">
        <h2 id="job-detail-title">{t('jobs.detail', { id: job.id })}</h2>
        <div class="page-actions">
          {canRetry ? (
            <button type="button" class="primary" onClick={retry}>
              {t('jobs.retry')}
            </button>
          ) : null}
          <button type="button" onClick={onClose}>
            {t('jobs.close')}
          </button>
        </div>
      </header>
      {error ? <p role="alert" class="msg-error">{error}</p> : null}
      {notice ? <p role="status">{notice}</p> : null}
      <dl class="job-fields">
        <dt>{t('jobs.kind')}</dt>
        <dd>{job.kind}</dd>
        <dt>{t('jobs.status')}</dt>
        <dd>{t(statusKey(job.status))}</dd>
        <dt>{t('jobs.progress')}</dt>
        <dd>
          <JobProgress job={job} />
          {job.progress && job.progress.total > 0 ? (
            <span class="muted"> {t('jobs.progressOf', { done: num(job.progress.done), total: num(job.progress.total) })}</span>
          ) : null}
        </dd>
        <dt>{t('jobs.attempts')}</dt>
        <dd>
          {num(job.attempts)} / {num(job.max_attempts)}
        </dd>
        <dt>{t('jobs.runAt')}</dt>
        <dd>{dateTime(job.run_at)}</dd>
        <dt>{t('jobs.created')}</dt>
        <dd>{dateTime(job.created_at)}</dd>
        <dt>{t('jobs.updated')}</dt>
        <dd>{dateTime(job.updated_at)}</dd>
        <dt>{t('jobs.finished')}</dt>
        <dd>{job.finished_at ? dateTime(job.finished_at) : '—'}</dd>
        <dt>{t('jobs.lastError')}</dt>
        <dd class={job.last_error ? 'msg-error' : ''}>{job.last_error || '—'}</dd>
      </dl>
      <h3>{t('jobs.payload')}</h3>
      <pre class="json">{JSON.stringify(job.payload, null, 2)}</pre>
      {job.result !== null && job.result !== undefined ? (
        <>
          <h3>{t('jobs.result')}</h3>
          <pre class="json">{JSON.stringify(job.result, null, 2)}</pre>
        </>
      ) : null}
    </section>
  );
}

export function JobsPage() {
  const [status, setStatus] = useState('');
  const [kind, setKind] = useState('');
  const [kindInput, setKindInput] = useState('');
  // Jobs by id: the list's and the stream's, merged (newest state wins).
  const [jobs, setJobs] = useState<Map<number, Job>>(new Map());
  const [order, setOrder] = useState<number[] | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState('');
  const [live, setLive] = useState<'connecting' | 'live' | 'down'>('connecting');
  const [selected, setSelected] = useState<number | null>(null);
  const filters = useRef({ status, kind });
  filters.current = { status, kind };

  function merge(incoming: Job[]) {
    setJobs((prev) => {
      const next = new Map(prev);
      for (const j of incoming) next.set(j.id, newer(prev.get(j.id), j));
      return next;
    });
  }

  async function load(more = false) {
    try {
      const page = await api.get<Page<Job>>(`/jobs${qs({ status, kind, limit: 50, cursor: more ? cursor : undefined })}`);
      merge(page.data);
      setOrder((prev) => {
        const ids = page.data.map((j) => j.id);
        return more && prev ? [...prev, ...ids.filter((id) => !prev.includes(id))] : ids;
      });
      setCursor(page.next_cursor);
      setError('');
    } catch (e) {
      setOrder((prev) => prev || []);
      setError(e instanceof ApiError ? e.message : String(e));
    }
  }

  useEffect(() => {
    setOrder(null);
    load();
  }, [status, kind]);

  // One stream for the page's life; the browser reconnects by itself, resuming after the
  // last event it got (Last-Event-ID), so nothing changed meanwhile is missed.
  useEffect(() => {
    const source = new EventSource('/api/v1/jobs/stream');
    source.addEventListener('ready', () => setLive('live'));
    source.addEventListener('job', (e) => {
      const job = JSON.parse((e as MessageEvent).data) as Job;
      merge([job]);
      const f = filters.current;
      // A new job that fits the filters appears at the top.
      if ((!f.status || f.status === job.status) && (!f.kind || f.kind === job.kind)) {
        setOrder((prev) => (prev && !prev.includes(job.id) ? [job.id, ...prev].sort((a, b) => b - a) : prev));
      }
    });
    source.onerror = () => setLive(source.readyState === EventSource.CLOSED ? 'down' : 'connecting');
    return () => source.close();
  }, []);

  const rows = (order || []).map((id) => jobs.get(id)).filter((j): j is Job => !!j);
  const current = selected !== null ? jobs.get(selected) : undefined;
  return (
    <div class="page">
      <header class="page-head">
        <h1>{t('jobs.title')}</h1>
        <p class={`live live-${live}`} role="status">
          {live === 'live' ? t('jobs.live') : live === 'down' ? t('jobs.offline') : t('jobs.reconnecting')}
        </p>
      </header>
      <form
        class="panel inline"
        aria-label={t('jobs.filters')}
        onSubmit={(e) => {
          e.preventDefault();
          setKind(kindInput.trim());
        }}
      >
        <div class="field">
          <label for="job-status">{t('jobs.status')}</label>
          <select id="job-status" value={status} onChange={(e) => setStatus((e.target as HTMLSelectElement).value)}>
            <option value="">{t('jobs.anyStatus')}</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {t(statusKey(s))}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="job-kind">{t('jobs.kind')}</label>
          <input id="job-kind" value={kindInput} placeholder={t('jobs.anyKind')} onInput={(e) => setKindInput((e.target as HTMLInputElement).value)} />
        </div>
        <button type="submit">{t('action.applyFilter')}</button>
      </form>
      {error ? <p role="alert" class="msg-error">{error}</p> : null}
      {order === null ? <p>{t('msg.loading')}</p> : null}
      {order && !rows.length && !error ? <p class="empty">{t('jobs.none')}</p> : null}
      {rows.length ? (
        <div class="table-wrap">
          <table aria-label={t('jobs.title')}>
            <thead>
              <tr>
                <th scope="col">{t('jobs.id')}</th>
                <th scope="col">{t('jobs.kind')}</th>
                <th scope="col">{t('jobs.status')}</th>
                <th scope="col">{t('jobs.progress')}</th>
                <th scope="col">{t('jobs.attempts')}</th>
                <th scope="col">{t('jobs.updated')}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((j) => (
                <tr key={j.id} data-job-id={j.id} aria-selected={selected === j.id}>
                  <td>
                    <button type="button" class="link" aria-label={t('jobs.select', { id: j.id })} onClick={() => setSelected(j.id)}>
                      {j.id}
                    </button>
                  </td>
                  <td>{j.kind}</td>
                  <td class={`job-status job-${j.status}`}>{t(statusKey(j.status))}</td>
                  <td>
                    <JobProgress job={j} />
                  </td>
                  <td>
                    {num(j.attempts)} / {num(j.max_attempts)}
                  </td>
                  <td>{dateTime(j.updated_at)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {cursor ? (
        <button type="button" onClick={() => load(true)}>
          {t('action.loadMore')}
        </button>
      ) : null}
      {current ? <JobDetail job={current} onClose={() => setSelected(null)} onRetried={(j) => merge([j])} /> : null}
    </div>
  );
}
