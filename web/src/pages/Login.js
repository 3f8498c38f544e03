// Login, and sign-up for press companies (a partner account without a company yet).
import { html, AppContext } from '../html.js';
import { useContext, useState } from 'preact/hooks';
import { auth } from '../api.js';
import { Field } from '../components/Field.js';
import { ErrorSummary } from '../components/ErrorSummary.js';
import { mapViolations } from '../errors.js';
import { violationWords } from '../codes.js';
import { t } from '../i18n/index.js';

function useAuthForm(known) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const [byField, setByField] = useState({});
  const [unmatched, setUnmatched] = useState([]);
  const run = async (fn) => {
    setBusy(true); setError(null);
    try { return await fn(); } catch (e) {
      const m = mapViolations((e.violations || []).map((v) => ({ ...v, description: violationWords(v) })), known);
      setByField(m.byField); setUnmatched(m.unmatched); setError(e); return undefined;
    } finally { setBusy(false); }
  };
  return { busy, error, byField, unmatched, run };
}

export function Login() {
  const ctx = useContext(AppContext);
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const f = useAuthForm(['username', 'password']);
  const submit = async (e) => {
    e.preventDefault();
    const r = await f.run(() => auth.login(username.trim(), password));
    if (r) ctx.setUser(r.user);
  };
  return html`<section class="auth-card">
    <h1>${t('login.title')}</h1>
    <p>${t('login.intro')}</p>
    <form onSubmit=${submit} novalidate data-testid="login-form">
      <${ErrorSummary} error=${f.error} byField=${f.byField} unmatched=${f.unmatched} testid="login-error" />
      <${Field} label=${t('login.username')} name="username" value=${username} onInput=${setUsername} errors=${f.byField}
        required autocomplete="username" testid="login-username" />
      <${Field} label=${t('login.password')} name="password" type="password" value=${password} onInput=${setPassword}
        errors=${f.byField} required autocomplete="current-password" testid="login-password" />
      <button type="submit" class="btn primary wide" disabled=${f.busy} data-testid="login-submit">${t('login.submit')}</button>
    </form>
    <p><a href="#/forgot" data-testid="forgot-link">${t('login.forgot')}</a></p>
    <p class="muted">${t('login.partnerQuestion')} <a href="#/signup" data-testid="signup-link">${t('login.signupLink')}</a></p>
  </section>`;
}

export function Signup() {
  const ctx = useContext(AppContext);
  const [v, setV] = useState({ displayName: '', username: '', email: '', password: '', confirm: '' });
  const f = useAuthForm(['displayName', 'username', 'email', 'password', 'confirm']);
  const [local, setLocal] = useState({});
  const set = (k) => (x) => setV({ ...v, [k]: x });
  const submit = async (e) => {
    e.preventDefault();
    const errs = {};
    if (v.password.length < 10) errs.password = t('signup.passwordShort');
    if (v.password !== v.confirm) errs.confirm = t('signup.mismatch');
    setLocal(errs);
    if (Object.keys(errs).length) return;
    const r = await f.run(() => auth.signup(v.username.trim(), v.password, v.displayName.trim(), v.email.trim()));
    if (r) { ctx.setUser(r.user); location.hash = '#/my'; }
  };
  const errors = { ...f.byField, ...local };
  return html`<section class="auth-card">
    <h1>${t('signup.title')}</h1>
    <p>${t('signup.intro')}</p>
    <form onSubmit=${submit} novalidate data-testid="signup-form">
      <${ErrorSummary} error=${f.error || (Object.keys(local).length ? 'form.fixErrors' : null)} byField=${errors} unmatched=${f.unmatched} testid="signup-error" />
      <${Field} label=${t('signup.displayName')} name="displayName" value=${v.displayName} onInput=${set('displayName')} errors=${errors}
        required autocomplete="organization" testid="signup-display-name" />
      <${Field} label=${t('login.username')} name="username" value=${v.username} onInput=${set('username')} errors=${errors}
        required autocomplete="username" testid="signup-username" />
      <${Field} label=${t('profile.email')} name="email" type="email" value=${v.email} onInput=${set('email')} errors=${errors}
        autocomplete="email" hint=${t('profile.emailHint')} testid="signup-email" />
      <${Field} label=${t('login.password')} name="password" type="password" value=${v.password} onInput=${set('password')} errors=${errors}
        required autocomplete="new-password" hint=${t('signup.passwordHint')} testid="signup-password" />
      <${Field} label=${t('signup.confirm')} name="confirm" type="password" value=${v.confirm} onInput=${set('confirm')} errors=${errors}
        required autocomplete="new-password" testid="signup-confirm" />
      <button type="submit" class="btn primary wide" disabled=${f.busy} data-testid="signup-submit">${t('signup.submit')}</button>
    </form>
    <p class="muted"><a href="#/login" data-testid="login-link">${t('signup.haveAccount')}</a></p>
  </section>`;
}
