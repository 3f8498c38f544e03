// Shared by the end-to-end tests (golden_path.mjs, accessibility.mjs): the
// environment with_stack.sh and browser.sh hand over, an HTTP API session
// like the browser's (cookie, CSRF header, idempotency key), Debian's
// Chromium with the flags that work in containers, and small helpers.
import { chromium } from 'playwright-core';
import { mkdirSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { languageOffences } from './language.mjs';

export { ENGLISH_WORDS, languageOffences } from './language.mjs';

export const BASE = (process.env.SEKLIK_GATEWAY_URL || '').replace(/\/$/, '');
export const CHROMIUM = process.env.SEKLIK_CHROMIUM || '/usr/bin/chromium';
export const DEMO_PASSWORD = process.env.SEKLIK_DEMO_PASSWORD || 'Demo-Seklik-2026';
// The year's required documents (a PT also needs its SK Kemenkumham).
export const DOCS = ['DOCUMENT_TYPE_AKTA', 'DOCUMENT_TYPE_SK_KEMENKUMHAM', 'DOCUMENT_TYPE_NIB',
  'DOCUMENT_TYPE_NPWP', 'DOCUMENT_TYPE_DOMISILI'];

// The fiscal year being prepared, as the UI picks it: DOMAIN.md's 2027 until
// the calendar passes it, then the current year until October and the next
// from then on (registration for a year closes within it).
export function fiscalYear(now = new Date()) {
  const wib = new Date(now.getTime() + 7 * 3600 * 1000);
  const y = wib.getUTCFullYear() + (wib.getUTCMonth() >= 9 ? 1 : 0);
  return Math.max(2027, y);
}

// The admin opens `year` (registration open from the year before through
// its end, no CV), publishes the online outlets' requirements (DOCS) and the
// rule set and price standard scoring drafted from the event.
export async function openYear(admin, year) {
  await admin('verification.OpenYear', {
    fiscalYear: year, registrationOpensOn: `${year - 1}-01-01`, registrationClosesOn: `${year}-12-31`,
  });
  await admin('verification.PublishRequirementSet', {
    fiscalYear: year, outletType: 'OUTLET_TYPE_SIBER', requirements: DOCS.map((type) => ({ type, required: true })),
  });
  for (const what of ['RuleSet', 'PriceStandard']) {
    const published = await admin(`scoring.Get${what}`, { fiscalYear: year, version: 0 }).then(() => true, () => false);
    if (published) continue;
    await waitFor(admin, `scoring.Get${what}`, { fiscalYear: year, version: -1 }, (d) => d.state === 'SET_STATE_DRAFT',
      `the ${year} ${what} draft`);
    await admin(`scoring.Publish${what}`, { fiscalYear: year });
  }
  // The registry applies the window from the same event: Submit waits for it.
  await waitFor(admin, 'registry.GetYear', { fiscalYear: year }, (y) => y.registrationClosesOn === `${year}-12-31`,
    `the registry's ${year}`);
}
export const STEP_TIMEOUT_MS = 20000;

// The artifacts directory (created), or exit 2 when the gateway is unknown.
export function setUp(name, defaultArtifacts) {
  if (!BASE) {
    console.error(`${name}: SEKLIK_GATEWAY_URL is not set (run it through tests/support/with_stack.sh)`);
    process.exit(2);
  }
  const artifacts = process.env.SEKLIK_ARTIFACTS || defaultArtifacts;
  mkdirSync(artifacts, { recursive: true });
  return artifacts;
}

// ---- the HTTP API, as the UI uses it ------------------------------------------------
// apiSession('admin', pw) logs in; apiSession(username, pw, { signup: 'Display name' })
// signs a partner up first. The result calls 'service.Method' with a JSON
// body and answers the decoded JSON (throws on any status but 200); .user is
// the signed-in user and .me() fetches the session again (after
// RegisterCompany binds the company to a partner's account).
export async function apiSession(username, password, { signup } = {}) {
  let cookie = '';
  let csrf = '';
  const keep = (r) => {
    const c = (r.headers.get('set-cookie') || '').split(';')[0];
    if (c) cookie = c;
  };
  const path = signup ? 'signup' : 'login';
  const r = await fetch(`${BASE}/api/v1/auth/${path}`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(signup ? { username, password, displayName: signup } : { username, password }),
  });
  if (r.status !== 200) throw new Error(`${path} ${username}: HTTP ${r.status} ${await r.text()}`);
  keep(r);
  const first = await r.json();
  csrf = first.csrfToken;
  const call = async (method, body) => {
    const res = await fetch(`${BASE}/api/v1/${method}`, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json', Cookie: cookie, 'X-CSRF-Token': csrf,
        'Idempotency-Key': randomUUID(),
      },
      body: JSON.stringify(body),
    });
    keep(res);
    const text = await res.text();
    if (res.status !== 200) throw new Error(`${method}: HTTP ${res.status} ${text}`);
    return JSON.parse(text);
  };
  call.user = first.user;
  call.me = async () => {
    const res = await fetch(`${BASE}/api/v1/auth/me`, { headers: { Cookie: cookie } });
    if (res.status !== 200) throw new Error(`auth/me: HTTP ${res.status} ${await res.text()}`);
    keep(res);
    const doc = await res.json();
    csrf = doc.csrfToken || csrf;
    call.user = doc.user;
    return doc;
  };
  return call;
}

