// Pipeline board: one column per stage with count, total and weighted amount. Deals move by drag
// and drop, by the per-card stage select, or with Alt+Arrow keys on a focused card. Won and lost
// columns show the deals closed in a chosen window (30 days by default): a year of history would
// otherwise bury the board under hundreds of closed cards.
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ApiError, listAll, type Rec } from '../api';
import { closedDealsFilter } from '../filter';
import { money, num, t } from '../i18n';
import { useLocation, navigate } from '../router';
import { useUser } from '../session';
import { Link } from '../components/link';
import { displayName, prefetchRefs, RefName } from '../components/ref_name';
import { nextId, useSmallList } from '../components/fields';

export interface Stage {
  id: string;
  name: string;
  probability: number;
  kind: 'open' | 'won' | 'lost';
}

export function sumByCurrency(deals: Rec[], weight: (d: Rec) => number = () => 1): string {
  const sums = new Map<string, number>();
  for (const d of deals) {
    const c = d.currency || 'EUR';
    sums.set(c, (sums.get(c) || 0) + Math.round((Number(d.amount) || 0) * weight(d)));
  }
  if (!sums.size) return money(0, 'EUR');
  return [...sums.entries()].map(([c, v]) => money(v, c)).join(' + ');
}

export function dealProbability(d: Rec, stage?: Stage): number {
  const p = d.probability ?? stage?.probability ?? 0;
  return Number(p) / 100;
}

const CLOSED_WINDOWS = ['30', '90', '365', 'all'];

