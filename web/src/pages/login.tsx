import { useState } from 'preact/hooks';
import { api, ApiError } from '../api';
import { t } from '../i18n';
import type { User } from '../session';

export function LoginPage({ onLogin, expired }: { onLogin: (user: User, csrf: string) => void; expired: boolean }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  async function submit(e: Event) {
    e.preventDefault();
    setBusy(true);
    setError('');
    try {
      // A cookie-only session: the token stays in the HttpOnly cookie, never in page script.
      const r = await api.post<{ user: User; csrf_token: string }>('/auth/login', { email, password, session: 'cookie' }, { quiet401: true });
      onLogin(r.user, r.csrf_token);
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) setError(t('login.invalid'));
      else if (err instanceof ApiError && err.status === 429) setError(t('login.rateLimited'));
      else setError(err instanceof ApiError ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  }
  return (
    <main id="main" class="login">
      <form class="panel login-form" onSubmit={submit} aria-labelledby="login-h">
        <h1 id="login-h">Relais</h1>
        <p>{t('login.intro')}</p>
        {expired ? <p role="status" class="msg-warn">{t('login.expired')}</p> : null}
        <div class="field">
          <label for="login-email">{t('label.email')}</label>
          <input id="login-email" type="email" autocomplete="username" required value={email} onInput={(e) => setEmail((e.target as HTMLInputElement).value)} />
        </div>
        <div class="field">
          <label for="login-password">{t('label.password')}</label>
          <input
            id="login-password"
            type="password"
            autocomplete="current-password"
            required
            value={password}
            onInput={(e) => setPassword((e.target as HTMLInputElement).value)}
          />
        </div>
        {error ? (
          <p role="alert" class="msg-error">
            {error}
          </p>
        ) : null}
        <button type="submit" class="primary" disabled={busy}>
          {t('action.login')}
        </button>
      </form>
    </main>
  );
}
