// Application shell: session restore, login redirect (and back), navigation, language switch.
import { useEffect, useState } from 'preact/hooks';
import { api, setCsrfToken, setUnauthorizedHandler } from './api';
import { getLang, setLang, t, userLang } from './i18n';
import type { MessageKey } from './messages';
import type { Lang } from './format';
import { SessionContext, isAdmin, type User } from './session';
import { loadSchema, setSchema } from './record_types';
import { currentPath, match, navigate, useLocation } from './router';
import { Link } from './components/link';
import { LanguageOptions } from './components/fields';
import { LoginPage } from './pages/login';
import { HomePage } from './pages/home';
import { ListPage } from './pages/list';
import { CompanyPage, ContactPage } from './pages/record';
import { DealPage } from './pages/deal';
import { PipelinePage } from './pages/pipeline';
import { TasksPage } from './pages/tasks';
import { ImportPage } from './pages/import';
import { SettingsPage } from './pages/settings';
import { ProfilePage } from './pages/profile';
import { JobsPage } from './pages/jobs';

const RETURN_KEY = 'relais.returnTo';

const navItems: { href: string; key: MessageKey; admin?: boolean }[] = [
  { href: '/', key: 'nav.home' },
  { href: '/contacts', key: 'nav.contacts' },
  { href: '/companies', key: 'nav.companies' },
  { href: '/deals', key: 'nav.deals' },
  { href: '/pipeline', key: 'nav.pipeline' },
  { href: '/tasks', key: 'nav.tasks' },
  { href: '/import', key: 'nav.import' },
  { href: '/settings', key: 'nav.settings', admin: true },
  { href: '/jobs', key: 'nav.jobs', admin: true },
];

export function App() {
  const [user, setUser] = useState<User | null>(null);
  const [checked, setChecked] = useState(false);
  const [expired, setExpired] = useState(false);
  // The record types (GET /api/v1/schema), loaded once per sign-in: every page needs them.
  const [schema, setSchemaState] = useState<'loading' | 'ready' | 'failed'>('loading');
  const [lang, setLangState] = useState<Lang>(getLang());
  const { path } = useLocation();

  function rememberAndLogin() {
    const here = currentPath();
    if (!here.startsWith('/login')) sessionStorage.setItem(RETURN_KEY, here);
    navigate('/login', true);
  }

  // Login and session restore both land here with the user record: its locale wins over the
  // browser's language from now on.
  function signedIn(u: User, csrf: string) {
    const preferred = userLang(u);
    if (preferred && preferred !== getLang()) changeLang(preferred);
    setCsrfToken(csrf);
    setSchemaState('loading');
    loadSchema()
      .then(() => setSchemaState('ready'))
      .catch(() => setSchemaState('failed'));
    setUser(u);
    setExpired(false);
    if (path === '/login') {
      const back = sessionStorage.getItem(RETURN_KEY) || '/';
      sessionStorage.removeItem(RETURN_KEY);
      navigate(back, true);
    }
  }

  useEffect(() => {
    setUnauthorizedHandler(() => {
      setUser((u) => {
        if (u) setExpired(true);
        return null;
      });
      rememberAndLogin();
    });
    api
      .get<{ user: User; csrf_token: string }>('/auth/me', { quiet401: true })
      .then((r) => signedIn(r.user, r.csrf_token))
      .catch(() => rememberAndLogin())
      .finally(() => setChecked(true));
  }, []);

  useEffect(() => {
    document.documentElement.lang = lang;
  }, [lang]);

  function changeLang(next: Lang, persist = true) {
    setLang(next, persist);
    setLangState(next);
  }

  async function switchLang(next: Lang) {
    changeLang(next);
    if (user) {
      // Saved on the user's own record (every role may), read back at the next login.
      try {
        const r = await api.patch<{ user: User }>('/auth/me', { locale: next });
        // Only the record: a quicker second switch may already have changed the language.
        setUser((u) => (u && u.id === r.user.id ? { ...u, ...r.user } : u));
      } catch {
        /* this browser still shows the choice; the record keeps the previous one */
      }
    }
  }

  // The profile page lands here with the saved user record.
  function profileSaved(saved: User) {
    setUser((u) => (u && u.id === saved.id ? { ...u, ...saved } : u));
    const preferred = userLang(saved);
    if (preferred && preferred !== getLang()) changeLang(preferred);
  }

  async function logout() {
    try {
      await api.post('/auth/logout', {});
    } catch {
      /* already gone */
    }
    setCsrfToken('');
    setSchema(null);
    setUser(null);
    sessionStorage.removeItem(RETURN_KEY);
    navigate('/login', true);
  }

  if (!checked) return <p class="loading">{t('msg.loading')}</p>;
  if (!user || path === '/login') {
    if (user && path === '/login') navigate('/', true);
    return (
      <>
        <LangSwitch lang={lang} onChange={(l) => changeLang(l)} floating />
        <LoginPage onLogin={signedIn} expired={expired} />
      </>
    );
  }

  if (schema !== 'ready') {
    return <p class={schema === 'failed' ? 'msg-error' : 'loading'}>{t(schema === 'failed' ? 'error.schema' : 'msg.loading')}</p>;
  }

  return (
    <SessionContext.Provider value={user}>
      <a href="#main" class="skip">
        {t('nav.skip')}
      </a>
      <header class="topbar">
        <span class="brand">Relais</span>
        <nav aria-label={t('nav.main')}>
          <ul>
            {navItems
              .filter((n) => !n.admin || isAdmin(user))
              .map((n) => {
                const active = n.href === '/' ? path === '/' : path === n.href || path.startsWith(`${n.href}/`);
                return (
                  <li key={n.href}>
                    <Link href={n.href} aria-current={active ? 'page' : undefined}>
                      {t(n.key)}
                    </Link>
                  </li>
                );
              })}
          </ul>
        </nav>
        <div class="user-box">
          <LangSwitch lang={lang} onChange={switchLang} />
          <span class="who">{user.name || user.email}</span>
          <Link href="/profile" aria-current={path === '/profile' ? 'page' : undefined}>
            {t('nav.profile')}
          </Link>
          <button type="button" onClick={logout}>
            {t('action.logout')}
          </button>
        </div>
      </header>
      <main id="main" tabIndex={-1} key={lang}>
        <Routes path={path} user={user} onProfileSaved={profileSaved} />
      </main>
    </SessionContext.Provider>
  );
}