export function PipelinePage() {
  const user = useUser();
  const { query } = useLocation();
  const pipelines = useSmallList('pipelines');
  const users = useSmallList('users');
  const pipelineId = query.get('pipeline') || String((pipelines.find((p) => p.is_default) || pipelines[0])?.id ?? '');
  const owner = query.get('owner') || '';
  const closedDays = CLOSED_WINDOWS.includes(query.get('closed') || '') ? query.get('closed')! : '30';
  const pipeline = pipelines.find((p) => String(p.id) === pipelineId);
  const stages: Stage[] = pipeline?.stages || [];
  const [deals, setDeals] = useState<Rec[]>([]);
  const [error, setError] = useState('');
  const [status, setStatus] = useState('');
  const [lostFor, setLostFor] = useState<{ deal: Rec; stage: Stage } | null>(null);
  const focusAfter = useRef<string | null>(null);
  const [ids] = useState(() => ({ pipe: nextId('pipe'), owner: nextId('owner'), closed: nextId('closed') }));

  useEffect(() => {
    if (!pipelineId) return;
    const filter =
      `pipeline_id = ${/^\d+$/.test(pipelineId) ? pipelineId : JSON.stringify(pipelineId)}` +
      (owner ? ` and owner_id = ${owner}` : '') +
      closedDealsFilter(closedDays, Date.now());
    listAll('deals', { filter, sort: '-amount' })
      .then((d) => (prefetchRefs(d, { company_id: 'companies' }), setDeals(d), setError('')))
      .catch((e) => setError(e instanceof ApiError ? e.message : String(e)));
  }, [pipelineId, owner, closedDays]);

  useEffect(() => {
    if (focusAfter.current) {
      document.getElementById(focusAfter.current)?.focus();
      focusAfter.current = null;
    }
  });

  function setQuery(patch: Record<string, string>) {
    const p = new URLSearchParams(location.search);
    for (const [k, v] of Object.entries(patch)) v ? p.set(k, v) : p.delete(k);
    navigate(`/pipeline${p.toString() ? `?${p}` : ''}`, true);
  }

  function requestMove(deal: Rec, stageId: string) {
    const stage = stages.find((s) => s.id === stageId);
    if (!stage || deal.stage_id === stageId) return;
    if (stage.kind === 'lost') setLostFor({ deal, stage });
    else move(deal, stage);
  }

  async function move(deal: Rec, stage: Stage, lostReason?: string) {
    const before = deals;
    setDeals(deals.map((d) => (d.id === deal.id ? { ...d, stage_id: stage.id, probability: stage.probability } : d)));
    focusAfter.current = `deal-${deal.id}`;
    try {
      const body: Record<string, any> = { stage_id: stage.id };
      if (lostReason) body.lost_reason = lostReason;
      const saved = await api.patch<Rec>(`/deals/${deal.id}`, body, { ifMatch: deal.version });
      setDeals((cur) => cur.map((d) => (d.id === deal.id ? saved : d)));
      setStatus(t('msg.dealMoved', { deal: displayName('deals', deal), stage: stage.name }));
    } catch (e) {
      setDeals(before);
      setStatus('');
      setError(e instanceof ApiError && e.status === 409 ? t('error.conflict') : String((e as Error).message || e));
    }
  }

  const stageIndex = (id: string) => stages.findIndex((s) => s.id === id);

  return (
    <div class="page board-page">
      <header class="page-head">
        <h1>{t('nav.pipeline')}</h1>
        <div class="page-actions inline">
          <div class="field">
            <label for={ids.pipe}>{t('label.pipeline')}</label>
            <select id={ids.pipe} value={pipelineId} onChange={(e) => setQuery({ pipeline: (e.target as HTMLSelectElement).value })}>
              {pipelines.map((p) => (
                <option key={p.id} value={String(p.id)}>
                  {p.name}
                </option>
              ))}
            </select>
          </div>
          <div class="field">
            <label for={ids.owner}>{t('label.owner')}</label>
            <select id={ids.owner} value={owner} onChange={(e) => setQuery({ owner: (e.target as HTMLSelectElement).value })}>
              <option value="">{t('filter.allOwners')}</option>
              <option value={String(user.id)}>{t('filter.me')}</option>
              {users
                .filter((u) => String(u.id) !== String(user.id))
                .map((u) => (
                  <option key={u.id} value={String(u.id)}>
                    {displayName('users', u)}
                  </option>
                ))}
            </select>
          </div>
          <div class="field">
            <label for={ids.closed}>{t('label.closedDeals')}</label>
            <select id={ids.closed} value={closedDays} onChange={(e) => setQuery({ closed: (e.target as HTMLSelectElement).value })}>
              {CLOSED_WINDOWS.map((w) => (
                <option key={w} value={w}>
                  {w === 'all' ? t('filter.closedAll') : t('filter.closedDays', { days: w })}
                </option>
              ))}
            </select>
          </div>
        </div>
      </header>
      <p class="hint">{t('hint.board')}</p>
      {error ? (
        <p role="alert" class="msg-error">
          {error}
        </p>
      ) : null}
      <p role="status" class="sr-status">
        {status}
      </p>
      <div class="board">
        {stages.map((s) => {
          const col = deals.filter((d) => d.stage_id === s.id);
          const hid = `stage-h-${s.id}`;
          return (
            <section
              key={s.id}
              class={`column kind-${s.kind}`}
              aria-labelledby={hid}
              data-stage={s.id}
              onDragOver={(e) => {
                e.preventDefault();
                (e.currentTarget as HTMLElement).classList.add('drop');
              }}
              onDragLeave={(e) => (e.currentTarget as HTMLElement).classList.remove('drop')}
              onDrop={(e) => {
                e.preventDefault();
                (e.currentTarget as HTMLElement).classList.remove('drop');
                const id = e.dataTransfer?.getData('text/plain');
                const deal = deals.find((d) => String(d.id) === id);
                if (deal) requestMove(deal, s.id);
              }}
            >
              <h2 id={hid}>{s.name}</h2>
              <dl class="stats" aria-label={t('label.stageTotals', { stage: s.name })}>
                <div>
                  <dt>{t('label.count')}</dt>
                  <dd>{num(col.length)}</dd>
                </div>
                <div>
                  <dt>{t('label.total')}</dt>
                  <dd>{sumByCurrency(col)}</dd>
                </div>
                <div>
                  <dt>{t('label.weighted')}</dt>
                  <dd>{sumByCurrency(col, (d) => dealProbability(d, s))}</dd>
                </div>
              </dl>
              <ul class="cards">
                {col.map((d) => (
                  <li key={d.id}>
                    <article
                      id={`deal-${d.id}`}
                      class="card"
                      draggable
                      tabIndex={0}
                      aria-label={displayName('deals', d)}
                      aria-keyshortcuts="Alt+ArrowLeft Alt+ArrowRight"
                      onDragStart={(e) => {
                        e.dataTransfer?.setData('text/plain', String(d.id));
                        if (e.dataTransfer) e.dataTransfer.effectAllowed = 'move';
                      }}
                      onKeyDown={(e) => {
                        if (e.target !== e.currentTarget) return;
                        const i = stageIndex(d.stage_id);
                        if ((e.key === 'ArrowRight' || e.key === 'ArrowLeft') && (e.altKey || e.ctrlKey)) {
                          e.preventDefault();
                          const next = stages[i + (e.key === 'ArrowRight' ? 1 : -1)];
                          if (next) requestMove(d, next.id);
                        } else if (e.key === 'Enter') {
                          navigate(`/deals/${d.id}`);
                        }
                      }}
                    >
                      <Link href={`/deals/${d.id}`}>{displayName('deals', d)}</Link>
                      <p class="amount">{money(d.amount, d.currency)}</p>
                      {d.company_id ? (
                        <p class="muted">
                          <RefName resource="companies" id={d.company_id} link={false} />
                        </p>
                      ) : null}
                      <label class="sr-only" for={`move-${d.id}`}>
                        {t('label.stageOf', { deal: displayName('deals', d) })}
                      </label>
                      <select id={`move-${d.id}`} class="move" value={d.stage_id} onChange={(e) => requestMove(d, (e.target as HTMLSelectElement).value)}>
                        {stages.map((x) => (
                          <option key={x.id} value={x.id}>
                            {x.name}
                          </option>
                        ))}
                      </select>
                    </article>
                  </li>
                ))}
              </ul>
            </section>
          );
        })}
      </div>
      {lostFor ? (
        <LostDialog
          deal={lostFor.deal}
          onCancel={() => setLostFor(null)}
          onConfirm={(reason) => {
            const { deal, stage } = lostFor;
            setLostFor(null);
            move(deal, stage, reason);
          }}
        />
      ) : null}
    </div>
  );
}

export function LostDialog({ deal, onCancel, onConfirm }: { deal: Rec; onCancel: () => void; onConfirm: (reason: string) => void }) {
  const [reason, setReason] = useState('');
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => input.current?.focus(), []);
  return (
    <div class="overlay">
      <form
        role="dialog"
        aria-modal="true"
        aria-labelledby="lost-h"
        class="dialog"
        onKeyDown={(e) => e.key === 'Escape' && onCancel()}
        onSubmit={(e) => {
          e.preventDefault();
          if (reason.trim()) onConfirm(reason.trim());
        }}
      >
        <h2 id="lost-h">{t('msg.markLost', { deal: displayName('deals', deal) })}</h2>
        <label for="lost-reason">{t('label.lostReason')}</label>
        <input id="lost-reason" ref={input} required value={reason} onInput={(e) => setReason((e.target as HTMLInputElement).value)} />
        <div class="form-actions">
          <button type="submit" class="danger">
            {t('action.markLost')}
          </button>
          <button type="button" onClick={onCancel}>
            {t('action.cancel')}
          </button>
        </div>
      </form>
    </div>
  );
}
