// Accessibility basics of the web UI in a real browser, against the whole
// stack started by tests/support/with_stack.sh ("keyboard and screen-reader
// friendly basics (labels, focus, contrast); usable on a laptop screen and a
// phone"):
//
//   1. every main screen (and the error states of sign-up, login and the
//      wizard), at a laptop viewport (1366x768) and a phone one (390x844,
//      touch): axe-core's WCAG 2 A/AA rules find nothing of serious or
//      critical impact; on the phone nothing scrolls sideways; a screenshot
//      of each screen per viewport; opening a user for editing moves focus
//      into the panel; on every screen, words only (lib.mjs
//      assertLanguageClean): the laptop pass reads Bahasa Indonesia and
//      may show no English word, the phone pass reads English, and
//      neither a raw code, catalogue key, field path or enum name; after
//      sending an empty form (wizard, users, budget) every field marked
//      required is named by the server at once, and only those;
//   2. keyboard: from the top of the login page Tab reaches the skip link
//      (which moves focus to the content), then user name, password and the
//      submit button, each with a visible focus ring; Enter in the password
//      field logs in; after logging in and after following a menu link with
//      Enter, focus is on the page's h1;
//   3. locale: English changes the visible texts (menu, h1, title) and
//      <html lang>, also after a reload; focus stays on the language select;
//      Bahasa Indonesia brings both back.
//
// A little data goes in through the HTTP API first, so that lists, the case
// review and the score breakdown are not empty: the year's requirement set,
// one company verified and scored (proposed by the verifier, approved by the
// head, with an agreement, an order offered and one issued), one submitted
// (its case in review), one whose verification waits for its second person,
// one registered as a draft with one document, a partner without a company,
// an invoice of A's accepted at its SPP with the year's tax table published,
// two press releases (one sent to the verified company's inbox, one draft),
// and a budget line with money committed, spent and its pagu revised. E's
// waiting decision is the head's notice; the forgot-password and reset pages
// need no data.
// Every finding is printed (rule, help, target selectors) and written to
// axe-report.json in $SEKLIK_ARTIFACTS; the test fails at the end on
// serious/critical findings, sideways scrolling or a failed keyboard/locale
// check.
import axe from 'axe-core';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import {
  BASE, DEMO_PASSWORD, DOCS, STEP_TIMEOUT_MS, setUp, apiSession, waitFor, launchChromium, recordConsole, tid, check,
  login, pdf, fiscalYear, openYear, assertLanguageClean, assertRequiredMatchesRefused,
} from './lib.mjs';
import { LOCALES } from '../../web/src/i18n/index.js';

const { id, en } = LOCALES; // the catalogues as the UI merges them

const ARTIFACTS = setUp('accessibility', 'test-artifacts/e2e-accessibility');
const YEAR = fiscalYear();
const PARTNER_PASSWORD = 'Rahasia-Mitra-2026';
const FAILING_IMPACTS = ['serious', 'critical'];

// The laptop reads the UI in Bahasa Indonesia, the phone in English: every
// screen is checked for words in the wrong language and raw codes in both.
const VIEWPORTS = {
  laptop: { viewport: { width: 1366, height: 768 } },
  phone: { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 },
};
const LANG = { laptop: 'id', phone: 'en' };

const problems = [];      // what fails the test
const findings = [];      // every axe violation, for axe-report.json
const reviews = [];       // what axe left for a person to check, for axe-report.json
const consoleLines = [];
const pages = [];
let shot = 0;

// ---- data through the API -----------------------------------------------------------
const digits = (n) => Array.from({ length: n }, () => Math.floor(Math.random() * 10)).join('');

function companyInput(name) {
  return {
    legalName: name, legalForm: 'LEGAL_FORM_PT', deedNumber: '12', deedDate: '2015-03-02',
    skKemenkumham: 'AHU-0012345.AH.01.01.TAHUN 2015', nib: digits(13), kbli: ['63122'], npwp: digits(15),
    address: 'Jl. Letnan Mukhtar Saleh No. 1, Kayuagung', domicileLetterNumber: '470/12/KYG/2026',
    bankAccount: { bankName: 'Bank Sumsel Babel', accountNumber: '1234567890', holderName: name },
    contacts: [{ name: 'Sari', phone: '081234567890', email: 'redaksi@contoh.example.id' }],
    establishedOn: '2015-03-02', dewanPersStatus: 'DEWAN_PERS_ADMINISTRATIF',
  };
}

// A partner signs up and registers a company with one online outlet and two
// people; the gateway binds the company to the account.
async function partnerWithCompany(label, name) {
  const username = `${label}${randomUUID().slice(0, 8)}`;
  const partner = await apiSession(username, PARTNER_PASSWORD, { signup: `Redaksi ${name}` });
  const company = await partner('registry.RegisterCompany', {
    company: companyInput(name),
    outlets: [{ type: 'OUTLET_TYPE_SIBER', scale: 'OUTLET_SCALE_REGIONAL', name, url: 'https://berita.example.id', monthlyVisitors: '250000' }],
    people: [
      { role: 'PERSON_ROLE_CHIEF_EDITOR', nik: `16020101018${digits(5)}`, name: 'Hendra Pemimpin Redaksi',
        ukwLevel: 'UKW_LEVEL_UTAMA', ukwCertificateNumber: 'UKW-001', ukwCertificateExpiry: '2029-01-01' },
      { role: 'PERSON_ROLE_JOURNALIST', nik: `16020101019${digits(5)}`, name: 'Dewi Wartawan',
        ukwLevel: 'UKW_LEVEL_MUDA', ukwCertificateNumber: 'UKW-002', ukwCertificateExpiry: '2028-06-30' },
    ],
  });
  await partner.me();
  return { username, partner, company };
}

const upload = (partner, companyId, type, personId = '') => partner('registry.UploadDocument', {
  companyId,
  document: { type, number: `${type.slice(14)}-001`, issuedOn: '2024-01-15', fileName: `${type.slice(14).toLowerCase()}.pdf`,
    content: pdf(type).toString('base64'), personId },
});

