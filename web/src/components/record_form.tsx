// Inline edit of a record's fields: only changed fields are sent, with If-Match; server field
// errors are shown under the matching input.
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, fieldErrors, type Rec } from '../api';
import { t } from '../i18n';
import type { FieldDef } from '../schema';
import { fieldValue } from '../record_types';
import { FieldInput, fromInput, toInput } from './fields';

interface Props {
  resource: string;
  record: Rec;
  fields: FieldDef[];
  onSaved: (r: Rec) => void;
  options?: Record<string, { value: string; label: string }[]>;
}

export function RecordForm({ resource, record, fields, onSaved, options }: Props) {
  const initial = () => Object.fromEntries(fields.map((d) => [d.name, toInput(d, fieldValue(d, record), record)]));
  const [values, setValues] = useState<Record<string, string>>(initial);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [message, setMessage] = useState<{ kind: 'ok' | 'error'; text: string } | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    setValues(initial());
    setErrors({});
  }, [record.id, record.version]);

  const original = initial();
  const dirty = fields.filter((d) => values[d.name] !== original[d.name]);

  async function save(e: Event) {
    e.preventDefault();
    const body: Record<string, any> = {};
    const local: Record<string, string> = {};
    for (const d of dirty) {
      const [v, err] = fromInput(d, values[d.name], values.currency || record.currency || 'EUR');
      if (err) local[d.name] = err;
      else if (d.custom_key !== undefined) {
        // The record's custom object is written whole: keep the other keys as they are.
        const custom = { ...(record.custom || {}), ...(body.custom || {}) };
        if (v === null) delete custom[d.custom_key];
        else custom[d.custom_key] = v;
        body.custom = custom;
      } else body[d.name] = v;
    }
    setErrors(local);
    if (Object.keys(local).length || !Object.keys(body).length) return;
    setBusy(true);
    setMessage(null);
    try {
      const saved = await api.patch<Rec>(`/${resource}/${record.id}`, body, { ifMatch: record.version });
      setMessage({ kind: 'ok', text: t('msg.saved') });
      onSaved(saved);
    } catch (err) {
      setErrors(fieldErrors(err));
      if (err instanceof ApiError && err.status === 409) setMessage({ kind: 'error', text: t('error.conflict') });
      else setMessage({ kind: 'error', text: err instanceof ApiError ? err.message : String(err) });
    } finally {
      setBusy(false);
    }
  }

  return (
    <form class="record-form" onSubmit={save} aria-label={t('section.fields')}>
      <div class="form-grid">
        {fields.map((d) => (
          <FieldInput
            key={d.name}
            def={d}
            value={values[d.name] ?? ''}
            error={errors[d.name]}
            options={options?.[d.name]}
            onInput={(v) => setValues({ ...values, [d.name]: v })}
          />
        ))}
      </div>
      <div class="form-actions">
        <button type="submit" class="primary" disabled={busy || !dirty.length}>
          {t('action.save')}
        </button>
        <button type="button" disabled={busy || !dirty.length} onClick={() => (setValues(initial()), setErrors({}), setMessage(null))}>
          {t('action.cancel')}
        </button>
        {message ? (
          <span class={message.kind === 'ok' ? 'msg-ok' : 'msg-error'} role={message.kind === 'ok' ? 'status' : 'alert'}>
            {message.text}
          </span>
        ) : null}
      </div>
    </form>
  );
}