// Repeat call(method, body) until until(answer) holds: events travel
// between services asynchronously.
export async function waitFor(call, method, body, until, what, timeoutMs = STEP_TIMEOUT_MS) {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    try {
      const out = await call(method, body);
      if (until(out)) return out;
      last = JSON.stringify(out).slice(0, 300);
    } catch (e) {
      last = String(e.message || e);
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last answer: ${last}`);
    await new Promise((res) => setTimeout(res, 250));
  }
}

// ---- the browser --------------------------------------------------------------------
export function launchChromium() {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

// Send a page's console, uncaught errors and failed requests to `lines`.
export function recordConsole(page, label, lines) {
  page.on('console', (m) => lines.push(`[${label}] ${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => lines.push(`[${label}] pageerror: ${e.message}`));
  page.on('response', (r) => {
    if (r.status() >= 400) lines.push(`[${label}] HTTP ${r.status()} ${r.request().method()} ${r.url()}`);
  });
}

export const tid = (page, id) => page.getByTestId(id);

export function check(cond, message) {
  if (!cond) throw new Error(message);
}

// Click the navigation link `testid` and wait until the hash route is `hash`.
// On a loaded 2-core machine a click was seen once to land before the link
// was ready; the retry is written to `lines` so a pattern would show.
// A link under the menu's settings entry is shown by opening that first.
export async function followNav(page, testid, hash, lines) {
  for (let attempt = 1; ; attempt++) {
    // A page inside a menu entry that opens (Keuangan, Pengaturan): open it first.
    const group = page.locator('details.navmore', { has: tid(page, testid) });
    if (!(await tid(page, testid).isVisible()) && await group.count()) await group.locator('summary').click();
    await tid(page, testid).click();
    try {
      await page.waitForFunction((h) => location.hash.split('?')[0] === h, hash, { timeout: 5000 });
      return;
    } catch (e) {
      if (attempt >= 2) throw new Error(`${testid} did not lead to ${hash} (still at ${page.url()})`);
      lines.push(`[followNav] ${testid}: still at ${page.url()} after a click; clicking again`);
    }
  }
}

export async function login(page, username, password) {
  await page.goto(`${BASE}/#/login`);
  await tid(page, 'login-username').fill(username);
  await tid(page, 'login-password').fill(password);
  await tid(page, 'login-submit').click();
  await tid(page, 'current-user').waitFor();
}

// A one-page PDF that says `label`, so the viewer has something to show.
export function pdf(label) {
  const text = `BT /F1 28 Tf 72 760 Td (${label.replace(/[()\\]/g, '')}) Tj ET`;
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    `<< /Length ${text.length} >>\nstream\n${text}\nendstream`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ];
  let out = '%PDF-1.4\n';
  const offsets = objects.map((body, i) => {
    const at = out.length;
    out += `${i + 1} 0 obj\n${body}\nendobj\n`;
    return at;
  });
  const xref = out.length;
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const at of offsets) out += `${String(at).padStart(10, '0')} 00000 n \n`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}

