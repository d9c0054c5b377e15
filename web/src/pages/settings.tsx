// Administration: users and roles, teams, pipelines and stages, custom fields, API tokens.
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, fieldErrors, qs, type Page, type Rec } from '../api';
import { enumLabel, t } from '../i18n';
import type { MessageKey } from '../messages';
import { enumValues, loadSchema } from '../record_types';
import { useLocation, navigate } from '../router';
import { invalidateSmall, nextId, TextField } from '../components/fields';
import { displayName } from '../components/ref_name';

const tabs: { id: string; key: MessageKey }[] = [
  { id: 'users', key: 'settings.users' },
  { id: 'teams', key: 'settings.teams' },
  { id: 'pipelines', key: 'settings.pipelines' },
  { id: 'fields', key: 'settings.customFields' },
  { id: 'tokens', key: 'settings.tokens' },
];

function useList(resource: string, tick: number): [Rec[], string] {
  const [rows, setRows] = useState<Rec[]>([]);
  const [error, setError] = useState('');
  useEffect(() => {
    api
      .get<Page>(`/${resource}${qs({ limit: 200 })}`)
      .then((p) => (setRows(p.data), setError('')))
      .catch((e) => setError(e instanceof ApiError ? e.message : String(e)));
  }, [resource, tick]);
  return [rows, error];
}

function Err({ text }: { text: string }) {
  return text ? (
    <p role="alert" class="msg-error">
      {text}
    </p>
  ) : null;
}

function Select(props: { label: string; value: string; onChange: (v: string) => void; options: { value: string; text: string }[] }) {
  const [id] = useState(() => nextId('s'));
  return (
    <div class="field">
      <label for={id}>{props.label}</label>
      <select id={id} value={props.value} onChange={(e) => props.onChange((e.target as HTMLSelectElement).value)}>
        {props.options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.text}
          </option>
        ))}
      </select>
    </div>
  );
}

export function SettingsPage() {
  const { query } = useLocation();
  const tab = query.get('tab') || 'users';
  return (
    <div class="page">
      <h1>{t('nav.settings')}</h1>
      <nav class="tabs" aria-label={t('nav.settings')}>
        {tabs.map((x) => (
          <a
            key={x.id}
            href={`/settings?tab=${x.id}`}
            aria-current={tab === x.id ? 'page' : undefined}
            onClick={(e) => {
              e.preventDefault();
              navigate(`/settings?tab=${x.id}`);
            }}
          >
            {t(x.key)}
          </a>
        ))}
      </nav>
      {tab === 'users' ? <Users /> : null}
      {tab === 'teams' ? <Teams /> : null}
      {tab === 'pipelines' ? <Pipelines /> : null}
      {tab === 'fields' ? <CustomFields /> : null}
      {tab === 'tokens' ? <Tokens /> : null}
    </div>
  );
}

