// The application shell: session, routing, navigation by role, locale and
// fiscal year.
import { render } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { html, AppContext } from './html.js';
import { auth, onUnauthenticated } from './api.js';
import { parseHash, allowed, navigate, STAFF, PUBLIC_ROUTES } from './router.js';
import { t, setLocale, initialLocale } from './i18n/index.js';
import { yearWIB, defaultFiscalYear } from './format.js';
import { Loading } from './components/Table.js';
import { Login, Signup } from './pages/Login.js';
import { Dashboard } from './pages/Dashboard.js';
import { Companies } from './pages/Companies.js';
import { Wizard } from './pages/Wizard.js';
import { CompanyStatus } from './pages/CompanyStatus.js';
import { Queue } from './pages/Queue.js';
import { CaseReview } from './pages/CaseReview.js';
import { Announcement } from './pages/Announcement.js';
import { Outlets, OutletDetail } from './pages/Outlets.js';
import { RuleSetEditor } from './pages/RuleSet.js';
import { PriceEditor } from './pages/Prices.js';
import { Users } from './pages/Users.js';
import { Releases } from './pages/Releases.js';
import { ReleaseEditor } from './pages/ReleaseEditor.js';
import { ReleaseProof } from './pages/ReleaseProof.js';
import { Inbox, InboxRelease, UnreadBadge } from './pages/Inbox.js';
import { ForgotPassword, ResetPassword } from './pages/Reset.js';
import { Profile } from './pages/Profile.js';
import { Notices, NoticeBadge } from './pages/Notices.js';
import { BudgetLines, BudgetLineDetail } from './pages/Budget.js';
import { Agreements, AgreementDetail } from './pages/Agreements.js';
import { Orders, OrderNew, Offers } from './pages/Orders.js';
import { OrderDetail } from './pages/OrderDetail.js';
import { Invoices, InvoiceNew, InvoiceDetail } from './pages/Invoices.js';
import { Taxes } from './pages/Taxes.js';
import { Payments } from './pages/Payments.js';
import { Years } from './pages/Years.js';
import { RequirementSets } from './pages/RequirementSets.js';
import { AuditTrail } from './pages/Audit.js';
import { forgetAllDrafts } from './components/stored.js';
import { forgetNames } from './names.js';

const NAV = [
  ['dashboard', '/', 'nav.dashboard'],
  ['my', '/my', 'nav.my'],
  ['companies', '/companies', 'nav.companies'],
  ['queue', '/verification', 'nav.queue'],
  ['announcement', '/announcement', 'nav.announcement'],
  ['outlets', '/outlets', 'nav.outlets'],
  ['inbox', '/inbox', 'nav.inbox'],
  ['notices', '/notices', 'nav.notices'],
];

// Menu entries that open: the work with partner media, the money, and the
// year's rules with the administration. The whole menu fits one line at 1366 px.
const PARTNERSHIP = [
  ['offers', '/offers', 'nav.offers'],
  ['agreements', '/agreements', 'nav.agreements'],
  ['orders', '/orders', 'nav.orders'],
  ['releases', '/releases', 'nav.releases'],
];
const MONEY = [
  ['budget', '/budget', 'nav.budget'],
  ['invoices', '/invoices', 'nav.invoices'],
  ['payments', '/payments', 'nav.payments'],
  ['taxes', '/taxes', 'nav.taxes'],
];
const SETTINGS = [
  ['years', '/years', 'nav.years'],
  ['requirements', '/requirements', 'nav.requirements'],
  ['rules', '/rules', 'nav.rules'],
  ['prices', '/prices', 'nav.prices'],
  ['users', '/users', 'nav.users'],
  ['audit', '/audit', 'nav.audit'],
];

function initialYear() {
  const q = /[?&]year=(\d{4})/.exec(globalThis.location.hash);
  if (q) return Number(q[1]);
  try {
    const y = Number(globalThis.localStorage.getItem('seklik.year'));
    if (y >= 2000 && y <= 2100) return y;
  } catch { /* ignore */ }
  return defaultFiscalYear();
}

// Focus moves to a new page's heading only once the person has done
// something (a click, a key): on a fresh load the browser's own starting
// point stays at the top, so the first Tab still reaches the skip link.
let interacted = false;
for (const ev of ['pointerdown', 'keydown', 'click']) {
  globalThis.addEventListener(ev, () => { interacted = true; }, { capture: true, once: true });
}

const isPartner = (user) => !!user && user.roles.includes('partner') && !user.roles.some((r) => STAFF.includes(r));

