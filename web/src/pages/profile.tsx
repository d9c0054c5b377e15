// "My profile": every signed-in user changes their own name, language and time zone
// (PATCH /auth/me) and password (POST /auth/password), whatever their role.
import { useState } from 'preact/hooks';
import { api, ApiError, fieldErrors } from '../api';
import { enumLabel, getLang, t, userLang } from '../i18n';
import { useUser, type User } from '../session';
import { LanguageOptions, TextField } from '../components/fields';

// The page remounts when the language changes (App keys <main> on it): the confirmation of the
// save that changed it survives that remount here.
let savedFlash = false;

// The browser's own list of IANA zones, so the bundle carries none.
function timeZones(): string[] {
  try {
    return (Intl as unknown as { supportedValuesOf(k: string): string[] }).supportedValuesOf('timeZone');
  } catch {
    return [];
  }
}

function errorText(e: unknown): string {
  return e instanceof ApiError ? e.message : String(e);
}

export function ProfilePage({ onSaved }: { onSaved: (u: User) => void }) {
  const user = useUser();
  const [name, setName] = useState(user.name || '');
  const [locale, setLocale] = useState(user.locale === 'en' ? 'en' : 'fr');
  const [zone, setZone] = useState(user.time_zone || '');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState('');
  const [saved, setSaved] = useState(() => {
    const shown = savedFlash;
    savedFlash = false;
    return shown;
  });
  const [busy, setBusy] = useState(false);

  async function saveProfile(e: Event) {
    e.preventDefault();
    setBusy(true);
    setErrors({});
    setError('');
    setSaved(false);
    try {
      const r = await api.patch<{ user: User }>('/auth/me', { name: name.trim() || null, locale, time_zone: zone.trim() });
      const remounts = (userLang(r.user) ?? getLang()) !== getLang();
      savedFlash = remounts;
      setSaved(true);
      onSaved(r.user);
    } catch (err) {
      setErrors(fieldErrors(err));
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  }

  const zones = timeZones();
  return (
    <div class="page">
      <h1>{t('profile.title')}</h1>
      <p>
        {user.email} · {enumLabel(user.role)}
      </p>
      <form class="panel" aria-labelledby="profile-h" onSubmit={saveProfile}>
        <h2 id="profile-h">{t('profile.details')}</h2>
        <TextField label={t('label.name')} value={name} onInput={setName} autocomplete="name" error={errors.name} />
        <div class="field">
          <label for="profile-locale">{t('label.language')}</label>
          <select id="profile-locale" value={locale} onChange={(e) => setLocale((e.target as HTMLSelectElement).value)}>
            <LanguageOptions />
          </select>
          {errors.locale ? <p class="field-error">{errors.locale}</p> : null}
        </div>
        <TextField label={t('profile.timeZone')} value={zone} onInput={setZone} list={zones.length ? 'profile-zones' : undefined} error={errors.time_zone} required />
        {zones.length ? (
          <datalist id="profile-zones">
            {zones.map((z) => (
              <option key={z} value={z} />
            ))}
          </datalist>
        ) : null}
        {error ? (
          <p role="alert" class="msg-error">
            {error}
          </p>
        ) : null}
        <div class="form-actions">
          <button type="submit" class="primary" disabled={busy}>
            {t('action.save')}
          </button>
          {saved ? (
            <span role="status" class="msg-ok">
              {t('msg.saved')}
            </span>
          ) : null}
        </div>
      </form>
      <PasswordForm />
    </div>
  );
}

function PasswordForm() {
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [confirm, setConfirm] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState('');
  const [done, setDone] = useState(false);
  const [busy, setBusy] = useState(false);

  async function submit(e: Event) {
    e.preventDefault();
    setErrors({});
    setError('');
    setDone(false);
    if ([...next].length < 12) return setErrors({ new_password: t('profile.tooShort') });
    if (next !== confirm) return setErrors({ confirm: t('profile.mismatch') });
    setBusy(true);
    try {
      await api.post('/auth/password', { current_password: current, new_password: next });
      setCurrent('');
      setNext('');
      setConfirm('');
      setDone(true);
    } catch (err) {
      const fields = fieldErrors(err);
      if (fields.current_password) fields.current_password = t('profile.wrongCurrent');
      setErrors(fields);
      if (err instanceof ApiError && err.status === 429) setError(t('login.rateLimited'));
      else if (!Object.keys(fields).length) setError(errorText(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form class="panel" aria-labelledby="password-h" onSubmit={submit}>
      <h2 id="password-h">{t('profile.password')}</h2>
      <TextField
        label={t('profile.currentPassword')}
        type="password"
        autocomplete="current-password"
        value={current}
        onInput={setCurrent}
        error={errors.current_password}
        required
      />
      <TextField label={t('profile.newPassword')} type="password" autocomplete="new-password" value={next} onInput={setNext} error={errors.new_password} required />
      <TextField label={t('profile.confirmPassword')} type="password" autocomplete="new-password" value={confirm} onInput={setConfirm} error={errors.confirm} required />
      {error ? (
        <p role="alert" class="msg-error">
          {error}
        </p>
      ) : null}
      <div class="form-actions">
        <button type="submit" class="primary" disabled={busy}>
          {t('profile.changePassword')}
        </button>
        {done ? (
          <span role="status" class="msg-ok">
            {t('profile.passwordChanged')}
          </span>
        ) : null}
      </div>
    </form>
  );
}
