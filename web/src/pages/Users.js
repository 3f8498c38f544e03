// User administration (admin): list, create, change roles / disable, reset password.
import { html, AppContext } from '../html.js';
import { useContext, useState } from 'preact/hooks';
import { call } from '../api.js';
import { useAction, useFocusOnShow, useLoad } from '../components/hooks.js';
import { Field } from '../components/Field.js';
import { ErrorSummary, Notice } from '../components/ErrorSummary.js';
import { DataTable, Loading } from '../components/Table.js';
import { t } from '../i18n/index.js';
import { formatDateTime } from '../format.js';
import { ROLES } from '../enums.js';
import { Picker } from '../components/Picker.js';

function RoleChecks({ roles, onChange, name, errors, prefix = '', required = false }) {
  const err = errors[name];
  return html`<fieldset class=${`roles${err ? ' has-error' : ''}`} data-testid=${`${prefix}roles`} aria-describedby=${err ? `${prefix}${name}-err` : undefined}>
    <legend>${t('users.roles')}${required ? html`<span class="req" aria-hidden="true"> *</span>` : null}</legend>
    ${ROLES.map((r) => html`<label class="check"><input type="checkbox" checked=${roles.includes(r)} data-testid=${`${prefix}role-${r}`}
      onChange=${(e) => onChange(e.currentTarget.checked ? [...roles, r] : roles.filter((x) => x !== r))} /> ${t(`role.${r}`)}</label>`)}
    <p class="field-error" id=${`${prefix}${name}-err`} role="status" aria-live="polite">${err || ''}</p>
  </fieldset>`;
}

export function Users() {
  const { locale } = useContext(AppContext);
  const [query, setQuery] = useState('');
  const [role, setRole] = useState('');
  const [applied, setApplied] = useState({ query: '', role: '' });
  const [selected, setSelected] = useState(null);
  const d = useLoad(() => call('gateway', 'ListUsers', { ...applied, pageSize: 100 }), [applied.query, applied.role]);
  return html`<section>
    <h1>${t('users.title')}</h1>
    <form class="filters" role="search" onSubmit=${(e) => { e.preventDefault(); setApplied({ query, role }); }}>
      <${Field} label=${t('users.search')} name="query" value=${query} onInput=${setQuery} testid="users-query" />
      <${Field} label=${t('users.role')} name="role" value=${role} onInput=${setRole} testid="users-role"
        options=${[{ value: '', label: t('common.any') }, ...ROLES.map((r) => ({ value: r, label: t(`role.${r}`) }))]} />
      <div class="actions"><button type="submit" class="btn" data-testid="users-search">${t('common.search')}</button></div>
    </form>
    ${d.loading ? html`<${Loading} />` : d.error ? html`<${ErrorSummary} error=${d.error} />` : html`
      <${DataTable} testid="users-table" rowTestid="user-row" rows=${d.data.users || []} columns=${[
        { label: t('login.username'), render: (u) => html`<button type="button" class="linklike" onClick=${() => setSelected(u)} data-testid="user-edit">${u.username}</button>` },
        { label: t('users.displayName'), render: (u) => u.displayName },
        { label: t('users.email'), render: (u) => html`<span data-testid="user-email">${u.email || t('users.noEmail')}</span>` },
        { label: t('users.roles'), render: (u) => (u.roles || []).map((r) => t(`role.${r}`)).join(', ') },
        { label: t('common.status'), render: (u) => html`<span class=${`badge ${u.disabled ? 'badge-bad' : 'badge-ok'}`} data-testid="user-state">${u.disabled ? t('users.disabled') : t('users.active')}</span>` },
        { label: t('users.lastLogin'), render: (u) => formatDateTime(u.lastLoginUnixMs, locale) || '—' },
      ]} />`}
    ${selected ? html`<${EditUser} key=${selected.id + selected.version} user=${selected} onDone=${(u) => { setSelected(u); d.reload(); }} onClose=${() => setSelected(null)} />` : null}
    <${CreateUser} onDone=${d.reload} />
  </section>`;
}