function LangSwitch({ lang, onChange, floating }: { lang: Lang; onChange: (l: Lang) => void; floating?: boolean }) {
  return (
    <div class={`lang${floating ? ' floating' : ''}`}>
      <label for="lang-select">{t('label.language')}</label>
      <select id="lang-select" value={lang} onChange={(e) => onChange((e.target as HTMLSelectElement).value as Lang)}>
        <LanguageOptions />
      </select>
    </div>
  );
}

function Routes({ path, user, onProfileSaved }: { path: string; user: User; onProfileSaved: (u: User) => void }) {
  let m: Record<string, string> | null;
  if (path === '/') return <HomePage />;
  if (path === '/contacts') return <ListPage resource="contacts" />;
  if (path === '/companies') return <ListPage resource="companies" />;
  if (path === '/deals') return <ListPage resource="deals" />;
  if ((m = match('/contacts/:id', path))) return <ContactPage id={m.id} key={m.id} />;
  if ((m = match('/companies/:id', path))) return <CompanyPage id={m.id} key={m.id} />;
  if ((m = match('/deals/:id', path))) return <DealPage id={m.id} key={m.id} />;
  if (path === '/pipeline') return <PipelinePage />;
  if (path === '/tasks') return <TasksPage />;
  if (path === '/import') return <ImportPage />;
  if (path === '/settings' && isAdmin(user)) return <SettingsPage />;
  if (path === '/jobs' && isAdmin(user)) return <JobsPage />;
  if (path === '/profile') return <ProfilePage onSaved={onProfileSaved} />;
  return (
    <div class="page">
      <h1>{t('error.notFound')}</h1>
      <Link href="/">{t('nav.home')}</Link>
    </div>
  );
}