function Users() {
  const [tick, setTick] = useState(0);
  const [rows, error] = useList('users', tick);
  const [teams] = useList('teams', 0);
  const [form, setForm] = useState({ email: '', name: '', role: 'sales', team_id: '', password: '' });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [msg, setMsg] = useState('');
  const teamOptions = [{ value: '', text: '—' }, ...teams.map((x) => ({ value: String(x.id), text: x.name }))];

  async function add(e: Event) {
    e.preventDefault();
    try {
      await api.post('/users', { ...form, team_id: form.team_id ? Number(form.team_id) : undefined, name: form.name || undefined });
      setForm({ email: '', name: '', role: 'sales', team_id: '', password: '' });
      setErrors({});
      setMsg(t('msg.saved'));
      invalidateSmall('users');
      setTick(tick + 1);
    } catch (err) {
      setErrors(fieldErrors(err));
      setMsg(err instanceof ApiError ? err.message : String(err));
    }
  }
  async function patch(u: Rec, body: Record<string, any>) {
    try {
      await api.patch(`/users/${u.id}`, body, { ifMatch: u.version });
      invalidateSmall('users');
      setTick(tick + 1);
    } catch (err) {
      setMsg(err instanceof ApiError ? err.message : String(err));
    }
  }
  return (
    <section aria-label={t('settings.users')}>
      <Err text={error} />
      <table>
        <thead>
          <tr>
            <th scope="col">{t('label.name')}</th>
            <th scope="col">{t('label.email')}</th>
            <th scope="col">{t('label.role')}</th>
            <th scope="col">{t('label.team')}</th>
            <th scope="col">{t('label.active')}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((u) => (
            <tr key={u.id}>
              <td>{u.name}</td>
              <td>{u.email}</td>
              <td>
                <select aria-label={t('label.roleOf', { name: displayName('users', u) })} value={u.role} onChange={(e) => patch(u, { role: (e.target as HTMLSelectElement).value })}>
                  {enumValues('users', 'role').map((r) => (
                    <option key={r} value={r}>
                      {enumLabel(r)}
                    </option>
                  ))}
                </select>
              </td>
              <td>{teams.find((x) => String(x.id) === String(u.team_id))?.name || ''}</td>
              <td>
                <input
                  type="checkbox"
                  aria-label={t('label.activeOf', { name: displayName('users', u) })}
                  checked={u.active !== false}
                  onChange={(e) => patch(u, { active: (e.target as HTMLInputElement).checked })}
                />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <form class="panel" onSubmit={add} aria-label={t('settings.addUser')}>
        <h2>{t('settings.addUser')}</h2>
        <div class="form-grid">
          <TextField label={t('label.email')} type="email" required value={form.email} error={errors.email} onInput={(v) => setForm({ ...form, email: v })} />
          <TextField label={t('label.name')} value={form.name} error={errors.name} onInput={(v) => setForm({ ...form, name: v })} />
          <Select label={t('label.role')} value={form.role} onChange={(v) => setForm({ ...form, role: v })} options={enumValues('users', 'role').map((r) => ({ value: r, text: enumLabel(r) }))} />
          <Select label={t('label.team')} value={form.team_id} onChange={(v) => setForm({ ...form, team_id: v })} options={teamOptions} />
          <TextField label={t('label.password')} type="password" required value={form.password} error={errors.password} onInput={(v) => setForm({ ...form, password: v })} />
        </div>
        <button type="submit" class="primary">
          {t('action.create')}
        </button>
        {msg ? <span role="status"> {msg}</span> : null}
      </form>
    </section>
  );
}

function Teams() {
  const [tick, setTick] = useState(0);
  const [rows, error] = useList('teams', tick);
  const [name, setName] = useState('');
  const [msg, setMsg] = useState('');
  return (
    <section aria-label={t('settings.teams')}>
      <Err text={error} />
      <ul>
        {rows.map((x) => (
          <li key={x.id}>{x.name}</li>
        ))}
      </ul>
      <form
        class="panel inline"
        onSubmit={async (e) => {
          e.preventDefault();
          try {
            await api.post('/teams', { name });
            setName('');
            setMsg('');
            invalidateSmall('teams');
            setTick(tick + 1);
          } catch (err) {
            setMsg(err instanceof ApiError ? err.message : String(err));
          }
        }}
      >
        <TextField label={t('settings.teamName')} required value={name} onInput={setName} />
        <button type="submit" class="primary">
          {t('action.create')}
        </button>
        {msg ? <span role="alert"> {msg}</span> : null}
      </form>
    </section>
  );
}

interface StageDraft {
  id: string;
  name: string;
  probability: string;
  kind: string;
}

function Pipelines() {
  const [tick, setTick] = useState(0);
  const [rows, error] = useList('pipelines', tick);
  const [sel, setSel] = useState('');
  const current = rows.find((p) => String(p.id) === sel) || null;
  const [name, setName] = useState('');
  const [stages, setStages] = useState<StageDraft[]>([]);
  const [msg, setMsg] = useState('');
  useEffect(() => {
    if (!sel && rows.length) setSel(String(rows[0].id));
  }, [rows]);
  useEffect(() => {
    setName(current?.name || '');
    setStages((current?.stages || []).map((s: Rec) => ({ id: s.id, name: s.name, probability: String(s.probability ?? 0), kind: s.kind || 'open' })));
  }, [sel, current?.version]);

  const setStage = (i: number, patch: Partial<StageDraft>) => setStages(stages.map((s, j) => (j === i ? { ...s, ...patch } : s)));
  const move = (i: number, d: number) => {
    const next = [...stages];
    const [s] = next.splice(i, 1);
    next.splice(i + d, 0, s);
    setStages(next);
  };
  const slug = (s: string) =>
    s
      .normalize('NFD')
      .replace(/[\u0300-\u036f]/g, '')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '_')
      .replace(/^_|_$/g, '') || `stage_${Date.now()}`;

  async function save(e: Event) {
    e.preventDefault();
    const body = {
      name,
      stages: stages.map((s) => ({ id: s.id || slug(s.name), name: s.name, probability: Number(s.probability) || 0, kind: s.kind })),
    };
    try {
      const saved = current ? await api.patch<Rec>(`/pipelines/${current.id}`, body, { ifMatch: current.version }) : await api.post<Rec>('/pipelines', body);
      invalidateSmall('pipelines');
      setSel(String(saved.id));
      setTick(tick + 1);
      setMsg(t('msg.saved'));
    } catch (err) {
      setMsg(err instanceof ApiError ? err.message : String(err));
    }
  }
  return (
    <section aria-label={t('settings.pipelines')}>
      <Err text={error} />
      <div class="inline">
        <Select
          label={t('label.pipeline')}
          value={sel}
          onChange={setSel}
          options={[...rows.map((p) => ({ value: String(p.id), text: p.name })), { value: 'new', text: t('settings.newPipeline') }]}
        />
      </div>
      <form class="panel" onSubmit={save} aria-label={t('settings.pipelines')}>
        <TextField label={t('label.name')} required value={name} onInput={setName} />
        <table>
          <thead>
            <tr>
              <th scope="col">{t('label.stage')}</th>
              <th scope="col">{t('label.probability')}</th>
              <th scope="col">{t('label.kind')}</th>
              <th scope="col">
                <span class="sr-only">{t('label.actions')}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {stages.map((s, i) => (
              <tr key={i}>
                <td>
                  <input aria-label={t('settings.stageName', { n: i + 1 })} value={s.name} required onInput={(e) => setStage(i, { name: (e.target as HTMLInputElement).value })} />
                </td>
                <td>
                  <input
                    aria-label={t('settings.stageProbability', { n: i + 1 })}
                    type="number"
                    min="0"
                    max="100"
                    value={s.probability}
                    onInput={(e) => setStage(i, { probability: (e.target as HTMLInputElement).value })}
                  />
                </td>
                <td>
                  <select aria-label={t('settings.stageKind', { n: i + 1 })} value={s.kind} onChange={(e) => setStage(i, { kind: (e.target as HTMLSelectElement).value })}>
                    {['open', 'won', 'lost'].map((k) => (
                      <option key={k} value={k}>
                        {enumLabel(k)}
                      </option>
                    ))}
                  </select>
                </td>
                <td>
                  <button type="button" disabled={i === 0} aria-label={t('settings.stageUp', { n: i + 1 })} onClick={() => move(i, -1)}>
                    ↑
                  </button>
                  <button type="button" disabled={i === stages.length - 1} aria-label={t('settings.stageDown', { n: i + 1 })} onClick={() => move(i, 1)}>
                    ↓
                  </button>
                  <button type="button" aria-label={t('settings.stageRemove', { n: i + 1 })} onClick={() => setStages(stages.filter((_, j) => j !== i))}>
                    ✕
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        <div class="form-actions">
          <button type="button" onClick={() => setStages([...stages, { id: '', name: '', probability: '50', kind: 'open' }])}>
            {t('settings.addStage')}
          </button>
          <button type="submit" class="primary">
            {t('action.save')}
          </button>
          {msg ? <span role="status">{msg}</span> : null}
        </div>
      </form>
    </section>
  );
}

function CustomFields() {
  const [tick, setTick] = useState(0);
  const [rows, error] = useList('custom_fields', tick);
  const [form, setForm] = useState({ entity: 'contact', key: '', label: '', type: 'text', options: '', required: false });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [msg, setMsg] = useState('');
  async function add(e: Event) {
    e.preventDefault();
    try {
      await api.post('/custom_fields', {
        ...form,
        options: form.type === 'enum' ? form.options.split(',').map((x) => x.trim()).filter(Boolean) : undefined,
      });
      setForm({ ...form, key: '', label: '', options: '' });
      setErrors({});
      setMsg(t('msg.saved'));
      setTick(tick + 1);
      // Forms, columns and imports of that record type now offer the new field.
      loadSchema().catch(() => {});
    } catch (err) {
      setErrors(fieldErrors(err));
      setMsg(err instanceof ApiError ? err.message : String(err));
    }
  }
  return (
    <section aria-label={t('settings.customFields')}>
      <Err text={error} />
      <table>
        <thead>
          <tr>
            <th scope="col">{t('settings.recordType')}</th>
            <th scope="col">{t('settings.key')}</th>
            <th scope="col">{t('settings.label')}</th>
            <th scope="col">{t('label.kind')}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((f) => (
            <tr key={f.id}>
              <td>{enumLabel(f.entity)}</td>
              <td>
                <code>{f.key}</code>
              </td>
              <td>{f.label}</td>
              <td>{enumLabel(`cf_${f.type}`)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <form class="panel" onSubmit={add} aria-label={t('settings.addField')}>
        <h2>{t('settings.addField')}</h2>
        <div class="form-grid">
          <Select
            label={t('settings.recordType')}
            value={form.entity}
            onChange={(v) => setForm({ ...form, entity: v })}
            options={enumValues('custom_fields', 'entity').map((x) => ({ value: x, text: enumLabel(x) }))}
          />
          <TextField label={t('settings.key')} required value={form.key} error={errors.key} onInput={(v) => setForm({ ...form, key: v })} />
          <TextField label={t('settings.label')} required value={form.label} error={errors.label} onInput={(v) => setForm({ ...form, label: v })} />
          <Select
            label={t('label.kind')}
            value={form.type}
            onChange={(v) => setForm({ ...form, type: v })}
            options={['text', 'number', 'date', 'enum', 'boolean', 'money'].map((x) => ({ value: x, text: enumLabel(`cf_${x}`) }))}
          />
          {form.type === 'enum' ? <TextField label={t('settings.options')} value={form.options} error={errors.options} onInput={(v) => setForm({ ...form, options: v })} /> : null}
        </div>
        <button type="submit" class="primary">
          {t('action.create')}
        </button>
        {msg ? <span role="status"> {msg}</span> : null}
      </form>
    </section>
  );
}

function Tokens() {
  const [name, setName] = useState('');
  const [token, setToken] = useState('');
  const [msg, setMsg] = useState('');
  return (
    <section aria-label={t('settings.tokens')}>
      <p class="hint">{t('settings.tokensHint')}</p>
      <form
        class="panel inline"
        onSubmit={async (e) => {
          e.preventDefault();
          try {
            const r = await api.post<Rec>('/tokens', { name });
            setToken(r.token || r.secret || '');
            setName('');
            setMsg('');
          } catch (err) {
            setMsg(err instanceof ApiError ? err.message : String(err));
          }
        }}
      >
        <TextField label={t('settings.tokenName')} required value={name} onInput={setName} />
        <button type="submit" class="primary">
          {t('settings.createToken')}
        </button>
      </form>
      {token ? (
        <div class="panel" role="status">
          <p>{t('settings.tokenOnce')}</p>
          <code class="token">{token}</code>
        </div>
      ) : null}
      {msg ? (
        <p role="alert" class="msg-error">
          {msg}
        </p>
      ) : null}
    </section>
  );
}