function Page({ route, user }) {
  const home = isPartner(user) ? '/my' : '/';
  if (route.name === 'notFound') return html`<section><h1 tabindex="-1">${t('error.notFoundTitle')}</h1><p><a href=${'#' + home}>${t('common.home')}</a></p></section>`;
  if (route.name === 'dashboard' && isPartner(user)) { navigate('/my'); return null; }
  if (!allowed(route.name, user.roles)) {
    return html`<section data-testid="forbidden"><h1 tabindex="-1">${t('error.forbiddenTitle')}</h1>
      <p>${t('error.forbidden')}</p><p><a href=${'#' + home}>${t('common.home')}</a></p></section>`;
  }
  switch (route.name) {
    case 'dashboard': return html`<${Dashboard} />`;
    case 'companies': return html`<${Companies} />`;
    case 'companyNew': return html`<${Wizard} />`;
    case 'companyEdit': return html`<${Wizard} companyId=${route.id} />`;
    case 'register': return html`<${Wizard} companyId=${user.companyId || undefined} />`;
    case 'my': return user.companyId ? html`<${CompanyStatus} companyId=${user.companyId} own=${true} />` : html`<${Wizard} />`;
    case 'company': return html`<${CompanyStatus} companyId=${route.id} />`;
    case 'queue': return html`<${Queue} />`;
    case 'case': return html`<${CaseReview} caseId=${route.id} />`;
    case 'announcement': return html`<${Announcement} />`;
    case 'outlets': return html`<${Outlets} />`;
    case 'outlet': return html`<${OutletDetail} outletId=${route.id} />`;
    case 'rules': return html`<${RuleSetEditor} />`;
    case 'prices': return html`<${PriceEditor} />`;
    case 'users': return html`<${Users} />`;
    case 'releases': return html`<${Releases} />`;
    case 'releaseNew': return html`<${ReleaseEditor} />`;
    case 'release': return html`<${ReleaseEditor} releaseId=${route.id} />`;
    case 'releaseProof': return html`<${ReleaseProof} releaseId=${route.id} />`;
    case 'inbox': return html`<${Inbox} />`;
    case 'inboxRelease': return html`<${InboxRelease} releaseId=${route.id} />`;
    case 'profile': return html`<${Profile} />`;
    case 'notices': return html`<${Notices} />`;
    case 'budget': return html`<${BudgetLines} />`;
    case 'budgetLine': return html`<${BudgetLineDetail} lineId=${route.id} />`;
    case 'agreements': return html`<${Agreements} />`;
    case 'agreement': return html`<${AgreementDetail} agreementId=${route.id} />`;
    case 'orders': return html`<${Orders} />`;
    case 'orderNew': return html`<${OrderNew} />`;
    case 'order': return html`<${OrderDetail} orderId=${route.id} />`;
    case 'offers': return html`<${Offers} />`;
    case 'invoices': return html`<${Invoices} />`;
    case 'invoiceNew': return html`<${InvoiceNew} />`;
    case 'invoice': return html`<${InvoiceDetail} invoiceId=${route.id} />`;
    case 'taxes': return html`<${Taxes} />`;
    case 'payments': return html`<${Payments} />`;
    case 'years': return html`<${Years} />`;
    case 'requirements': return html`<${RequirementSets} />`;
    case 'audit': return html`<${AuditTrail} />`;
    default: return null;
  }
}