// ---- words, not codes ---------------------------------------------------------------
// Whatever a person reads on `page` (its text, the names screen readers
// announce, placeholders, titles, the chosen options and the document
// title), minus raw records shown on purpose (inside [data-raw], the audit
// viewer's before and after).
export async function visibleTexts(page) {
  return page.evaluate(() => {
    const out = [];
    const shown = (el) => !el.closest('[data-raw]') && !el.closest('[hidden]') && el.getClientRects().length > 0;
    const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walk.nextNode(); n; n = walk.nextNode()) {
      const el = n.parentElement;
      if (!el || ['SCRIPT', 'STYLE', 'NOSCRIPT'].includes(el.tagName) || el.closest('[data-raw]')) continue;
      if (el.tagName !== 'OPTION' && !shown(el) && !el.closest('.sr-only')) continue;
      const s = n.textContent.replace(/\s+/g, ' ').trim();
      if (s) out.push({ text: s, where: describe(el) });
    }
    for (const el of document.querySelectorAll('[aria-label], [placeholder], [title], [alt], [aria-description]')) {
      if (el.closest('[data-raw]')) continue;
      for (const a of ['aria-label', 'placeholder', 'title', 'alt', 'aria-description']) {
        const s = (el.getAttribute(a) || '').trim();
        if (s) out.push({ text: s, where: `${describe(el)}@${a}` });
      }
    }
    if (document.title) out.push({ text: document.title, where: 'document.title' });
    return out;
    function describe(el) {
      const t = el.closest('[data-testid]');
      return `${el.tagName.toLowerCase()}${t ? `[data-testid=${t.getAttribute('data-testid')}]` : ''}`;
    }
  });
}

// Fails naming every offending text on `page` in `locale` ("id" or "en"):
// see languageOffences. `where` names the screen in the message.
export async function assertLanguageClean(page, locale, where) {
  const bad = [];
  for (const { text, where: el } of await visibleTexts(page)) {
    const off = languageOffences(text, locale);
    if (off.length) bad.push(`${off.join(', ')} in ${el}: "${text.slice(0, 160)}"`);
  }
  const unique = [...new Set(bad)];
  if (unique.length) {
    throw new Error(`[${where}] ${locale === 'id' ? 'Indonesian' : 'English'} page shows what a person should not read:\n  `
      + unique.slice(0, 25).join('\n  ') + (unique.length > 25 ? `\n  … ${unique.length - 25} more` : ''));
  }
}

// After an empty form was sent: the fields marked required (a "*" beside
// the label or legend) and left empty are exactly those the server named,
// all at once. Fails naming the empty fields marked but not refused (the
// marker promises too much) and those refused but not marked (it promises
// too little). A field with a value (a preselected choice) may be marked.
export async function assertRequiredMatchesRefused(form, where) {
  const { marked, refused } = await form.evaluate((root) => {
    const out = { marked: [], refused: [] };
    for (const el of root.querySelectorAll('.field, fieldset.roles')) {
      const label = el.querySelector(':scope > label, :scope > legend');
      const name = (label ? label.textContent : '').replace(/\*/g, '').trim();
      const inputs = [...el.querySelectorAll('input, select, textarea')];
      const empty = inputs.every((i) => (i.type === 'checkbox' || i.type === 'radio' ? !i.checked : !i.value));
      if (empty && el.querySelector(':scope > label .req, :scope > legend .req')) out.marked.push(name);
      if (el.classList.contains('has-error') || el.querySelector('[aria-invalid="true"]')) out.refused.push(name);
    }
    return out;
  });
  const notRefused = marked.filter((n) => !refused.includes(n));
  const notMarked = refused.filter((n) => !marked.includes(n));
  if (notRefused.length || notMarked.length) {
    throw new Error(`[${where}] required markers do not match the server: marked but not refused: ${notRefused.join(', ') || '-'}; `
      + `refused but not marked: ${notMarked.join(', ') || '-'}`);
  }
  if (!refused.length) throw new Error(`[${where}] the empty form was refused without naming a field`);
}
