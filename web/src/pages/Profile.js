// The user's own account, for every role: name, language and e-mail address;
// the password; which notices also come by e-mail.
import { html, AppContext } from '../html.js';
import { useContext, useState } from 'preact/hooks';
import { call } from '../api.js';
import { useAction, useLoad } from '../components/hooks.js';
import { Field } from '../components/Field.js';
import { ErrorSummary, Notice } from '../components/ErrorSummary.js';
import { Loading } from '../components/Table.js';
import { t } from '../i18n/index.js';

function Account({ profile, onSaved }) {
  const [v, setV] = useState({ displayName: profile.displayName || '', locale: profile.locale || 'id', email: profile.email || '' });
  const [msg, setMsg] = useState('');
  const f = useAction();
  const set = (k) => (x) => setV({ ...v, [k]: x });
  const submit = async (e) => {
    e.preventDefault();
    setMsg('');
    const out = await f.run((act) => act.run('gateway', 'UpdateProfile', {
      displayName: v.displayName.trim(), locale: v.locale, setEmail: true, email: v.email.trim(),
      expectedVersion: profile.version || '0',
    }), ['displayName', 'locale', 'email']);
    if (out) { setMsg(t('profile.saved')); onSaved(out); }
  };
  return html`<section aria-labelledby="h-account" class="sub-card">
    <h2 id="h-account">${t('profile.account')}</h2>
    <dl class="facts">
      <dt>${t('profile.username')}</dt><dd data-testid="profile-username">${profile.username}</dd>
      <dt>${t('profile.roles')}</dt><dd>${(profile.roles || []).map((r) => t(`role.${r}`)).join(', ')}</dd>
    </dl>
    ${msg ? html`<${Notice} kind="ok" testid="profile-saved">${msg}<//>` : null}
    <form onSubmit=${submit} novalidate data-testid="profile-form">
      <${ErrorSummary} prefix="profile-" error=${f.error} byField=${f.byField} unmatched=${f.unmatched} testid="profile-errors"
        labels=${{ displayName: t('profile.displayName'), locale: t('profile.locale'), email: t('profile.email') }} />
      <div class="grid">
        <${Field} prefix="profile-" label=${t('profile.displayName')} name="displayName" value=${v.displayName} onInput=${set('displayName')}
          errors=${f.byField} autocomplete="name" testid="profile-display-name" />
        <${Field} prefix="profile-" label=${t('profile.email')} name="email" type="email" value=${v.email} onInput=${set('email')}
          errors=${f.byField} autocomplete="email" hint=${t('profile.emailHint')} testid="profile-email" />
        <${Field} prefix="profile-" label=${t('profile.locale')} name="locale" value=${v.locale} onInput=${set('locale')}
          errors=${f.byField} testid="profile-locale"
          options=${[{ value: 'id', label: 'Bahasa Indonesia' }, { value: 'en', label: 'English' }]} />
      </div>
      <button type="submit" class="btn primary" disabled=${f.busy} data-testid="profile-save">${t('common.save')}</button>
    </form>
  </section>`;
}

function Password() {
  const [v, setV] = useState({ currentPassword: '', newPassword: '', confirm: '' });
  const [local, setLocal] = useState({});
  const [msg, setMsg] = useState('');
  const f = useAction();
  const set = (k) => (x) => setV({ ...v, [k]: x });
  const submit = async (e) => {
    e.preventDefault();
    setMsg('');
    const errs = {};
    if (v.newPassword.length < 10) errs.newPassword = t('signup.passwordShort');
    if (v.newPassword !== v.confirm) errs.confirm = t('signup.mismatch');
    setLocal(errs);
    if (Object.keys(errs).length) return;
    const out = await f.run((act) => act.run('gateway', 'ChangeOwnPassword', {
      currentPassword: v.currentPassword, newPassword: v.newPassword,
    }), ['currentPassword', 'newPassword']);
    if (out) { setV({ currentPassword: '', newPassword: '', confirm: '' }); setMsg(t('profile.passwordChanged')); }
  };
  const errors = { ...f.byField, ...local };
  return html`<section aria-labelledby="h-password" class="sub-card">
    <h2 id="h-password">${t('profile.password')}</h2>
    ${msg ? html`<${Notice} kind="ok" testid="password-changed">${msg}<//>` : null}
    <form onSubmit=${submit} novalidate data-testid="password-form">
      <${ErrorSummary} prefix="pw-" error=${f.error || (Object.keys(local).length ? 'form.fixErrors' : null)} byField=${errors}
        unmatched=${f.unmatched} testid="password-errors"
        labels=${{ currentPassword: t('profile.currentPassword'), newPassword: t('profile.newPassword'), confirm: t('signup.confirm') }} />
      <div class="grid">
        <${Field} prefix="pw-" label=${t('profile.currentPassword')} name="currentPassword" type="password" value=${v.currentPassword}
          onInput=${set('currentPassword')} errors=${errors} required autocomplete="current-password" testid="password-current" />
        <${Field} prefix="pw-" label=${t('profile.newPassword')} name="newPassword" type="password" value=${v.newPassword}
          onInput=${set('newPassword')} errors=${errors} required autocomplete="new-password" hint=${t('signup.passwordHint')} testid="password-new" />
        <${Field} prefix="pw-" label=${t('signup.confirm')} name="confirm" type="password" value=${v.confirm}
          onInput=${set('confirm')} errors=${errors} required autocomplete="new-password" testid="password-confirm" />
      </div>
      <button type="submit" class="btn" disabled=${f.busy} data-testid="password-submit">${t('profile.passwordSubmit')}</button>
    </form>
  </section>`;
}

function NoticeChoices({ hasEmailNow }) {
  const d = useLoad(() => call('distribution', 'GetNoticePreferences', {}), [hasEmailNow]);
  const [choice, setChoice] = useState(null);
  const [msg, setMsg] = useState('');
  const f = useAction();
  const prefs = choice || (d.data ? Object.fromEntries((d.data.preferences || []).map((p) => [p.kind, !!p.email])) : {});
  const submit = async (e) => {
    e.preventDefault();
    setMsg('');
    const out = await f.run((act) => act.run('distribution', 'SetNoticePreferences', {
      preferences: Object.entries(prefs).map(([kind, email]) => ({ kind, email })),
    }));
    if (out) { setChoice(null); setMsg(t('profile.noticesSaved')); d.reload(); }
  };
  const kinds = d.data ? (d.data.preferences || []).map((p) => p.kind) : [];
  return html`<section aria-labelledby="h-notices" class="sub-card">
    <h2 id="h-notices">${t('profile.notices')}</h2>
    <p>${t('profile.noticesIntro')}</p>
    ${d.loading ? html`<${Loading} />` : d.error ? html`<${ErrorSummary} error=${d.error} />`
      : kinds.length === 0 ? html`<p class="empty" data-testid="notice-choices-none">${t('profile.noticesNone')}</p>` : html`
      ${!d.data.hasEmail && !hasEmailNow ? html`<${Notice} kind="warn" testid="notice-choices-no-email">${t('profile.noticesNoEmail')}<//>` : null}
      ${msg ? html`<${Notice} kind="ok" testid="notice-choices-saved">${msg}<//>` : null}
      <form onSubmit=${submit} novalidate data-testid="notice-choices-form">
        <${ErrorSummary} error=${f.error} testid="notice-choices-errors" />
        <fieldset class="roles"><legend>${t('profile.notices')}</legend>
          ${kinds.map((k) => html`<label class="check"><input type="checkbox" checked=${!!prefs[k]} data-testid=${`notice-choice-${k}`}
            onChange=${(e) => setChoice({ ...prefs, [k]: e.currentTarget.checked })} /> ${t(`noticeKind.${k}`)}</label>`)}
        </fieldset>
        <button type="submit" class="btn" disabled=${f.busy} data-testid="notice-choices-save">${t('profile.noticesSubmit')}</button>
      </form>`}
  </section>`;
}

export function Profile() {
  const ctx = useContext(AppContext);
  const d = useLoad(() => call('gateway', 'GetProfile', {}), []);
  const [profile, setProfile] = useState(null);
  const p = profile || d.data;
  return html`<section data-testid="profile-page">
    <h1>${t('profile.title')}</h1>
    ${d.loading ? html`<${Loading} />` : d.error ? html`<${ErrorSummary} error=${d.error} />` : html`
      <${Account} key=${p.version} profile=${p} onSaved=${(u) => { setProfile(u); ctx.refreshMe(); }} />
      <${NoticeChoices} hasEmailNow=${!!p.email} />
      <${Password} />`}
  </section>`;
}
