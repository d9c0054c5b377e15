// Home: my tasks due today and overdue, my open deals by stage, recent activity of my team.
import { useEffect, useState } from 'preact/hooks';
import { api, listAll, qs, type Page, type Rec } from '../api';
import { dateTime, enumLabel, num, t } from '../i18n';
import { todayIso } from '../format';
import { useUser } from '../session';
import { Link } from '../components/link';
import { prefetchRefs, RefName } from '../components/ref_name';
import { useSmallList } from '../components/fields';
import { TaskItem } from './tasks';
import { dealProbability, sumByCurrency, type Stage } from './pipeline';

export function HomePage() {
  const user = useUser();
  const pipelines = useSmallList('pipelines');
  const [tasks, setTasks] = useState<Rec[] | null>(null);
  const [deals, setDeals] = useState<Rec[] | null>(null);
  const [recent, setRecent] = useState<Rec[] | null>(null);
  useEffect(() => {
    listAll('tasks', { filter: `assignee_id = ${user.id} and status = "open" and due_date <= ${todayIso()}`, sort: 'due_date' }, 200)
      .then((r) => (prefetchRefs(r, { contact_id: 'contacts', deal_id: 'deals', company_id: 'companies' }), setTasks(r)))
      .catch(() => setTasks([]));
    listAll('deals', { filter: `owner_id = ${user.id} and status = "open"`, sort: '-amount' }, 1000)
      .then(setDeals)
      .catch(() => setDeals([]));
    api
      .get<Page>(`/activities${qs({ sort: '-occurred_at', limit: 15, filter: user.team_id ? `team_id = ${user.team_id}` : undefined })}`)
      .then((p) => (prefetchRefs(p.data, { contact_id: 'contacts', deal_id: 'deals', owner_id: 'users' }), setRecent(p.data)))
      .catch(() => setRecent([]));
  }, [user.id]);

  const stageRows: { pipeline: Rec; stage: Stage; deals: Rec[] }[] = [];
  for (const p of pipelines) {
    for (const s of (p.stages || []) as Stage[]) {
      const list = (deals || []).filter((d) => String(d.pipeline_id) === String(p.id) && d.stage_id === s.id);
      if (list.length) stageRows.push({ pipeline: p, stage: s, deals: list });
    }
  }

  return (
    <div class="page home">
      <h1>{t('home.hello', { name: user.name || user.email })}</h1>
      <div class="grid3">
        <section class="panel" aria-labelledby="home-tasks">
          <h2 id="home-tasks">{t('home.myTasks')}</h2>
          {tasks === null ? <p>{t('msg.loading')}</p> : null}
          {tasks && !tasks.length ? <p class="empty">{t('msg.noTasks')}</p> : null}
          <ul class="task-list">
            {(tasks || []).map((r) => (
              <TaskItem key={r.id} task={r} />
            ))}
          </ul>
          <Link href="/tasks">{t('home.allTasks')}</Link>
        </section>
        <section class="panel" aria-labelledby="home-deals">
          <h2 id="home-deals">{t('home.myDeals')}</h2>
          {deals === null ? <p>{t('msg.loading')}</p> : null}
          {deals && !deals.length ? <p class="empty">{t('msg.nothingYet')}</p> : null}
          {stageRows.length ? (
            <table>
              <thead>
                <tr>
                  <th scope="col">{t('label.stage')}</th>
                  <th scope="col">{t('label.count')}</th>
                  <th scope="col">{t('label.total')}</th>
                  <th scope="col">{t('label.weighted')}</th>
                </tr>
              </thead>
              <tbody>
                {stageRows.map((r) => (
                  <tr key={`${r.pipeline.id}-${r.stage.id}`}>
                    <th scope="row">
                      <Link href={`/pipeline?pipeline=${r.pipeline.id}&owner=${user.id}`}>
                        {pipelines.length > 1 ? `${r.pipeline.name} · ` : ''}
                        {r.stage.name}
                      </Link>
                    </th>
                    <td>{num(r.deals.length)}</td>
                    <td>{sumByCurrency(r.deals)}</td>
                    <td>{sumByCurrency(r.deals, (d) => dealProbability(d, r.stage))}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : null}
        </section>
        <section class="panel" aria-labelledby="home-recent">
          <h2 id="home-recent">{t('home.recent')}</h2>
          {recent === null ? <p>{t('msg.loading')}</p> : null}
          {recent && !recent.length ? <p class="empty">{t('msg.nothingYet')}</p> : null}
          <ul class="recent">
            {(recent || []).map((a) => (
              <li key={a.id}>
                <span class="tl-kind">{enumLabel(a.type)}</span> {a.subject}
                {a.contact_id ? (
                  <>
                    {' · '}
                    <RefName resource="contacts" id={a.contact_id} />
                  </>
                ) : a.deal_id ? (
                  <>
                    {' · '}
                    <RefName resource="deals" id={a.deal_id} />
                  </>
                ) : null}
                <br />
                <span class="muted">
                  <time dateTime={a.occurred_at}>{dateTime(a.occurred_at || a.created_at)}</time>
                  {a.owner_id ? (
                    <>
                      {' · '}
                      <RefName resource="users" id={a.owner_id} link={false} />
                    </>
                  ) : null}
                </span>
              </li>
            ))}
          </ul>
        </section>
      </div>
    </div>
  );
}