function App() {
  const [loc, setLoc] = useState(() => { const l = initialLocale(); setLocale(l); return l; });
  const [route, setRoute] = useState(parseHash(globalThis.location.hash));
  const [user, setUser] = useState(undefined); // undefined = not known yet, null = signed out
  const [year, setYearState] = useState(initialYear);

  const refreshMe = async () => {
    try { const r = await auth.me(); setUser(r.user); return r.user; } catch { setUser(null); return null; }
  };
  useEffect(() => {
    const onHash = () => setRoute(parseHash(globalThis.location.hash));
    globalThis.addEventListener('hashchange', onHash);
    const off = onUnauthenticated(() => setUser(null));
    refreshMe();
    return () => { globalThis.removeEventListener('hashchange', onHash); off(); };
  }, []);
  // Move focus to the new page's heading, for keyboard and screen-reader
  // users. Not on a language switch: focus stays on the language select.
  // Not when the session check settles which page a load shows either: a key
  // pressed before that (Tab to the skip link) must not lose its focus.
  const settled = useRef(false);
  useEffect(() => {
    const h = document.querySelector('main h1');
    if (h) h.setAttribute('tabindex', '-1');
    if (user === undefined) return;
    if (h && interacted && settled.current) h.focus({ preventScroll: false });
    settled.current = true;
  }, [route.path, user && user.id]);
  useEffect(() => {
    const h = document.querySelector('main h1');
    document.title = `${h ? h.textContent + ' · ' : ''}SEKLIK`;
  }, [route.path, user && user.id, loc]);

  const setYear = (y) => { setYearState(y); try { localStorage.setItem('seklik.year', String(y)); } catch { /* ignore */ } };
  const switchLocale = (l) => { setLocale(l); setLoc(l); };
  // What was typed and whose names were seen stay with the person, not the computer.
  const logout = async () => {
    try { await auth.logout(); } catch { /* gone already */ }
    forgetAllDrafts(); forgetNames(); setUser(null); navigate('/login');
  };

  const ctx = { user, year, setYear, refreshMe, locale: loc, setUser };
  const current = (name, path) => (route.name === name || (route.path.startsWith(path + '/') && path !== '/') ? 'page' : undefined);
  const groups = [['partnership', 'nav.partnership', PARTNERSHIP], ['money', 'nav.money', MONEY],
    ['settings', 'nav.settings', SETTINGS]]
    .map(([id, key, items]) => [id, key, user ? items.filter(([name]) => allowed(name, user.roles)) : []]);
  const publicRoute = route.name === 'login' || route.name === 'signup';
  let body;
  if (route.name === 'forgot') body = html`<${ForgotPassword} />`;
  // A new link (another token) is a new form.
  else if (route.name === 'reset') body = html`<${ResetPassword} key=${globalThis.location.hash} />`;
  else if (user === undefined) body = html`<${Loading} />`;
  else if (!user) body = route.name === 'signup' ? html`<${Signup} />` : html`<${Login} />`;
  else if (publicRoute) { navigate(isPartner(user) ? '/my' : '/'); body = null; }
  else body = html`<${Page} route=${route} user=${user} />`;

  const years = [];
  for (let y = yearWIB() - 2; y <= yearWIB() + 2; y++) years.push(y);
  if (!years.includes(year)) years.push(year);

  return html`<${AppContext.Provider} value=${ctx}>
    <a class="skip" href="#main" onClick=${(e) => { e.preventDefault(); document.getElementById('main').focus(); }}>${t('nav.skip')}</a>
    <header class="topbar">
      <div class="brand"><span class="logo" aria-hidden="true">S</span>
        <span><strong>SEKLIK</strong><span class="brand-sub">${t('app.subtitle')}</span></span></div>
      <div class="top-controls">
        <label class="inline" for="locale-switch">${t('nav.language')}</label>
        <select id="locale-switch" value=${loc} onChange=${(e) => switchLocale(e.currentTarget.value)} data-testid="locale-switch">
          <option value="id">Bahasa Indonesia</option><option value="en">English</option></select>
        ${user ? html`
          <label class="inline" for="fiscal-year">${t('nav.year')}</label>
          <select id="fiscal-year" value=${year} onChange=${(e) => setYear(Number(e.currentTarget.value))} data-testid="fiscal-year">
            ${years.sort().map((y) => html`<option value=${y}>${y}</option>`)}</select>
          <a class="who" href="#/profile" title=${t('nav.profile')} aria-label=${`${t('nav.profile')}: ${user.displayName || user.username}`}
            aria-current=${route.name === 'profile' ? 'page' : undefined} data-testid="current-user">${user.displayName || user.username}</a>
          <button type="button" class="btn small" onClick=${logout} data-testid="logout">${t('nav.logout')}</button>` : null}
      </div>
    </header>
    ${user && !PUBLIC_ROUTES.includes(route.name) ? html`<nav class="mainnav" aria-label=${t('nav.label')}><ul>
      ${NAV.filter(([name]) => allowed(name, user.roles) && !(name === 'dashboard' && isPartner(user))).map(([name, path, key]) => html`
        <li><a href=${'#' + path} aria-current=${current(name, path)}
          data-testid=${`nav-${name}`}>${t(key)}${name === 'inbox' ? html`<${UnreadBadge} refresh=${route.path} />` : null}${name === 'notices' ? html`<${NoticeBadge} refresh=${route.path} />` : null}</a></li>`)}
      ${groups.filter(([, , items]) => items.length).map(([id, label, items]) => html`<li><details class="navmore" key=${id + route.path}>
        <summary class=${items.some(([name, path]) => current(name, path)) ? 'current' : ''} data-testid=${`nav-${id}`}>${t(label)}</summary>
        <ul>${items.map(([name, path, key]) => html`<li><a href=${'#' + path} aria-current=${current(name, path)} data-testid=${`nav-${name}`}
          onClick=${(e) => { const d = e.currentTarget.closest('details'); if (d) d.open = false; }}>${t(key)}</a></li>`)}</ul></details></li>`)}
    </ul></nav>` : null}
    <main id="main" tabindex="-1">${body}</main>
    <footer class="foot"><p>${t('app.footer')}</p></footer>
  <//>`;
}

render(html`<${App} />`, document.getElementById('app'));