async function submitted(label, name, verifier) {
  const p = await partnerWithCompany(label, name);
  // Points only for what accepted documents prove: the Dewan Pers certificate
  // (the declared administratif, 15), both UKW certificates (Utama 15, one of
  // one journalist 15) and the deed (10) give A, with its reach (15) and no
  // history (5), 75 points: tier B, whose online advertorial ceiling of
  // Rp 1.000.000 its orders below need.
  for (const type of [...DOCS, 'DOCUMENT_TYPE_DEWAN_PERS']) await upload(p.partner, p.company.id, type);
  const { people } = await p.partner('registry.GetCompany', { companyId: p.company.id });
  for (const person of people || []) await upload(p.partner, p.company.id, 'DOCUMENT_TYPE_UKW', person.id);
  await p.partner('registry.Submit', { companyId: p.company.id, fiscalYear: YEAR });
  p.case = await waitFor(verifier, 'verification.GetCase', { companyId: p.company.id },
    (c) => c.state === 'CASE_STATE_IN_REVIEW', `the case of ${name} in review`);
  return p;
}

// Every document accepted, the visit recorded, "verified" proposed: the
// case waits for its second person. Returns the case.
async function proposeVerified(p, verifier) {
  for (const doc of p.case.documents || []) {
    await verifier('verification.DecideDocument', { caseId: p.case.id, documentId: doc.documentId, decision: 'DECISION_ACCEPTED' });
  }
  await waitFor(verifier, 'verification.GetCase', { companyId: p.company.id }, (c) => c.state === 'CASE_STATE_VISIT_PENDING', 'the visit pending');
  const wib = new Date(Date.now() + 7 * 3600 * 1000).toISOString().slice(0, 10);
  await verifier('verification.RecordVisit', { caseId: p.case.id, visit: {
    visitedOn: wib, verifierId: verifier.user.id, latitude: -3.3915, longitude: 104.8286, findings: 'Kantor redaksi aktif' } });
  return verifier('verification.Decide', { caseId: p.case.id, outcome: 'OUTCOME_VERIFIED' });
}

async function setUpData() {
  const admin = await apiSession('admin', DEMO_PASSWORD);
  const verifier = await apiSession('verifikator', DEMO_PASSWORD);
  const head = await apiSession('pimpinan', DEMO_PASSWORD);
  await openYear(admin, YEAR);
  // A: verified and scored (outlet list, dashboard chart, score breakdown);
  // four-eyes: the verifier proposes, the head approves.
  const a = await submitted('warta', 'PT Warta Ogan Ilir', verifier);
  const proposed = await proposeVerified(a, verifier);
  await head('verification.ApproveDecision', { caseId: a.case.id, proposalId: proposed.pendingProposal.id });
  const full = await a.partner('registry.GetCompany', { companyId: a.company.id });
  a.outletId = full.outlets[0].id;
  await waitFor(a.partner, 'scoring.GetScore', { outletId: a.outletId, fiscalYear: YEAR },
    (s) => s.tier === 'TIER_B', 'the outlet of A scored into tier B');
  // A's agreement and orders (agreements, orders, the offers inbox, an
  // issued order waiting for its proof).
  const staff = await apiSession('kemitraan', DEMO_PASSWORD);
  const line = await admin('accounting.CreateBudgetLine', {
    line: { fiscalYear: YEAR, subActivityCode: '2.16.02.1.01.0001', accountCode: '5.1.02.02.01.0029',
      name: 'Belanja Jasa Iklan/Reklame, Film, dan Pemotretan' },
    pagu: '1900000000', documentNumber: 'DPA/2.16/001/2027',
  });
  await waitFor(staff, 'ordering.ListProducts', { fiscalYear: YEAR, companyId: a.company.id },
    (r) => (r.products || []).length > 0, 'ordering to know the outlet of A');
  const agreement = await staff('ordering.SaveAgreement', { agreement: {
    companyId: a.company.id, fiscalYear: YEAR, number: '027/PKS/DISKOMINFO/2027', value: '24000000',
    quotas: [{ product: 'PRODUCT_ONLINE_ADVERTORIAL', placements: 24 }], validFrom: '2027-01-01', validUntil: '2027-12-31',
    budgetLineId: line.id } });
  await staff('ordering.SignAgreement', { agreementId: agreement.id, signedOn: '2027-01-04', fileName: 'pks.pdf',
    content: pdf('PKS').toString('base64') });
  a.agreementId = agreement.id;
  const order = (title, price) => staff('ordering.CreateOrder', { order: {
    agreementId: agreement.id, outletId: a.outletId, product: 'PRODUCT_ONLINE_ADVERTORIAL', quantity: 1,
    scheduleFrom: '2027-03-01', scheduleTo: '2027-03-31', title, brief: 'Advertorial layanan publik.' },
  unitPrice: price, offerNow: true });
  await order('Advertorial Hari Jadi Kabupaten', '900000');
  const issued = await order('Advertorial Program Desa Digital', '1000000');
  await a.partner('ordering.AcceptOffer', { orderId: issued.id });
  await staff('ordering.IssueOrder', { orderId: issued.id });
  a.issuedOrderId = issued.id;
  a.invoiceId = await invoiceOfA(a, staff, order);
  // B: submitted, its case in review (the queue and the case review).
  const b = await submitted('kabar', 'PT Kabar Kayuagung', verifier);
  // E: verification proposed, waiting for the head's approval.
  const e = await submitted('sebiduk', 'PT Suara Sebiduk', verifier);
  await proposeVerified(e, verifier);
  // ... which is a notice for the head (the notices screen lists it).
  await waitFor(head, 'distribution.ListNotices', {}, (r) => (r.notices || []).some((n) => n.companyName === 'PT Suara Sebiduk'),
    'the head\'s notice of E\'s waiting decision');
  // D: registered as a draft with one document (the wizard's later steps).
  const d = await partnerWithCompany('suara', 'PT Suara Bumi Sebiduk Sehaluan');
  await upload(d.partner, d.company.id, 'DOCUMENT_TYPE_AKTA');
  // C: signed up, no company yet (the wizard's first steps).
  const cName = `baru${randomUUID().slice(0, 8)}`;
  await apiSession(cName, PARTNER_PASSWORD, { signup: 'Redaksi Media Baru' });
  return { a, b, c: { username: cName }, d, e, press: await pressReleases(a), line: await budgetLine(admin) };
}

