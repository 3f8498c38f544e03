// "Lupa kata sandi?": ask for a reset link by username or e-mail (the answer
// is the same whether the account exists or not), and the page the link
// opens, where the new password is chosen once.
import { html, AppContext } from '../html.js';
import { useContext, useState } from 'preact/hooks';
import { auth } from '../api.js';
import { Field } from '../components/Field.js';
import { ErrorSummary, Notice } from '../components/ErrorSummary.js';
import { mapViolations } from '../errors.js';
import { violationWords } from '../codes.js';
import { t } from '../i18n/index.js';

// The link's user and token: "#/reset?u=<id>&t=<token>".
function linkParams() {
  const p = new URLSearchParams(globalThis.location.hash.split('?')[1] || '');
  return { userId: p.get('u') || '', token: p.get('t') || '' };
}

export function ForgotPassword() {
  const [account, setAccount] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const [byField, setByField] = useState({});
  const [sent, setSent] = useState(false);
  const submit = async (e) => {
    e.preventDefault();
    setBusy(true); setError(null); setSent(false);
    try {
      await auth.resetRequest(account.trim());
      setSent(true);
    } catch (err) {
      setByField(mapViolations((err.violations || []).map((v) => ({ ...v, description: violationWords(v) })), ['account']).byField);
      setError(err);
    } finally { setBusy(false); }
  };
  return html`<section class="auth-card">
    <h1>${t('forgot.title')}</h1>
    <p>${t('forgot.intro')}</p>
    ${sent ? html`<${Notice} kind="ok" testid="forgot-sent">${t('forgot.sent')}<//>` : null}
    <form onSubmit=${submit} novalidate data-testid="forgot-form">
      <${ErrorSummary} error=${error} byField=${byField} testid="forgot-error" labels=${{ account: t('forgot.account') }} />
      <${Field} label=${t('forgot.account')} name="account" value=${account} onInput=${setAccount} errors=${byField}
        required autocomplete="username" testid="forgot-account" />
      <button type="submit" class="btn primary wide" disabled=${busy || !account.trim()} data-testid="forgot-submit">${t('forgot.submit')}</button>
    </form>
    <p class="muted">${t('forgot.noEmail')}</p>
    <p><a href="#/login" data-testid="forgot-back">${t('forgot.back')}</a></p>
  </section>`;
}

// "token.used: ..." from the gateway -> the sentence of its code.
function tokenWords(err) {
  const v = (err && err.violations || []).find((x) => x.field === 'token');
  if (!v) return '';
  const code = /^(token\.[a-z]+)/.exec(v.description || '');
  return code ? t(`reset.${code[1]}`) : t('reset.token.invalid');
}

export function ResetPassword() {
  const ctx = useContext(AppContext);
  const [link] = useState(linkParams);
  const [v, setV] = useState({ password: '', confirm: '' });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const [byField, setByField] = useState({});
  const [done, setDone] = useState(false);
  const [tokenError, setTokenError] = useState('');
  const complete = link.userId && link.token;
  const submit = async (e) => {
    e.preventDefault();
    const local = {};
    if (v.password.length < 10) local.password = t('signup.passwordShort');
    if (v.password !== v.confirm) local.confirm = t('signup.mismatch');
    setByField(local);
    if (Object.keys(local).length) { setError('form.fixErrors'); return; }
    setBusy(true); setError(null); setTokenError('');
    try {
      await auth.resetConfirm(link.userId, link.token, v.password);
      setDone(true);
      // every session of the account ended, this browser's too
      if (ctx.user) ctx.setUser(null);
    } catch (err) {
      const words = tokenWords(err);
      if (words) { setTokenError(words); setError(null); return; }
      const m = mapViolations((err.violations || []).map((v) => ({ ...v, description: violationWords(v) })), ['newPassword']);
      setByField(m.byField.newPassword ? { password: m.byField.newPassword } : {});
      setError(err);
    } finally { setBusy(false); }
  };
  const again = html`<p><a href="#/forgot" data-testid="reset-again">${t('reset.again')}</a></p>`;
  if (!complete) {
    return html`<section class="auth-card"><h1>${t('reset.title')}</h1>
      <${Notice} kind="error" testid="reset-missing">${t('reset.missing')}<//>${again}</section>`;
  }
  if (done) {
    return html`<section class="auth-card"><h1>${t('reset.title')}</h1>
      <${Notice} kind="ok" testid="reset-done">${t('reset.done')}<//>
      <p><a href="#/login" class="btn primary" data-testid="reset-login">${t('reset.login')}</a></p></section>`;
  }
  return html`<section class="auth-card">
    <h1>${t('reset.title')}</h1>
    <p>${t('reset.intro')}</p>
    ${tokenError ? html`<${Notice} kind="error" testid="reset-token-error">${tokenError}<//>${again}` : null}
    <form onSubmit=${submit} novalidate data-testid="reset-form">
      <${ErrorSummary} error=${error} byField=${byField} testid="reset-error"
        labels=${{ password: t('reset.password'), confirm: t('reset.confirm') }} />
      <${Field} label=${t('reset.password')} name="password" type="password" value=${v.password}
        onInput=${(x) => setV({ ...v, password: x })} errors=${byField} required autocomplete="new-password"
        hint=${t('signup.passwordHint')} testid="reset-password" />
      <${Field} label=${t('reset.confirm')} name="confirm" type="password" value=${v.confirm}
        onInput=${(x) => setV({ ...v, confirm: x })} errors=${byField} required autocomplete="new-password" testid="reset-confirm" />
      <button type="submit" class="btn primary wide" disabled=${busy} data-testid="reset-submit">${t('reset.submit')}</button>
    </form>
  </section>`;
}
