// Form inputs driven by a FieldDef. Values are edited as strings and converted on save, so a
// half-typed amount never corrupts the record.
import { useEffect, useState } from 'preact/hooks';
import { api, qs, type Page, type Rec } from '../api';
import { enumLabel, label, t } from '../i18n';
import type { FieldDef } from '../schema';
import { displayName, RefName } from './ref_name';

let uid = 0;
export const nextId = (prefix: string) => `${prefix}-${++uid}`;

// A labelled text input with its error under it (settings and profile forms).
export function TextField(props: {
  label: string;
  value: string;
  onInput: (v: string) => void;
  type?: string;
  error?: string;
  autocomplete?: string;
  list?: string;
  required?: boolean;
}) {
  const [id] = useState(() => nextId('tf'));
  return (
    <div class="field">
      <label for={id}>{props.label}</label>
      <input
        id={id}
        type={props.type || 'text'}
        value={props.value}
        list={props.list}
        autocomplete={props.autocomplete}
        required={props.required}
        aria-invalid={props.error ? 'true' : undefined}
        aria-describedby={props.error ? `${id}-e` : undefined}
        onInput={(e) => props.onInput((e.target as HTMLInputElement).value)}
      />
      {props.error ? (
        <p class="field-error" id={`${id}-e`}>
          {props.error}
        </p>
      ) : null}
    </div>
  );
}

// The two UI languages, each named in itself.
export function LanguageOptions() {
  return (
    <>
      <option value="fr" lang="fr">
        Français
      </option>
      <option value="en" lang="en">
        English
      </option>
    </>
  );
}

export { fromInput, toInput } from '../field_values';

interface InputProps {
  def: FieldDef;
  value: string;
  onInput: (v: string) => void;
  error?: string;
  id?: string;
  options?: { value: string; label: string }[];
}

export function FieldInput(props: InputProps) {
  const { def, value, onInput, error } = props;
  const [id] = useState(() => props.id || nextId(`f-${def.name}`));
  const errId = `${id}-err`;
  const common = {
    id,
    name: def.name,
    'aria-invalid': error ? ('true' as const) : undefined,
    'aria-describedby': error ? errId : undefined,
  };
  let control;
  if (props.options || def.type === 'enum') {
    const opts = props.options || (def.enum_values || []).map((v) => ({ value: v, label: enumLabel(v) }));
    control = (
      <select {...common} value={value} onChange={(e) => onInput((e.target as HTMLSelectElement).value)}>
        <option value="">—</option>
        {opts.map((o) => (
          <option value={o.value} key={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    );
  } else if (def.type === 'reference' && def.references_plural) {
    control = <RefPicker {...common} resource={def.references_plural} value={value} onInput={onInput} />;
  } else if (def.text_format === 'multiline' && (def.max_length ?? 0) > 1000) {
    control = <textarea {...common} rows={3} value={value} onInput={(e) => onInput((e.target as HTMLTextAreaElement).value)} />;
  } else if (def.type === 'boolean') {
    control = (
      <input
        {...common}
        type="checkbox"
        checked={value === 'true'}
        onChange={(e) => onInput((e.target as HTMLInputElement).checked ? 'true' : 'false')}
      />
    );
  } else {
    const type = def.type === 'date' ? 'date' : def.type === 'integer' ? 'number' : 'text';
    control = (
      <input
        {...common}
        type={type}
        value={value}
        inputMode={def.type === 'money' ? 'decimal' : undefined}
        onInput={(e) => onInput((e.target as HTMLInputElement).value)}
      />
    );
  }
  return (
    <div class={`field${error ? ' has-error' : ''}`}>
      <label for={id}>
        {label(def)}
        {def.required ? ' *' : ''}
        {def.type === 'text_list' ? <span class="hint"> {t('hint.commaSeparated')}</span> : null}
      </label>
      {control}
      {error ? (
        <p class="field-error" id={errId} role="alert">
          {error}
        </p>
      ) : null}
    </div>
  );
}

// Small record picker: a select for short lists (users, teams, pipelines), a search box otherwise.
const smallLists = new Map<string, Promise<Rec[]>>();
function loadSmall(resource: string): Promise<Rec[]> {
  let p = smallLists.get(resource);
  if (!p) {
    p = api
      .get<Page>(`/${resource}${qs({ limit: 200 })}`)
      .then((r) => r.data)
      .catch(() => []);
    smallLists.set(resource, p);
  }
  return p;
}
export function invalidateSmall(resource: string) {
  smallLists.delete(resource);
}
export function useSmallList(resource: string): Rec[] {
  const [rows, setRows] = useState<Rec[]>([]);
  useEffect(() => {
    loadSmall(resource).then(setRows);
  }, [resource]);
  return rows;
}

function RefPicker(props: { id: string; name: string; resource: string; value: string; onInput: (v: string) => void; [k: string]: any }) {
  const { resource, value, onInput, ...rest } = props;
  if (['users', 'teams', 'pipelines'].includes(resource)) return <SmallSelect {...rest} resource={resource} value={value} onInput={onInput} />;
  return <SearchPicker {...rest} resource={resource} value={value} onInput={onInput} />;
}

function SmallSelect(props: { resource: string; value: string; onInput: (v: string) => void; [k: string]: any }) {
  const { resource, value, onInput, ...rest } = props;
  const rows = useSmallList(resource);
  return (
      <select {...rest} value={value} onChange={(e) => onInput((e.target as HTMLSelectElement).value)}>
        <option value="">—</option>
        {value && !rows.some((r) => String(r.id) === value) ? <option value={value}>#{value}</option> : null}
        {rows.map((r) => (
          <option value={String(r.id)} key={r.id}>
            {displayName(resource, r)}
          </option>
        ))}
      </select>
  );
}

function SearchPicker(props: { id: string; resource: string; value: string; onInput: (v: string) => void; [k: string]: any }) {
  const { resource, value, onInput, id, ...rest } = props;
  const [q, setQ] = useState('');
  const [results, setResults] = useState<Rec[]>([]);
  useEffect(() => {
    if (!q.trim()) {
      setResults([]);
      return;
    }
    const h = setTimeout(() => {
      api
        .get<Page>(`/${resource}${qs({ q, limit: 8 })}`)
        .then((r) => setResults(r.data))
        .catch(() => setResults([]));
    }, 200);
    return () => clearTimeout(h);
  }, [q, resource]);
  return (
    <div class="picker">
      {value ? (
        <span class="picker-current">
          <RefName resource={resource} id={value} />{' '}
          <button type="button" class="link" onClick={() => onInput('')}>
            {t('action.clear')}
          </button>
        </span>
      ) : null}
      <input {...rest} id={id} type="search" placeholder={t('action.search')} value={q} onInput={(e) => setQ((e.target as HTMLInputElement).value)} />
      {results.length ? (
        <ul class="picker-results">
          {results.map((r) => (
            <li key={r.id}>
              <button
                type="button"
                class="link"
                onClick={() => {
                  onInput(String(r.id));
                  setQ('');
                  setResults([]);
                }}
              >
                {displayName(resource, r)}
              </button>
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