function CreateUser({ onDone }) {
  const empty = { username: '', displayName: '', email: '', roles: [], company: null, password: '', locale: 'id' };
  const [v, setV] = useState(empty);
  const [msg, setMsg] = useState('');
  const f = useAction();
  const set = (k) => (x) => setV({ ...v, [k]: x });
  const known = ['username', 'displayName', 'email', 'roles', 'companyId', 'password', 'locale'];
  const submit = async (e) => {
    e.preventDefault();
    setMsg('');
    const { company, ...rest } = v;
    const out = await f.run((act) => act.run('gateway', 'CreateUser', { ...rest, username: v.username.trim(), displayName: v.displayName.trim(), email: v.email.trim(), companyId: company?.id || '' }), known);
    if (out) { setV(empty); setMsg(t('users.created', { name: out.username })); onDone(); }
  };
  return html`<section aria-labelledby="h-create" class="sub-card">
    <h2 id="h-create">${t('users.create')}</h2>
    <form onSubmit=${submit} novalidate data-testid="user-create-form">
      <${ErrorSummary} prefix="new-" error=${f.error} byField=${f.byField} unmatched=${f.unmatched} testid="user-create-errors" />
      ${msg ? html`<${Notice} kind="ok" testid="user-created">${msg}<//>` : null}
      <div class="grid">
        <${Field} prefix="new-" label=${t('login.username')} name="username" value=${v.username} onInput=${set('username')} errors=${f.byField} required autocomplete="off" testid="user-new-username" />
        <${Field} prefix="new-" label=${t('users.displayName')} name="displayName" value=${v.displayName} onInput=${set('displayName')} errors=${f.byField}
          hint=${t('users.displayNameHint')} testid="user-new-display-name" />
        <${Field} prefix="new-" label=${t('users.email')} name="email" type="email" value=${v.email} onInput=${set('email')} errors=${f.byField} autocomplete="off" testid="user-new-email" />
        <${Field} prefix="new-" label=${t('login.password')} name="password" type="password" value=${v.password} onInput=${set('password')} errors=${f.byField} required
          autocomplete="new-password" hint=${t('signup.passwordHint')} testid="user-new-password" />
        <${Field} prefix="new-" label=${t('users.locale')} name="locale" value=${v.locale} onInput=${set('locale')} errors=${f.byField} testid="user-new-locale"
          options=${[{ value: 'id', label: 'Bahasa Indonesia' }, { value: 'en', label: 'English' }]} />
      </div>
      ${v.roles.includes('partner') ? html`<${Picker} prefix="new-" label=${t('users.company')} name="companyId" testid="user-new-company" errors=${f.byField}
        value=${v.company} onPick=${set('company')} search=${async (q) => ((await call('registry', 'ListCompanies', { query: q, pageSize: 20 })).companies || [])
          .map((c) => ({ id: c.id, label: c.legalName }))} />` : null}
      <${RoleChecks} roles=${v.roles} onChange=${set('roles')} name="roles" errors=${f.byField} prefix="new-" required />
      <button type="submit" class="btn primary" disabled=${f.busy} data-testid="user-create-submit">${t('users.createSubmit')}</button>
    </form>
  </section>`;
}

function EditUser({ user, onDone, onClose }) {
  const [v, setV] = useState({ displayName: user.displayName || '', email: user.email || '', roles: user.roles || [], locale: user.locale || 'id' });
  const [pw, setPw] = useState('');
  const [msg, setMsg] = useState('');
  const f = useAction();
  const p = useAction();
  const head = useFocusOnShow(user.id);
  const update = async (extra = {}) => {
    setMsg('');
    const out = await f.run((act) => act.run('gateway', 'UpdateUser', {
      userId: user.id, displayName: v.displayName.trim(), roles: v.roles, locale: v.locale, expectedVersion: user.version || '0',
      setEmail: true, email: v.email.trim(), ...extra,
    }), ['displayName', 'email', 'roles', 'locale']);
    if (out) { setMsg(t('wizard.saved')); onDone(out); }
  };
  const reset = async (e) => {
    e.preventDefault();
    setMsg('');
    const out = await p.run((act) => act.run('gateway', 'ResetPassword', { userId: user.id, newPassword: pw }), ['newPassword']);
    if (out) { setPw(''); setMsg(t('users.passwordReset')); }
  };
  return html`<section aria-labelledby="h-edit" class="sub-card" data-testid="user-edit-panel">
    <div class="page-head"><h2 id="h-edit" tabindex="-1" ref=${head}>${t('users.edit', { name: user.username })}</h2>
      <button type="button" class="btn small" onClick=${onClose} data-testid="user-edit-close">${t('common.close')}</button></div>
    ${msg ? html`<${Notice} kind="ok" testid="user-saved">${msg}<//>` : null}
    <form onSubmit=${(e) => { e.preventDefault(); update(); }} novalidate>
      <${ErrorSummary} prefix="edit-" error=${f.error} byField=${f.byField} unmatched=${f.unmatched} testid="user-edit-errors" />
      <div class="grid">
        <${Field} prefix="edit-" label=${t('users.displayName')} name="displayName" value=${v.displayName} onInput=${(x) => setV({ ...v, displayName: x })} errors=${f.byField} testid="user-edit-display-name" />
        <${Field} prefix="edit-" label=${t('users.email')} name="email" type="email" value=${v.email} onInput=${(x) => setV({ ...v, email: x })} errors=${f.byField} autocomplete="off" testid="user-edit-email" />
        <${Field} prefix="edit-" label=${t('users.locale')} name="locale" value=${v.locale} onInput=${(x) => setV({ ...v, locale: x })} errors=${f.byField} testid="user-edit-locale"
          options=${[{ value: 'id', label: 'Bahasa Indonesia' }, { value: 'en', label: 'English' }]} />
      </div>
      <${RoleChecks} roles=${v.roles} onChange=${(r) => setV({ ...v, roles: r })} name="roles" errors=${f.byField} prefix="edit-" />
      <div class="actions">
        <button type="submit" class="btn primary" disabled=${f.busy} data-testid="user-edit-save">${t('common.save')}</button>
        <button type="button" class=${`btn ${user.disabled ? '' : 'danger'}`} disabled=${f.busy} data-testid="user-toggle-disabled"
          onClick=${() => update({ setDisabled: true, disabled: !user.disabled })}>${user.disabled ? t('users.enable') : t('users.disable')}</button>
      </div>
    </form>
    <form onSubmit=${reset} novalidate data-testid="user-reset-form">
      <h3>${t('users.resetPassword')}</h3>
      <${ErrorSummary} prefix="reset-" error=${p.error} byField=${p.byField} unmatched=${p.unmatched} testid="user-reset-errors" />
      <${Field} prefix="reset-" label=${t('users.newPassword')} name="newPassword" type="password" value=${pw} onInput=${setPw} errors=${p.byField}
        autocomplete="new-password" hint=${t('signup.passwordHint')} testid="user-reset-password" />
      <button type="submit" class="btn" disabled=${p.busy || pw.length === 0} data-testid="user-reset-submit">${t('users.resetPassword')}</button>
    </form>
  </section>`;
}