// A's invoice (the invoice, tax and payment screens): an order completed,
// invoiced with its kuitansi and proof of purchase, the year's tax table
// published, the invoice accepted and its SPP recorded.
async function invoiceOfA(a, staff, order) {
  const done = await order('Advertorial Pekan Olahraga', '1000000');
  await a.partner('ordering.AcceptOffer', { orderId: done.id });
  await staff('ordering.IssueOrder', { orderId: done.id });
  await a.partner('ordering.SubmitProof', { orderId: done.id, kind: 'PROOF_KIND_URL', url: 'https://berita.example.id/olahraga',
    publishedAt: new Date(Date.now() - 86400000).toISOString() });
  await staff('ordering.DecideProof', { orderId: done.id, proofVersion: 1, accept: true });
  const finance = await apiSession('keuangan', DEMO_PASSWORD);
  const table = await finance('accounting.GetTaxTable', { fiscalYear: YEAR });
  const draft = await finance('accounting.SaveTaxTable', { table: table.data });
  await finance('accounting.PublishTaxTable', { fiscalYear: YEAR, version: draft.version });
  const today = new Date(Date.now() + 7 * 3600 * 1000).toISOString().slice(0, 10);
  const kuitansi = { kind: 'DOCUMENT_KIND_KUITANSI', fileName: 'kuitansi.pdf', content: pdf('Kuitansi').toString('base64') };
  const nota = { ...kuitansi, kind: 'DOCUMENT_KIND_PROOF_OF_PURCHASE', fileName: 'nota.pdf' };
  // Accounting learns the accepted proof from ordering's events: try until it has.
  let invoice;
  for (let i = 0; !invoice; i++) {
    try {
      invoice = await a.partner('accounting.SubmitInvoice', { invoice: { orderIds: [done.id], number: 'INV/WOI/001/2027', date: today,
        signatoryName: 'Hendra Pemimpin Redaksi', bankBranch: 'Kayuagung' }, documents: [kuitansi, nota] });
    } catch (e) {
      if (i > 80) throw e;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  await finance('accounting.AcceptInvoice', { invoiceId: invoice.id, purpose: 'Pembayaran jasa advertorial Pekan Olahraga',
    expectedVersion: invoice.version });
  await finance('accounting.RecordPaymentStep', { invoiceId: invoice.id, step: 'PAYMENT_STEP_SPP', number: '00077/SPP-LS/2027', date: today });
  return invoice.id;
}

// Press releases: one sent to every verified partner (A's inbox, the proof),
// one left as a draft (the editor).
async function pressReleases(a) {
  const humas = await apiSession('humas', DEMO_PASSWORD);
  const content = {
    title: 'Bupati Resmikan Jembatan Desa', lead: 'Jembatan gantung sepanjang 40 meter menghubungkan dua desa.',
    bodyMarkdown: 'Bupati meresmikan **jembatan gantung** pada Senin pagi.\n\n- panjang 40 meter\n- lebar 1,5 meter\n',
    category: 'CATEGORY_INFRASTRUCTURE', contact: { name: 'Sari Humas', role: 'Kepala Bidang', phone: '0812-3456-7890' },
    agenda: { title: 'Peresmian jembatan', startsAt: '2027-01-11T02:00:00Z', place: 'Desa Sukamaju' },
  };
  // A's standing reaches distribution by events: wait until A is a recipient.
  await waitFor(humas, 'distribution.PreviewRecipients', { recipients: { mode: 'RECIPIENT_MODE_ALL_VERIFIED' } },
    (p) => (p.items || []).some((i) => i.companyId === a.company.id), 'A among the verified partners of distribution');
  const sent = await humas('distribution.CreateRelease', { content, recipients: { mode: 'RECIPIENT_MODE_ALL_VERIFIED' } });
  await humas('distribution.AddFile', { releaseId: sent.id, kind: 'FILE_KIND_ATTACHMENT', fileName: 'undangan.pdf',
    caption: 'Undangan', content: pdf('undangan').toString('base64') });
  await humas('distribution.Schedule', { releaseId: sent.id });
  await waitFor(humas, 'distribution.GetRelease', { releaseId: sent.id }, (r) => r.state === 'RELEASE_STATE_SENT', 'the release sent');
  const draft = await humas('distribution.CreateRelease', { content: { ...content, title: 'Draf: Jadwal Posyandu Keliling' },
    recipients: { mode: 'RECIPIENT_MODE_FILTER', tiers: ['TIER_A', 'TIER_B'], fiscalYear: YEAR } });
  return { sent: sent.id, draft: draft.id };
}

// A budget line with money committed, some spent and its pagu revised (the budget screens).
async function budgetLine(admin) {
  const line = await admin('accounting.CreateBudgetLine', {
    line: { fiscalYear: YEAR, subActivityCode: `2.16.02.1.02.${digits(4)}`, accountCode: '5.1.02.02.01.0029',
      name: 'Belanja Jasa Iklan/Reklame, Film, dan Pemotretan' },
    pagu: '1900000000', documentNumber: 'DPA/A.1/2.16.0.00.0.00.01.0000/001/2027' });
  await admin('accounting.Reserve', { orderId: randomUUID(), budgetLineId: line.id, amount: '1000000',
    orderNumber: 'MO/0001/DISKOMINFO/2027' });
  const spent = randomUUID();
  await admin('accounting.Reserve', { orderId: spent, budgetLineId: line.id, amount: '250000000' });
  await admin('accounting.PostReservation', { orderId: spent });
  await admin('accounting.ReviseBudgetLine', { budgetLineId: line.id, kind: 'REVISION_KIND_PERUBAHAN',
    newPagu: '2000000000', reason: 'Perubahan APBD 2027', documentNumber: 'DPPA/001/2027', expectedVersion: '1' });
  return line;
}

// ---- the browser side ---------------------------------------------------------------
async function newContext(browser, vpName, label) {
  const context = await browser.newContext({
    ...VIEWPORTS[vpName], locale: 'id-ID', timezoneId: 'Asia/Jakarta',
    bypassCSP: true, // axe-core goes in as an inline script
  });
  // The data is the next fiscal year's; a person would pick it in the header once.
  await context.addInitScript(([y, lang]) => {
    try {
      if (!localStorage.getItem('seklik.year')) localStorage.setItem('seklik.year', String(y));
      if (!localStorage.getItem('seklik.locale')) localStorage.setItem('seklik.locale', lang);
    } catch { /* a frame without storage (the document viewer) */ }
  }, [YEAR, label === 'keyboard' || label === 'locale' ? 'id' : LANG[vpName]]);
  const page = await context.newPage();
  page.setDefaultTimeout(STEP_TIMEOUT_MS);
  recordConsole(page, `${vpName}/${label}`, consoleLines);
  pages.push([`${vpName}-${label}`, page]);
  return page;
}

async function settle(page) {
  await page.waitForFunction(() => !document.querySelector('[data-testid="loading"]'));
  await page.waitForTimeout(150);
}

async function snap(page, vpName, name) {
  shot += 1;
  await page.screenshot({ path: join(ARTIFACTS, `${String(shot).padStart(2, '0')}-${vpName}-${name}.png`), fullPage: true });
}

// axe-core's WCAG 2 A and AA rules on the page as it is now.
async function runAxe(page) {
  if (!(await page.evaluate(() => typeof globalThis.axe === 'object'))) {
    await page.addScriptTag({ content: axe.source });
  }
  // iframes: false - the only frame is the document viewer's PDF, not our markup.
  return page.evaluate(async () => {
    const r = await globalThis.axe.run(document, { runOnly: ['wcag2a', 'wcag2aa'], resultTypes: ['violations', 'incomplete'], iframes: false });
    return {
      violations: r.violations.map((v) => ({
        id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
        nodes: v.nodes.map((n) => ({ target: n.target.join(' '), summary: n.failureSummary })),
      })),
      // What axe could not decide (e.g. contrast over an image): not failures, for the report.
      incomplete: r.incomplete.map((v) => `${v.id} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`),
    };
  });
}

// Whether the page scrolls sideways on a screen `width` CSS pixels wide, and
// which elements stick out (outermost first, not those a scroll container
// clips). innerWidth alone does not tell: a phone browser widens its layout
// viewport to the content, so innerWidth grows with the overflow.
async function overflow(page, width) {
  return page.evaluate((w) => {
    const limit = Math.min(innerWidth, w) + 1;
    const de = document.documentElement;
    if (de.scrollWidth <= limit) return null;
    const clipped = (el) => {
      let pos = getComputedStyle(el).position;
      for (let a = el.parentElement; a && a !== de; a = a.parentElement) {
        if (pos === 'fixed') return false;
        const s = getComputedStyle(a);
        if (pos !== 'absolute' || s.position !== 'static') { // a contains el
          if (s.overflowX !== 'visible' && a.getBoundingClientRect().right <= limit) return true;
          pos = s.position;
        }
      }
      return false;
    };
    const out = new Set();
    for (const el of document.querySelectorAll('body *')) {
      const r = el.getBoundingClientRect();
      if (r.width === 0 || r.right <= limit || clipped(el)) continue;
      let outer = false;
      for (const o of out) if (o.contains(el)) outer = true;
      if (!outer) out.add(el);
      if (out.size >= 6) break;
    }
    const describe = (el) => {
      const tv = el.getAttribute('data-testid');
      const cls = typeof el.className === 'string' && el.className.trim() ? '.' + el.className.trim().split(/\s+/).join('.') : '';
      return `${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}${cls}${tv ? `[data-testid=${tv}]` : ''} (right edge ${Math.round(el.getBoundingClientRect().right)})`;
    };
    return { scrollWidth: de.scrollWidth, width: w, wide: [...out].map(describe) };
  }, width);
}

async function audit(page, vpName, name, lang = LANG[vpName]) {
  await settle(page);
  await snap(page, vpName, name);
  const where = `${vpName} ${name}`;
  // Words, not codes: no English in Indonesian, no raw code or field path in either.
  try {
    await assertLanguageClean(page, lang, `${where} (${lang})`);
  } catch (e) {
    console.log(`FAIL ${e.message}`);
    problems.push(`FAIL ${e.message}`);
  }
  const { violations, incomplete } = await runAxe(page);
  if (incomplete.length) reviews.push({ viewport: vpName, screen: name, rules: incomplete });
  for (const v of violations) {
    findings.push({ viewport: vpName, screen: name, ...v });
    const failing = FAILING_IMPACTS.includes(v.impact);
    const lines = [`${failing ? 'FAIL' : 'note'} [${where}] ${v.impact} ${v.id}: ${v.help}`,
      ...v.nodes.slice(0, 8).map((n) => `      ${n.target}`), ...(v.nodes.length > 8 ? [`      … ${v.nodes.length - 8} more`] : [])];
    console.log(lines.join('\n'));
    if (failing) problems.push(lines.join('\n'));
  }
  if (vpName === 'phone') {
    const o = await overflow(page, VIEWPORTS.phone.viewport.width);
    if (o) {
      const msg = `FAIL [${where}] scrolls sideways: scrollWidth ${o.scrollWidth} > ${o.width}; sticking out: ${o.wide.join(', ') || '?'}`;
      console.log(msg);
      problems.push(msg);
    }
  }
  console.log(`  ${where}: ${incomplete.length ? `(to review by hand: ${incomplete.join(' ')}) ` : ''}${violations.length ? violations.map((v) => `${v.id}(${v.impact})`).join(' ') : 'no axe findings'}`);
}

const go = async (page, path, testid) => {
  await page.goto(`${BASE}/#${path}`);
  await tid(page, testid).first().waitFor();
};

// The screens, each opened by a role: [name, who, open(page)].
function screens(data) {
  return [
    ['login', 'anon', (p) => go(p, '/login', 'login-form')],
    ['signup', 'anon', (p) => go(p, '/signup', 'signup-form')],
    // Error states: the summary on top, messages next to their inputs.
    ['signup-errors', 'anon', async (p) => {
      await tid(p, 'signup-password').fill('pendek');
      await tid(p, 'signup-confirm').fill('lain');
      await tid(p, 'signup-submit').click();
      await tid(p, 'signup-error').waitFor();
      await p.locator('[data-testid="error-confirm"]').filter({ hasText: /\S/ }).waitFor();
    }],
    ['login-error', 'anon', async (p) => {
      await go(p, '/login', 'login-form');
      await tid(p, 'login-username').fill('tidak-ada');
      await tid(p, 'login-password').fill('Salah-Sandi-2026');
      await tid(p, 'login-submit').click();
      await tid(p, 'login-error').waitFor();
    }],
    // Forgot password: the request and its answer; the page of the link,
    // incomplete, with a mistyped password, and with a token nobody was given.
    ['forgot', 'anon', async (p) => { await go(p, '/login', 'login-form'); await tid(p, 'forgot-link').click(); await tid(p, 'forgot-form').waitFor(); }],
    ['forgot-sent', 'anon', async (p) => {
      await tid(p, 'forgot-account').fill('siapa-saja');
      await tid(p, 'forgot-submit').click();
      await tid(p, 'forgot-sent').waitFor();
    }],
    ['reset-missing', 'anon', (p) => go(p, '/reset', 'reset-missing')],
    ['reset', 'anon', (p) => go(p, `/reset?u=${randomUUID()}&t=${'A'.repeat(43)}`, 'reset-form')],
    ['reset-errors', 'anon', async (p) => {
      await tid(p, 'reset-password').fill('pendek');
      await tid(p, 'reset-confirm').fill('lain');
      await tid(p, 'reset-submit').click();
      await tid(p, 'reset-error').waitFor();
    }],
    ['reset-token-error', 'anon', async (p) => {
      await tid(p, 'reset-password').fill('Kata-Sandi-Baru-2027');
      await tid(p, 'reset-confirm').fill('Kata-Sandi-Baru-2027');
      await tid(p, 'reset-submit').click();
      await tid(p, 'reset-token-error').waitFor();
    }],
    ['dashboard', 'admin', async (p) => {
      await go(p, '/', 'tier-table');
      // The admin's whole menu (the most entries) is one line on a laptop.
      const tops = await p.evaluate(() => [...document.querySelectorAll('.mainnav > ul > li')].map((li) => li.offsetTop));
      if (await p.evaluate(() => innerWidth) >= 1366) check(new Set(tops).size === 1, `the admin menu wraps (${tops.join(',')})`);
    }],
    // The head's dashboard: the decisions waiting for him first.
    ['dashboard-head', 'head', async (p) => {
      await go(p, '/', 'work-queue');
      await p.waitForFunction(() => Number(document.querySelector('[data-testid="work-approval-value"]')?.textContent) >= 1);
    }],
    ['companies', 'admin', (p) => go(p, '/companies', 'company-row')],
    ['company-staff', 'admin', (p) => go(p, `/companies/${data.b.company.id}`, 'document-row')],
    ['company-edit-staff', 'admin', async (p) => {
      // Staff see the bank account but cannot change it: the partner's own.
      await go(p, `/companies/${data.b.company.id}/edit`, 'wizard-step-0');
      await tid(p, 'wizard-step-0').click();
      await tid(p, 'bank-partner-only').waitFor();
      check(await tid(p, 'company-accountNumber').isDisabled(), 'staff can type into the bank account number');
    }],
    ['queue', 'admin', (p) => go(p, '/verification', 'case-row')],
    ['case-review', 'admin', async (p) => {
      await go(p, `/verification/${data.b.case.id}`, 'case-document');
      await tid(p, 'doc-frame').waitFor();
      await tid(p, 'company-panel').waitFor();
      await tid(p, 'history-entry').first().waitFor();
    }],
    // Four-eyes: the decision waiting for the head, and a decided case's history.
    ['queue-awaiting', 'head', async (p) => { await go(p, '/verification', 'case-row'); await tid(p, 'queue-awaiting').check(); await tid(p, 'case-awaiting').first().waitFor(); }],
    ['case-pending', 'head', (p) => go(p, `/verification/${data.e.case.id}`, 'approve-submit')],
    ['case-decided', 'head', (p) => go(p, `/verification/${data.a.case.id}`, 'proposal-row')],
    ['audit', 'admin', (p) => go(p, '/audit', 'audit-row')],
    ['audit-change', 'admin', async (p) => { await tid(p, 'audit-change').first().locator('summary').click(); await tid(p, 'audit-after').first().waitFor(); }],
    ['years', 'admin', (p) => go(p, '/years', 'year-item')],
    ['years-asks', 'admin', async (p) => { await tid(p, 'year-submit').click(); await tid(p, 'year-submit-question').waitFor(); await tid(p, 'year-submit-cancel').click(); }],
    ['requirements', 'admin', (p) => go(p, '/requirements', 'reqs-row')],
    ['announcement', 'admin', (p) => go(p, '/announcement', 'announce-form')],
    ['outlets', 'admin', (p) => go(p, '/outlets', 'outlet-row')],
    ['outlet', 'admin', (p) => go(p, `/outlets/${data.a.outletId}`, 'score-breakdown')],
    ['rules', 'admin', (p) => go(p, '/rules', 'criterion')],
    ['prices', 'admin', (p) => go(p, '/prices', 'price-grid')],
    ['users', 'admin', (p) => go(p, '/users', 'user-row')],
    ['users-edit', 'admin', async (p) => {
      await tid(p, 'user-edit').first().click();
      await tid(p, 'user-edit-panel').waitFor();
      // The panel opens below the list (far down on a phone): focus goes there.
      await p.waitForFunction(() => document.activeElement && document.activeElement.closest('[data-testid="user-edit-panel"]'),
        null, { timeout: 5000 }).catch(() => { throw new Error('focus did not move into the user edit panel'); });
    }],
    ['users-errors', 'admin', async (p) => {
      // Creating a user from the empty form: every required field named at once.
      await go(p, '/users', 'user-create-form');
      await tid(p, 'user-create-submit').click();
      await tid(p, 'user-create-errors').waitFor();
      await p.locator('[data-testid="user-create-form"] [aria-invalid="true"]').first().waitFor();
      await assertRequiredMatchesRefused(tid(p, 'user-create-form'), 'users-errors');
    }],
    ['budget', 'admin', (p) => go(p, '/budget', 'budget-row')],
    ['budget-errors', 'admin', async (p) => {
      // Saving the empty form: the fields are named beside their inputs.
      await tid(p, 'budget-create-submit').click();
      await tid(p, 'budget-create-errors').waitFor();
      await p.locator('[aria-invalid="true"]').first().waitFor();
      await assertRequiredMatchesRefused(p.locator('form:has([data-testid="budget-create-submit"])'), 'budget-errors');
    }],
    ['budget-line', 'admin', (p) => go(p, `/budget/${data.line.id}`, 'ledger-row')],
    ['wizard-company', 'partnerC', (p) => go(p, '/my', 'wizard-step-body-0')],
    ['wizard-errors', 'partnerC', async (p) => {
      // Saving the empty first step: the server names every missing field at once.
      await tid(p, 'wizard-next').click();
      await tid(p, 'wizard-errors').waitFor();
      await tid(p, 'wizard-step-body-0').waitFor();
      await p.locator('[aria-invalid="true"]').first().waitFor();
      await assertRequiredMatchesRefused(tid(p, 'wizard-step-body-0'), 'wizard-errors');
    }],
    ['wizard-outlets', 'partnerD', (p) => go(p, '/register?step=1', 'wizard-step-body-1')],
    ['wizard-people', 'partnerD', (p) => go(p, '/register?step=2', 'wizard-step-body-2')],
    ['wizard-documents', 'partnerD', (p) => go(p, '/register?step=3', 'wizard-upload')],
    ['wizard-delete-asks', 'partnerD', async (p) => {
      await tid(p, 'document-delete').first().click();
      await tid(p, 'document-delete-question').waitFor();
      await tid(p, 'document-delete-cancel').click();
    }],
    ['wizard-submit', 'partnerD', async (p) => { await tid(p, 'wizard-step-4').click(); await tid(p, 'wizard-missing').waitFor(); }],
    ['own-company', 'partnerA', (p) => go(p, '/my', 'score-breakdown')],
    ['inbox', 'partnerA', (p) => go(p, '/inbox', 'inbox-item')],
    ['inbox-release', 'partnerA', async (p) => { await go(p, `/inbox/${data.press.sent}`, 'pickup-form'); }],
    ['pickup-errors', 'partnerA', async (p) => {
      await tid(p, 'pickup-url').fill('bukan tautan');
      await tid(p, 'pickup-submit').click();
      await tid(p, 'pickup-errors').waitFor();
    }],
    // Notices (E's decision waits for the head) and the profile, by a staff
    // role and a partner; the profile's error state.
    ['notices', 'head', (p) => go(p, '/notices', 'notice-item')],
    ['profile', 'head', async (p) => { await go(p, '/profile', 'profile-form'); await tid(p, 'notice-choices-form').waitFor(); }],
    ['profile-errors', 'head', async (p) => {
      await tid(p, 'profile-email').fill('bukan surel');
      await tid(p, 'profile-save').click();
      await tid(p, 'profile-errors').waitFor();
      await p.locator('[aria-invalid="true"]').first().waitFor();
    }],
    ['profile-partner', 'partnerA', async (p) => { await go(p, '/profile', 'profile-form'); await tid(p, 'notice-choices-form').waitFor(); }],
    ['notices-partner', 'partnerA', (p) => go(p, '/notices', 'notices-page')],
    ['releases', 'humas', (p) => go(p, '/releases', 'release-row')],
    ['release-new', 'humas', (p) => go(p, '/releases/new', 'release-editor')],
    ['release-draft', 'humas', async (p) => {
      await go(p, `/releases/${data.press.draft}`, 'recipient-counts');
      await tid(p, 'release-preview').click();
      await tid(p, 'release-preview-html').waitFor();
      await tid(p, 'release-send').click();
      await tid(p, 'release-confirm').waitFor();
    }],
    ['release-sent', 'humas', (p) => go(p, `/releases/${data.press.sent}`, 'release-view')],
    ['release-proof', 'humas', (p) => go(p, `/releases/${data.press.sent}/proof`, 'proof-recipient')],
    ['agreements', 'staff', (p) => go(p, '/agreements', 'agreement-row')],
    ['agreement-new', 'staff', async (p) => { await tid(p, 'agreement-new').click(); await tid(p, 'agreement-form').waitFor(); }],
    ['agreement', 'staff', (p) => go(p, `/agreements/${data.a.agreementId}`, 'quota-table')],
    ['orders', 'staff', (p) => go(p, '/orders', 'order-row')],
    ['order-new', 'staff', (p) => go(p, '/orders/new', 'order-form')],
    ['order-staff', 'staff', (p) => go(p, `/orders/${data.a.issuedOrderId}`, 'offer-timeline')],
    ['offers', 'partnerA', (p) => go(p, '/offers', 'offer-card')],
    ['order-partner', 'partnerA', (p) => go(p, `/orders/${data.a.issuedOrderId}`, 'proof-form')],
    ['orders-partner', 'partnerA', (p) => go(p, '/orders', 'order-row')],
    ['invoices', 'finance', (p) => go(p, '/invoices', 'invoice-row')],
    ['invoice-finance', 'finance', (p) => go(p, `/invoices/${data.a.invoiceId}`, 'step-form')],
    ['invoice-errors', 'finance', async (p) => {
      // Cancelling without a reason: named beside the field.
      await tid(p, 'step-cancel').click();
      await tid(p, 'step-cancel-errors').waitFor();
      await p.locator('[aria-invalid="true"]').first().waitFor();
    }],
    ['taxes', 'finance', (p) => go(p, '/taxes', 'tax-table-form')],
    ['payments', 'finance', (p) => go(p, '/payments', 'ledger-checks')],
    ['invoices-partner', 'partnerA', (p) => go(p, '/invoices', 'invoice-row')],
    ['invoice-partner', 'partnerA', (p) => go(p, `/invoices/${data.a.invoiceId}`, 'tax-lines')],
    ['invoice-new', 'partnerA', (p) => go(p, '/invoices/new', 'invoice-form')],
  ];
}

async function visitAll(browser, vpName, data) {
  const who = {
    anon: null, admin: ['admin', DEMO_PASSWORD], head: ['pimpinan', DEMO_PASSWORD], humas: ['humas', DEMO_PASSWORD],
    staff: ['kemitraan', DEMO_PASSWORD], finance: ['keuangan', DEMO_PASSWORD], partnerA: [data.a.username, PARTNER_PASSWORD],
    partnerC: [data.c.username, PARTNER_PASSWORD], partnerD: [data.d.username, PARTNER_PASSWORD],
  };
  const open = {};
  for (const [name, role, show] of screens(data)) {
    if (!open[role]) {
      open[role] = await newContext(browser, vpName, role);
      if (who[role]) await login(open[role], ...who[role]);
    }
    try {
      await show(open[role]);
    } catch (e) {
      problems.push(`FAIL [${vpName} ${name}] could not open the screen: ${e.message.split('\n')[0]}`);
      console.log(problems[problems.length - 1]);
      continue;
    }
    await audit(open[role], vpName, name);
  }
  for (const page of Object.values(open)) await page.context().close();
}

// ---- keyboard -----------------------------------------------------------------------
// What has focus: its test id, else tag#id.class; whether a focus ring shows.
const focused = (page) => page.evaluate(() => {
  const el = document.activeElement;
  if (!el || el === document.body) return { name: 'body', ring: false };
  const s = getComputedStyle(el);
  const r = el.getBoundingClientRect();
  return {
    name: el.getAttribute('data-testid') || `${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}${el.className ? '.' + String(el.className).split(' ')[0] : ''}`,
    tag: el.tagName.toLowerCase(), text: el.textContent.trim().slice(0, 60),
    ring: (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0) || (s.boxShadow && s.boxShadow !== 'none'),
    onScreen: r.width > 0 && r.height > 0 && r.left >= 0 && r.top >= 0 && r.right <= innerWidth && r.bottom <= innerHeight,
  };
});

async function waitForH1Focus(page, what) {
  try {
    await page.waitForFunction(() => document.activeElement && document.activeElement.matches('main h1'), null, { timeout: 5000 });
  } catch {
    const f = await focused(page);
    throw new Error(`after ${what} focus is on ${f.name} ("${f.text}"), not on the page's h1`);
  }
}

// The login page is settled for the keyboard: the session check answered and
// the shell's focus handling ran for it (it marks the h1 focusable).
async function loginPageSettled(page) {
  await tid(page, 'login-username').waitFor();
  await page.waitForSelector('main h1[tabindex="-1"]', { state: 'attached' });
}

async function keyboard(browser) {
  const page = await newContext(browser, 'laptop', 'keyboard');
  await page.goto(`${BASE}/#/login`);
  await loginPageSettled(page);
  check(await page.evaluate(() => document.documentElement.lang) === 'id', '<html lang> is not "id" on the login page');

  // Tab from the top: the skip link first, visible when focused.
  await page.keyboard.press('Tab');
  let f = await focused(page);
  check(f.name.startsWith('a') && f.name.includes('skip'), `the first Tab stop is ${f.name}, not the skip link`);
  check(f.ring, 'the skip link has no visible focus ring');
  check(f.onScreen, 'the focused skip link is not on the screen');
  const order = [f.name];
  const want = ['login-username', 'login-password', 'login-submit'];
  for (let i = 0; i < 15 && !order.includes('login-submit'); i++) {
    await page.keyboard.press('Tab');
    f = await focused(page);
    order.push(f.name);
    if (want.includes(f.name)) check(f.ring, `${f.name} has no visible focus ring when focused by Tab`);
  }
  const at = want.map((w) => order.indexOf(w));
  check(at.every((x, i) => x > 0 && (i === 0 || x > at[i - 1])),
    `Tab order on the login page is ${order.join(' → ')}; expected the skip link, then user name, password, submit`);
  console.log(`  keyboard: Tab order ${order.join(' → ')}`);
  await page.screenshot({ path: join(ARTIFACTS, 'keyboard-focus-submit.png') });

  // The skip link moves focus to the content; the next Tab is the user name.
  await page.reload();
  await loginPageSettled(page);
  await page.keyboard.press('Tab');
  await page.keyboard.press('Enter');
  f = await focused(page);
  check(f.name === 'main#main', `the skip link moved focus to ${f.name}, not to the main content`);
  await page.keyboard.press('Tab');
  f = await focused(page);
  check(f.name === 'login-username', `Tab after the skip link reaches ${f.name}, not the user name`);

  // Log in with the keyboard only: Enter in the password field submits.
  await page.keyboard.type('admin');
  await page.keyboard.press('Tab');
  f = await focused(page);
  check(f.name === 'login-password', `Tab after the user name reaches ${f.name}, not the password`);
  await page.keyboard.type(DEMO_PASSWORD);
  await page.keyboard.press('Enter');
  await tid(page, 'current-user').waitFor();
  await waitForH1Focus(page, 'logging in');
  await page.screenshot({ path: join(ARTIFACTS, 'keyboard-logged-in.png') });

  // Tab to a menu link and follow it with Enter: focus lands on the new h1.
  let reached = false;
  for (let i = 0; i < 40 && !reached; i++) {
    await page.keyboard.press('Tab');
    f = await focused(page);
    reached = f.name === 'nav-companies';
  }
  check(reached, 'Tab never reached the companies link of the menu');
  check(f.ring, 'the focused menu link has no visible focus ring');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => location.hash === '#/companies');
  await waitForH1Focus(page, 'following the menu link');
  check((await focused(page)).text === id['companies.title'], 'focus is on another h1 than the companies page\'s');
  console.log('  keyboard: skip link, Tab order, focus rings, Enter to log in, focus on h1 after navigation: ok');
  await page.context().close();
}

// ---- locale -------------------------------------------------------------------------
async function locale(browser) {
  const page = await newContext(browser, 'laptop', 'locale');
  await login(page, 'admin', DEMO_PASSWORD);
  await tid(page, 'tier-table').waitFor();
  // A link's own words, without the unread count beside some of them.
  const navTexts = () => page.evaluate(() => Object.fromEntries([...document.querySelectorAll('[data-testid^="nav-"]')]
    .map((a) => [a.getAttribute('data-testid').slice(4),
      [...a.childNodes].filter((n) => n.nodeType === 3).map((n) => n.textContent).join('').trim()])));
  const expect = async (dict, lang) => {
    await page.waitForFunction((l) => document.documentElement.lang === l, lang, { timeout: 5000 })
      .catch(() => { throw new Error(`<html lang> did not become "${lang}"`); });
    const nav = await navTexts();
    check(Object.keys(nav).length >= 5, `only ${Object.keys(nav).length} menu links`);
    for (const [name, text] of Object.entries(nav)) {
      check(text === dict[`nav.${name}`], `in "${lang}" the menu link ${name} reads "${text}", not "${dict[`nav.${name}`]}"`);
    }
    const h1 = (await page.locator('main h1').textContent()).trim();
    check(h1 === dict['dash.title'], `in "${lang}" the dashboard's h1 reads "${h1}"`);
    check(await page.evaluate(() => document.title).then((tt) => tt.startsWith(dict['dash.title'])), `in "${lang}" the document title is not translated`);
  };
  await expect(id, 'id');
  await tid(page, 'locale-switch').focus();
  await tid(page, 'locale-switch').selectOption('en');
  await expect(en, 'en');
  // Changing a setting is no change of context: focus stays on the select.
  check((await focused(page)).name === 'locale-switch', `after switching the language focus is on ${(await focused(page)).name}`);
  await audit(page, 'laptop', 'dashboard-english', 'en');
  await page.reload();
  await tid(page, 'tier-table').waitFor();
  await expect(en, 'en'); // remembered, and <html lang> set again on load
  await tid(page, 'locale-switch').selectOption('id');
  await expect(id, 'id');
  console.log('  locale: English and Bahasa Indonesia texts and <html lang>: ok');
  await page.context().close();
}

// ---- run ----------------------------------------------------------------------------
const browser = await launchChromium();
let failed = false;
const started = Date.now();
const step = async (what, fn) => {
  const t0 = Date.now();
  try {
    await fn();
  } catch (e) {
    problems.push(`FAIL [${what}] ${e.stack || e}`);
    console.log(problems[problems.length - 1]);
  }
  console.log(`${what}: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
};
try {
  let data;
  await step('data', async () => { data = await setUpData(); });
  if (!data) throw new Error('no data, nothing to look at');
  await step('keyboard', () => keyboard(browser));
  await step('locale', () => locale(browser));
  for (const vp of Object.keys(VIEWPORTS)) await step(`screens at ${vp}`, () => visitAll(browser, vp, data));
  const errors = consoleLines.filter((l) => / pageerror: /.test(l));
  if (errors.length) problems.push(`FAIL the pages threw:\n${errors.join('\n')}`);
  if (problems.length) throw new Error(`${problems.length} problem(s):\n${problems.join('\n')}`);
  const notes = findings.filter((v) => !FAILING_IMPACTS.includes(v.impact));
  console.log(`accessibility: passed in ${((Date.now() - started) / 1000).toFixed(1)} s (${shot} screens; `
    + `${notes.length} moderate/minor axe notes); screenshots in ${ARTIFACTS}`);
} catch (e) {
  failed = true;
  console.error(`accessibility: FAILED: ${e.stack || e}`);
  for (const [label, page] of pages) {
    try {
      if (!page.isClosed()) {
        await page.screenshot({ path: join(ARTIFACTS, `failure-${label}.png`), fullPage: true });
        console.error(`  ${label} was at ${page.url()}`);
      }
    } catch { /* the page may be gone */ }
  }
} finally {
  writeFileSync(join(ARTIFACTS, 'axe-report.json'), JSON.stringify({ violations: findings, needsReview: reviews }, null, 2) + '\n');
  writeFileSync(join(ARTIFACTS, 'console.log'), consoleLines.join('\n') + '\n');
  await browser.close();
}
if (failed) {
  console.error(consoleLines.filter((l) => !/ HTTP 40[14] /.test(l)).slice(-30).join('\n'));
  process.exit(1);
}
