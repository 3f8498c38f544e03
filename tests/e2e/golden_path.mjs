// The golden path in a real browser (DOMAIN.md steps 1-10, to the SP2D),
// against the whole stack started by tests/support/with_stack.sh:
//
//   a press company signs up, fills the registration wizard (a wrong NPWP is
//   named next to its field first), uploads its documents and the Dewan Pers
//   and UKW certificates and submits;
//   the verifier rejects the NPWP scan with a reason; the company sees the
//   reason and re-uploads; the verifier accepts everything, records the
//   factual visit and proposes "verified"; he cannot approve it himself; the
//   head finds it among the cases awaiting approval and approves it (four
//   eyes); the outlet shows tier B, 78 points, with its breakdown: what the
//   accepted certificates and deed prove. Along the way the notices: the
//   company (signed up with its e-mail address) is told of the rejected scan,
//   with the reason and a link to its page; the head is told of the decision
//   waiting for him, and sees it settled once approved. Then staff make and
//   sign the agreement, offer an order the partner counters, accept and issue
//   it (MO/0001/DISKOMINFO/2027, Rp 1.000.000 reserved), and accept the
//   partner's proof of publication; the partner invoices it with its
//   kuitansi; finance publishes the year's tax table, sees PPh 23 Rp 20.000
//   and a net of Rp 980.000, accepts, exports the SPP's data for SIPD and
//   records SPP, the PPK's check, SPM and SP2D: the ledger balances, the
//   order is paid, absorption shows Rp 1.000.000.
//
// Every screenshot and every error the path provokes (the NPWP, the missing
// reason, the price above the ceiling) is also read for words: no English
// and no raw code or field path on an Indonesian screen (lib.mjs).
// Three browser contexts (partner, verifier, head), each with its own cookies.
// A screenshot of every step goes to $SEKLIK_ARTIFACTS; on failure, a
// screenshot of each page and the browser console are saved there too.
// The admin opens the year through the API beforehand (its requirement set,
// rule set and price standard): that is the admin's job before registration
// opens, not part of this path.
import { join } from 'node:path';
import { readFileSync, writeFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import {
  BASE, DEMO_PASSWORD, DOCS, STEP_TIMEOUT_MS, setUp, apiSession, launchChromium, recordConsole, tid, check, login, pdf,
  followNav, fiscalYear, openYear, assertLanguageClean,
} from './lib.mjs';

const ARTIFACTS = setUp('golden_path', 'test-artifacts/e2e');
const YEAR = String(fiscalYear());
// A 1x1 PNG: the registry checks an image's content, not its name.
const OFFICE_PHOTO_PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');
const REJECT_REASON = 'Scan NPWP buram, mohon unggah ulang yang terbaca';

// ---- small helpers ------------------------------------------------------------------
let shot = 0;
const pages = [];
const consoleLines = [];
const wordProblems = []; // English or raw codes on a screen, reported at the end

async function snap(page, name) {
  shot += 1;
  const file = join(ARTIFACTS, `${String(shot).padStart(2, '0')}-${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  console.log(`  step ${shot}: ${name}`);
  await wordsOnly(page, name);
}

// Every screen the path shows, and every error it provokes, reads in
// Bahasa Indonesia without a raw code or field path (lib.mjs).
async function wordsOnly(page, name) {
  try {
    await assertLanguageClean(page, 'id', name);
  } catch (e) {
    console.log(`  ${e.message}`);
    wordProblems.push(e.message);
  }
}

// Click `refresh` until `selector` is on the page: events travel between
// services asynchronously, and a person would press the refresh button too.
async function refreshUntil(page, refreshTestid, selector, what) {
  const deadline = Date.now() + STEP_TIMEOUT_MS;
  for (;;) {
    if (await page.locator(selector).count() > 0) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what} (${selector})`);
    await page.waitForTimeout(250);
    const btn = tid(page, refreshTestid);
    if (await btn.count() > 0 && await btn.isEnabled()) await btn.click();
  }
}

// Wait until the element `testid` reads exactly `text` (names arrive after the page).
async function waitForText(page, testid, text, what) {
  try {
    await page.waitForFunction(([id, want]) => {
      const el = document.querySelector(`[data-testid="${id}"]`);
      return !!el && el.textContent.trim() === want;
    }, [testid, text], { timeout: STEP_TIMEOUT_MS });
  } catch {
    const el = tid(page, testid);
    throw new Error(`${what}: "${(await el.count()) ? (await el.first().textContent()).trim() : '(absent)'}", not "${text}"`);
  }
}

async function newPage(browser, label) {
  const context = await browser.newContext({ locale: 'id-ID', timezoneId: 'Asia/Jakarta', viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  page.setDefaultTimeout(STEP_TIMEOUT_MS);
  recordConsole(page, label, consoleLines);
  pages.push([label, page]);
  return page;
}

async function chooseYear(page) {
  await tid(page, 'fiscal-year').selectOption(YEAR);
}

// Fill the upload form `form` (a locator) and send one document; `person`
// (a name) for a person's certificate.
async function uploadDocument(page, form, type, number, fileName, content, person) {
  if (type) await form.getByTestId('upload-type').selectOption(type);
  if (person) await form.getByTestId('upload-person').selectOption({ label: person });
  await form.getByTestId('upload-number').fill(number);
  await form.getByTestId('upload-issued').fill('2024-01-15');
  await form.getByTestId('upload-file').setInputFiles({ name: fileName, mimeType: 'application/pdf', buffer: content });
  await form.getByTestId('upload-submit').click();
}

// ---- the path -----------------------------------------------------------------------
let browser_;

async function goldenPath(browser) {
  browser_ = browser;
  const admin = await apiSession('admin', DEMO_PASSWORD);
  await openYear(admin, Number(YEAR));

  const suffix = randomUUID().slice(0, 8);
  const username = `kabar${suffix}`;
  const companyName = `PT Kabar Kayuagung ${suffix}`;

  // 1. The company signs up and lands in the registration wizard.
  const partner = await newPage(browser, 'partner');
  await partner.goto(`${BASE}/#/login`);
  await tid(partner, 'signup-link').click();
  await tid(partner, 'signup-display-name').fill('Redaksi Kabar Kayuagung');
  await tid(partner, 'signup-username').fill(username);
  await tid(partner, 'signup-email').fill(`${username}@kabar.example.id`);
  await tid(partner, 'signup-password').fill('Rahasia-Mitra-2026');
  await tid(partner, 'signup-confirm').fill('Rahasia-Mitra-2026');
  await tid(partner, 'signup-submit').click();
  await tid(partner, 'wizard-step-body-0').waitFor();
  await chooseYear(partner);
  await snap(partner, 'partner-signed-up');

  // 2. Company, outlet and people; the NPWP is mistyped first.
  const company = {
    // DOMAIN.md's golden path: 7 years old on 1 January of the year
    legalName: companyName, deedNumber: '12', deedDate: `${Number(YEAR) - 8}-06-17`,
    skKemenkumham: 'AHU-0012345.AH.01.01.TAHUN 2015', establishedOn: `${Number(YEAR) - 8}-06-17`,
    nib: '1234567890123', kbli: '63122', npwp: '01.234.567', address: 'Jl. Letnan Mukhtar Saleh No. 1, Kayuagung',
    domicileLetterNumber: '470/12/KYG/2026', bankName: 'Bank Sumsel Babel', accountNumber: '1234567890',
    holderName: companyName, contactName: 'Sari', contactPhone: '081234567890', contactEmail: 'redaksi@kabar.example.id',
  };
  for (const [k, v] of Object.entries(company)) await tid(partner, `company-${k}`).fill(v);
  await tid(partner, 'company-dewanPersStatus').selectOption('DEWAN_PERS_FAKTUAL');
  // The first step already saves the company (a draft); the server names the field.
  await tid(partner, 'wizard-next').click();
  const npwpError = tid(partner, 'error-company.npwp');
  await partner.waitForFunction((el) => el && el.textContent.trim().length > 0,
    await npwpError.elementHandle());
  check(await tid(partner, 'company-npwp').getAttribute('aria-invalid') === 'true', 'the NPWP input is not marked invalid');
  // The service's code in the catalogue's words, not its English fallback.
  const npwpText = (await npwpError.textContent()).trim();
  check(npwpText.includes('NPWP harus 15 atau 16 digit') && !/must|digits/.test(npwpText),
    `the NPWP error is not the catalogue's Indonesian text: "${npwpText}"`);
  check(await tid(partner, 'wizard-errors').count() === 1, 'no error summary above the wizard');
  await snap(partner, 'partner-npwp-field-error');
  await tid(partner, 'company-npwp').fill('012345678901234');
  await tid(partner, 'wizard-next').click();
  await tid(partner, 'wizard-step-body-1').waitFor();
  // What is typed on a step survives a refresh before it is saved.
  await tid(partner, 'outlet-name').fill(`Kabar Kayuagung ${suffix}`);
  await tid(partner, 'outlet-type').selectOption('OUTLET_TYPE_SIBER');
  await partner.reload();
  await tid(partner, 'wizard-step-body-1').waitFor();
  const kept = await tid(partner, 'outlet-name').inputValue();
  check(kept === `Kabar Kayuagung ${suffix}`, `after a refresh the outlet name reads "${kept}"`);
  await tid(partner, 'outlet-scale').selectOption('OUTLET_SCALE_REGIONAL');
  await tid(partner, 'outlet-url').fill('https://kabar-kayuagung.example.id');
  await tid(partner, 'outlet-monthlyVisitors').fill('600000');
  await tid(partner, 'wizard-next').click();
  await tid(partner, 'wizard-step-body-2').waitFor();
  const later = (years) => `${new Date().getFullYear() + years}-06-30`; // certificates still valid
  const people = [
    ['PERSON_ROLE_CHIEF_EDITOR', 'Hendra Pemimpin Redaksi', '1602010101800001', 'UKW_LEVEL_MADYA', 'UKW-001', later(3)],
    ['PERSON_ROLE_JOURNALIST', 'Dewi Wartawan', '1602010101900002', 'UKW_LEVEL_MUDA', 'UKW-002', later(2)],
    ['PERSON_ROLE_JOURNALIST', 'Rudi Wartawan', '1602010101900003', 'UKW_LEVEL_MUDA', 'UKW-003', later(2)],
    ['PERSON_ROLE_JOURNALIST', 'Tono Wartawan Baru', '1602010101900004', null, null, null],
  ];
  // ... and the browser's Back and Forward between steps.
  await tid(partner, 'person-name').fill(people[0][1]);
  await partner.goBack();
  await tid(partner, 'wizard-step-body-1').waitFor();
  await partner.goForward();
  await tid(partner, 'wizard-step-body-2').waitFor();
  check(await tid(partner, 'person-name').inputValue() === people[0][1], 'Back and Forward lost the name typed');
  for (let i = 0; i < people.length; i++) {
    const [role, name, nik, ukw, cert, expiry] = people[i];
    await tid(partner, 'person-role').selectOption(role);
    await tid(partner, 'person-name').fill(name);
    await tid(partner, 'person-nik').fill(nik);
    if (ukw) {
      await tid(partner, 'person-ukwLevel').selectOption(ukw);
      await tid(partner, 'person-ukwCertificateNumber').fill(cert);
      await tid(partner, 'person-ukwCertificateExpiry').fill(expiry);
    }
    await tid(partner, 'wizard-add-person').click();
    await partner.locator('[data-testid="person-row"]').nth(i).waitFor();
    await partner.waitForFunction(() => document.querySelector('[data-testid="person-name"]').value === '');
  }
  await tid(partner, 'wizard-next').click();
  await tid(partner, 'wizard-upload').waitFor();
  await snap(partner, 'partner-registered');

  // The year's published requirements are the checklist; a year nobody has
  // opened yet says so instead of pretending.
  check(await tid(partner, 'doc-requirements-default').count() === 0, `the ${YEAR} requirements read as unpublished`);
  await tid(partner, 'fiscal-year').selectOption(String(Number(YEAR) - 1));
  await tid(partner, 'doc-requirements-default').waitFor();
  await chooseYear(partner);
  await tid(partner, 'doc-requirements-default').waitFor({ state: 'detached' });
  check(await partner.locator('[data-testid="doc-requirement"]').count() === DOCS.length,
    'the checklist is not the published set of four documents');

  // 3. The required documents, each with its progress bar; then what earns
  // points: the Dewan Pers certificate and three UKW certificates.
  const form = tid(partner, 'wizard-upload');
  for (const type of DOCS) {
    await uploadDocument(partner, form, type, `${type.slice(14)}-001`, `${type.slice(14).toLowerCase()}.pdf`, pdf(type));
    await partner.locator(`[data-testid="doc-requirement"][data-type="${type}"][data-present="true"]`).waitFor();
    check(await tid(partner, 'upload-progress').getAttribute('value') === '100', `the progress bar of ${type} did not reach 100`);
  }
  // A document uploaded by mistake is deleted, after a confirmation.
  await uploadDocument(partner, form, 'DOCUMENT_TYPE_PAKTA_INTEGRITAS', 'SALAH-001', 'salah-unggah.pdf', pdf('mistake'));
  const mistake = partner.locator('[data-testid="document-row"]').filter({ hasText: 'salah-unggah.pdf' });
  await mistake.waitFor();
  await mistake.getByTestId('document-delete').click();
  await mistake.getByTestId('document-delete-question').waitFor();
  await snap(partner, 'partner-delete-asks');
  await mistake.getByTestId('document-delete-confirm').click();
  await mistake.waitFor({ state: 'detached' });
  check(await partner.locator('[data-testid="document-row"]').count() === DOCS.length, 'the mistaken upload is still listed');
  const extra = [['DOCUMENT_TYPE_DEWAN_PERS', null], ...people.filter((p) => p[3]).map((p) => ['DOCUMENT_TYPE_UKW', p[1]])];
  for (const [i, [type, person]] of extra.entries()) {
    await uploadDocument(partner, form, type, `CERT-00${i}`, `sertifikat-${i}.pdf`, pdf(`${type} ${person || ''}`), person);
    await partner.locator('[data-testid="document-row"]').nth(DOCS.length + i).waitFor();
  }
  await snap(partner, 'partner-documents-uploaded');
  await tid(partner, 'wizard-next').click();
  check(await tid(partner, 'wizard-missing').count() === 0, 'the submit step still lists missing documents');
  await tid(partner, 'wizard-submit').click();
  await tid(partner, 'company-status-page').waitFor();
  // Saying so after "Ajukan verifikasi" succeeded.
  check((await tid(partner, 'company-flash').textContent()).includes(YEAR), 'the partner is not told the request was sent');
  await refreshUntil(partner, 'company-refresh', '[data-testid="company-status"][data-status="COMPANY_STATUS_IN_REVIEW"]', 'the company in review');
  await snap(partner, 'partner-submitted');

  // 4. The verifier finds the case and rejects the NPWP scan with a reason.
  const verifier = await newPage(browser, 'verifier');
  await login(verifier, 'verifikator', DEMO_PASSWORD);
  await chooseYear(verifier);
  await followNav(verifier, 'nav-queue', '#/verification', consoleLines);
  await refreshUntil(verifier, 'queue-refresh', `[data-testid="case-link"]:text("${companyName}")`, 'the case in the queue');
  await snap(verifier, 'verifier-queue');
  await verifier.locator(`[data-testid="case-link"]:text("${companyName}")`).click();
  await tid(verifier, 'case-page').waitFor();
  await refreshUntil(verifier, 'case-refresh', '[data-testid="case-state"][data-status="CASE_STATE_IN_REVIEW"]', 'the case in review');
  const npwpItem = verifier.locator('[data-testid="case-document"][data-type="DOCUMENT_TYPE_NPWP"]');
  await npwpItem.getByTestId('case-doc-view').click();
  // The scan opens beside the decision buttons, in a same-origin frame.
  await tid(verifier, 'doc-frame').waitFor();
  const frameSrc = await tid(verifier, 'doc-frame').getAttribute('src');
  const file = await verifier.request.get(new URL(frameSrc, BASE).href);
  check(file.status() === 200 && file.headers()['content-type'] === 'application/pdf',
    `the NPWP scan answers ${file.status()} ${file.headers()['content-type']}`);
  check((await file.body()).toString().includes('DOCUMENT_TYPE_NPWP'), 'the frame shows another file than the NPWP scan');
  await verifier.waitForTimeout(300);
  const refused = consoleLines.filter((l) => /Refused to display|blocked/i.test(l));
  check(refused.length === 0, `the browser refused the document frame:\n${refused.join('\n')}`);
  // A reason is required to reject: the verifier is told so next to the field.
  await npwpItem.getByTestId('doc-reject').click();
  await npwpItem.locator('[data-testid="error-reason"]').filter({ hasText: /\S/ }).waitFor();
  await wordsOnly(verifier, 'verifier-reason-required');
  await npwpItem.getByTestId('doc-reason').fill(REJECT_REASON);
  await npwpItem.getByTestId('doc-reject').click();
  await verifier.locator('[data-testid="case-document"][data-type="DOCUMENT_TYPE_NPWP"][data-decision="DECISION_REJECTED"]').waitFor();
  await snap(verifier, 'verifier-rejected-npwp');

  // 5. The company is told (a notice in the menu, with the reason and a link
  // to its page), sees the reason there and re-uploads the scan.
  await followNav(partner, 'nav-notices', '#/notices', consoleLines);
  const rejectedNotice = '[data-testid="notice-item"][data-kind="NOTICE_KIND_DOCUMENT_REJECTED"][data-read="false"]';
  await refreshUntil(partner, 'notices-refresh', rejectedNotice, 'the notice of the rejected NPWP');
  const noticeText = (await partner.locator(rejectedNotice).first().textContent()).replace(/\s+/g, ' ');
  check(noticeText.includes('NPWP') && noticeText.includes(REJECT_REASON), `the notice reads "${noticeText}"`);
  await tid(partner, 'notice-unread-badge').waitFor();
  await snap(partner, 'partner-notice');
  await partner.locator(rejectedNotice).first().getByTestId('notice-open').click();
  await tid(partner, 'company-status-page').waitFor();
  await refreshUntil(partner, 'company-refresh',
    '[data-testid="document-row"][data-type="DOCUMENT_TYPE_NPWP"][data-decision="DECISION_REJECTED"]', 'the rejected NPWP on the company page');
  const rejectedRow = partner.locator('[data-testid="document-row"][data-type="DOCUMENT_TYPE_NPWP"]');
  const shownReason = (await rejectedRow.getByTestId('document-reason').textContent()).trim();
  check(shownReason === REJECT_REASON, `the company sees "${shownReason}", not the verifier's reason`);
  await refreshUntil(partner, 'company-refresh', '[data-testid="company-status"][data-status="COMPANY_STATUS_NEEDS_REVISION"]', 'the company needing revision');
  await snap(partner, 'partner-sees-reason');
  await rejectedRow.getByTestId('document-reupload').click();
  await uploadDocument(partner, tid(partner, 'reupload'), null, 'NPWP-002', 'npwp-jelas.pdf', pdf('NPWP readable'));
  await refreshUntil(partner, 'company-refresh',
    '[data-testid="document-row"][data-type="DOCUMENT_TYPE_NPWP"][data-decision="DECISION_PENDING"]', 'the new NPWP awaiting review');
  await snap(partner, 'partner-reuploaded');

  // 6. The verifier accepts every document, records the visit and verifies.
  await refreshUntil(verifier, 'case-refresh',
    '[data-testid="case-document"][data-type="DOCUMENT_TYPE_NPWP"][data-decision="DECISION_PENDING"]', 'the new NPWP in the case');
  const pending = verifier.locator('[data-testid="case-document"][data-decision="DECISION_PENDING"]');
  for (let left = await pending.count(); left > 0; left = await pending.count()) {
    await pending.first().getByTestId('doc-accept').click();
    await verifier.waitForFunction(([sel, n]) => document.querySelectorAll(sel).length < n,
      ['[data-testid="case-document"][data-decision="DECISION_PENDING"]', left]);
  }
  check(await verifier.locator('[data-testid="case-document"][data-decision="DECISION_ACCEPTED"]').count() === DOCS.length + 4,
    'not every document is accepted');
  await refreshUntil(verifier, 'case-refresh', '[data-testid="case-state"][data-status="CASE_STATE_VISIT_PENDING"]', 'the case waiting for the visit');
  await snap(verifier, 'verifier-accepted-all');
  await tid(verifier, 'visit-lat').fill('-3.3915');
  await tid(verifier, 'visit-lng').fill('104.8286');
  await tid(verifier, 'visit-findings').fill('Kantor redaksi aktif, papan nama terpasang');
  // A photo taken at the office, uploaded from the visit itself, is kept with the record.
  const photoForm = tid(verifier, 'visit-photo-upload');
  await photoForm.getByTestId('upload-file').setInputFiles({ name: 'kantor-redaksi.png', mimeType: 'image/png', buffer: OFFICE_PHOTO_PNG });
  await photoForm.getByTestId('upload-submit').click();
  await verifier.locator('[data-testid="visit-photo"]:checked').waitFor();
  await tid(verifier, 'visit-submit').click();
  await tid(verifier, 'visit-record').waitFor();
  check(await tid(verifier, 'visit-record').locator('a[href*="/api/v1/files/"] img').count() === 1, 'the visit record shows no photo');
  await verifier.waitForFunction(() => { const img = document.querySelector('.visit-photos img'); return img && img.complete && img.naturalWidth === 1; });
  const gps = (await tid(verifier, 'visit-gps').textContent()).trim();
  check(gps.startsWith('-3.3915, 104.8286'), `the visit shows GPS "${gps}"`);
  await snap(verifier, 'verifier-visit-recorded');
  // The verifier proposes; the decision waits for a second person.
  await tid(verifier, 'decide-submit').click();
  await tid(verifier, 'decide-submit-question').waitFor();
  await tid(verifier, 'decide-submit-confirm').click();
  await verifier.locator('[data-testid="pending-decision"][data-outcome="OUTCOME_VERIFIED"]').waitFor();
  check(await tid(verifier, 'approve-submit').count() === 0, 'the verifier is offered to approve his own proposal');
  check(await verifier.locator('[data-testid="case-state"][data-status="CASE_STATE_VISITED"]').count() === 1,
    'the case changed state before anyone approved the proposal');
  // The verifier sees himself as "<name> (Anda)"; the head sees the name.
  const verifierName = (await tid(verifier, 'pending-proposed-by').textContent()).trim().replace(/\s*\(Anda\)$/, '');
  await snap(verifier, 'verifier-proposed');

  // 6b. The head is told a decision waits for him, finds the case among those
  // awaiting approval and approves it.
  const head = await newPage(browser, 'head');
  await login(head, 'pimpinan', DEMO_PASSWORD);
  await chooseYear(head);
  await followNav(head, 'nav-notices', '#/notices', consoleLines);
  const awaitingNotice = `[data-testid="notice-item"][data-kind="NOTICE_KIND_DECISION_AWAITING"]:has-text("${companyName}")`;
  await refreshUntil(head, 'notices-refresh', awaitingNotice, 'the notice of the decision awaiting approval');
  check(await head.locator(`${awaitingNotice} [data-testid="notice-resolved"]`).count() === 0, 'the waiting decision reads as settled');
  await snap(head, 'head-notice');
  await followNav(head, 'nav-queue', '#/verification', consoleLines);
  await tid(head, 'queue-awaiting').check();
  await refreshUntil(head, 'queue-refresh', `[data-testid="case-link"]:text("${companyName}")`, 'the case awaiting approval');
  await head.locator(`[data-testid="case-row"]:has([data-testid="case-link"]:text("${companyName}")) [data-testid="case-awaiting"]`).waitFor();
  await snap(head, 'head-awaiting-approval');
  await head.locator(`[data-testid="case-link"]:text("${companyName}")`).click();
  await tid(head, 'pending-decision').waitFor();
  await waitForText(head, 'pending-proposed-by', verifierName, 'the head sees as the proposer');
  await tid(head, 'approve-submit').click();
  await tid(head, 'approve-submit-question').waitFor();
  await tid(head, 'approve-submit-confirm').click();
  await head.locator('[data-testid="case-state"][data-status="CASE_STATE_VERIFIED"]').waitFor();
  await waitForText(head, 'case-decided-by', verifierName, 'the case names as the proposer');
  check((await tid(head, 'case-approved-by').textContent()).includes('(Anda)'), 'the case does not name the head as approver');
  check(await head.locator('[data-testid="proposal-row"][data-status="PROPOSAL_STATUS_APPROVED"]').count() === 1,
    'the decision history does not show the approved proposal');
  await snap(head, 'head-approved');
  // The case shows what the partner entered (the company panel beside the
  // documents) and its history: who decided what, when, with which reason.
  const panel = tid(head, 'company-panel');
  check((await panel.getByTestId('panel-npwp').textContent()).replace(/\D/g, '').includes('012345678901234'), 'the panel shows no NPWP');
  check((await panel.getByTestId('panel-nib').textContent()).includes(company.nib), 'the panel shows no NIB');
  check((await panel.getByTestId('panel-accountNumber').textContent()).includes(company.accountNumber), 'the panel shows no bank account');
  for (const p of people) {
    check(await panel.locator('[data-testid="panel-person-nik"]').filter({ hasText: p[2] }).count() === 1, `the panel shows no NIK of ${p[1]}`);
  }
  await waitForText(head, 'visit-verifier', verifierName, 'the visit names as the verifier');
  const history = tid(head, 'case-history');
  const rejectedEntry = history.locator('[data-testid="history-entry"][data-action="case.decide_document"]').filter({ hasText: REJECT_REASON });
  await rejectedEntry.waitFor();
  await rejectedEntry.getByTestId('history-who').filter({ hasText: verifierName }).waitFor();
  check((await rejectedEntry.getByTestId('history-text').textContent()).includes('NPWP'), 'the history does not say which document was rejected');
  await history.locator('[data-testid="history-entry"][data-action="case.record_visit"]').filter({ hasText: verifierName }).waitFor();
  await history.locator('[data-testid="history-entry"][data-action="case.verify"]').waitFor();
  await snap(head, 'head-case-history');
  // The company page shows staff the same panel.
  await tid(head, 'case-company-link').click();
  await tid(head, 'company-status-page').waitFor();
  check((await tid(head, 'company-panel').getByTestId('panel-legalName').textContent()).includes(companyName), 'the company page shows no panel');
  await snap(head, 'head-company-panel');
  await refreshUntil(verifier, 'case-refresh', '[data-testid="case-state"][data-status="CASE_STATE_VERIFIED"]', 'the case verified');
  await snap(verifier, 'verifier-verified');
  // The head's notice is settled by the approval.
  await followNav(head, 'nav-notices', '#/notices', consoleLines);
  await refreshUntil(head, 'notices-refresh', `${awaitingNotice} [data-testid="notice-resolved"]`, 'the notice settled');

  // 7. The company is verified; its outlet is scored tier B with a breakdown.
  await refreshUntil(partner, 'company-refresh', '[data-testid="company-status"][data-status="COMPANY_STATUS_VERIFIED"]', 'the company verified');
  await refreshUntil(partner, 'company-refresh', '[data-testid="tier-badge"][data-tier="B"]', 'the outlet scored tier B');
  const rows = await partner.locator('[data-testid="score-row"]').count();
  check(rows === 6, `the score breakdown has ${rows} rows, not 6`);
  const total = (await tid(partner, 'score-total').first().textContent()).trim();
  check(/\b78\b/.test(total), `the total score reads "${total}", not 78`);
  const reach = (await partner.locator('[data-testid="score-row"][data-criterion="CRITERION_REACH"]').first().textContent()).replace(/\s+/g, ' ');
  check(reach.includes('≥ 500.000 pengunjung/bulan → 17 poin'), `the reach line reads "${reach}"`);
  await snap(partner, 'partner-tier-b');
  // The outlet's own page says the same, with its price ceilings.
  await partner.locator('[data-testid="outlet-score"] h3 a').first().click();
  await tid(partner, 'outlet-page').waitFor();
  await partner.locator('[data-testid="tier-badge"][data-tier="B"]').waitFor();
  check(await partner.locator('[data-testid="score-row"]').count() === 6, 'the outlet page shows no breakdown');
  await snap(partner, 'partner-outlet-page');

  // 8. Staff see the same outlet as tier B in the outlet list.
  await followNav(verifier, 'nav-outlets', '#/outlets', consoleLines);
  await tid(verifier, 'outlets-table').waitFor();
  const outletRow = verifier.locator('[data-testid="outlet-row"]').filter({ hasText: `Kabar Kayuagung ${suffix}` });
  await outletRow.locator('[data-testid="tier-badge"][data-tier="B"]').waitFor();
  await snap(verifier, 'verifier-outlet-list');

  const ordered = await orderPath(admin, partner, verifier, companyName, suffix);
  await paymentPath(partner, ordered, companyName, suffix);

  // 9. The admin reads the company's trail in the audit viewer: who did
  // what, filtered by company, with the data before and after.
  const adminPage = await newPage(browser, 'admin');
  await login(adminPage, 'admin', DEMO_PASSWORD);
  await followNav(adminPage, 'nav-audit', '#/audit', consoleLines);
  await tid(adminPage, 'audit-page').waitFor();
  await tid(adminPage, 'audit-company-query').fill(companyName);
  await tid(adminPage, 'audit-company-find').click();
  await tid(adminPage, 'audit-company-option').filter({ hasText: companyName }).click();
  await tid(adminPage, 'audit-company-picked').waitFor();
  await tid(adminPage, 'audit-apply').click();
  const submitRow = adminPage.locator('[data-testid="audit-row"][data-action="company.submit"]');
  await submitRow.first().waitFor();
  check((await submitRow.first().getByTestId('audit-who').textContent()).includes('Redaksi Kabar Kayuagung'),
    'the audit viewer does not name the partner who submitted');
  const decided = adminPage.locator('[data-testid="audit-row"][data-action="case.decide_document"]').filter({ hasText: verifierName });
  await decided.first().waitFor();
  // Only this company's trail: every row links to it, by name.
  const onlyThis = await adminPage.waitForFunction((name) => {
    const names = [...document.querySelectorAll('[data-testid="audit-row"]')]
      .map((e) => e.querySelector('a[href^="#/companies/"]')?.textContent.trim() || '(none)');
    return names.length > 5 && names.every((n) => n === name) ? true : null;
  }, companyName, { timeout: STEP_TIMEOUT_MS }).then(() => true, () => false);
  check(onlyThis, 'the audit filter by company shows rows of others (or unnamed ones)');
  const rejectRow = adminPage.locator('[data-testid="audit-row"][data-action="case.decide_document"]')
    .filter({ has: adminPage.locator(`[data-testid="audit-after"]:has-text("${REJECT_REASON}")`) });
  await rejectRow.getByTestId('audit-change').locator('summary').click();
  await rejectRow.getByTestId('audit-after').waitFor();
  await snap(adminPage, 'admin-audit');

  // 10. The admin opens next year on the Years page, after a confirmation:
  // the window is set and last year's requirements are drafted for review.
  const next = Number(YEAR) + 1;
  await tid(adminPage, 'fiscal-year').selectOption(String(next));
  await followNav(adminPage, 'nav-years', '#/years', consoleLines);
  await tid(adminPage, 'years-page').waitFor();
  await tid(adminPage, 'year-opens').fill(`${next - 1}-10-02`);
  await tid(adminPage, 'year-closes').fill(`${next}-04-30`);
  await tid(adminPage, 'year-submit').click();
  await tid(adminPage, 'year-submit-question').waitFor();
  await tid(adminPage, 'year-submit-confirm').click();
  await tid(adminPage, 'year-done').waitFor();
  await tid(adminPage, 'year-opened').waitFor();
  const opened = await admin('verification.GetYear', { fiscalYear: next });
  check(opened.registrationOpensOn === `${next - 1}-10-02` && opened.registrationClosesOn === `${next}-04-30`,
    `the year was opened with ${JSON.stringify(opened)}`);
  await adminPage.locator('[data-testid="year-item"][data-item="requirements"] [data-status="SET_STATE_DRAFT"]').waitFor();
  await snap(adminPage, 'admin-year-opened');
  await followNav(adminPage, 'nav-requirements', '#/requirements', consoleLines);
  await tid(adminPage, 'reqs-table').waitFor();
  await tid(adminPage, 'reqs-draft').locator('[data-status="SET_STATE_DRAFT"]').waitFor();
  await snap(adminPage, 'admin-requirements');

  const errors = consoleLines.filter((l) => / pageerror: /.test(l));
  check(errors.length === 0, `the pages threw:\n${errors.join('\n')}`);
  check(wordProblems.length === 0, `${wordProblems.length} screen(s) show English or raw codes:\n${wordProblems.join('\n')}`);
}

// The second half up to the money (DOMAIN.md steps 7-9): an agreement for 24
// placements and Rp 24.000.000, an advertorial offered at Rp 900.000 and
// countered at Rp 1.000.000, accepted, issued as MO/0001/DISKOMINFO/2027
// with Rp 1.000.000 reserved, and its proof of publication accepted.
async function orderPath(admin, partner, verifier, companyName, suffix) {
  // The admin opens 2027 with its budget line (the budget screens are accounting's).
  const line = await admin('accounting.CreateBudgetLine', {
    line: { fiscalYear: Number(YEAR), subActivityCode: '2.16.02.1.01.0001', accountCode: '5.1.02.02.01.0029',
      name: 'Belanja Jasa Iklan/Reklame, Film, dan Pemotretan' },
    pagu: '1900000000', documentNumber: 'DPA/2.16/001/2027',
  });
  await verifier.context().close();
  const staff = await newPage(browser_, 'kemitraan');
  await login(staff, 'kemitraan', DEMO_PASSWORD);
  await chooseYear(staff);

  // 9. The agreement: number and value always stated, quota per product, signed scan.
  await followNav(staff, 'nav-agreements', '#/agreements', consoleLines);
  await tid(staff, 'agreement-new').click();
  await tid(staff, 'agreement-form').waitFor();
  await staff.locator('[data-testid="agreement-company"] option').filter({ hasText: companyName }).waitFor({ state: 'attached' });
  await tid(staff, 'agreement-company').selectOption({ label: companyName });
  await tid(staff, 'agreement-number').fill(`027/PKS/DISKOMINFO/${suffix}/2027`);
  await tid(staff, 'agreement-value').fill('24.000.000');
  await tid(staff, 'agreement-line').selectOption(line.id);
  await tid(staff, 'quota-product-0').selectOption('PRODUCT_ONLINE_ADVERTORIAL');
  await tid(staff, 'quota-placements-0').fill('24');
  await snap(staff, 'staff-agreement-form');
  await tid(staff, 'agreement-save').click();
  await tid(staff, 'agreement-page').waitFor();
  await staff.locator('[data-testid="agreement-state"][data-status="AGREEMENT_STATE_DRAFT"]').waitFor();
  check((await tid(staff, 'agreement-value-text').textContent()).trim() === 'Rp 24.000.000', 'the agreement does not state Rp 24.000.000');
  await tid(staff, 'agreement-signed-on').fill('2027-01-04');
  await tid(staff, 'agreement-file').setInputFiles({ name: 'pks-bertanda-tangan.pdf', mimeType: 'application/pdf', buffer: pdf('PKS 2027') });
  await tid(staff, 'agreement-sign').click();
  await staff.locator('[data-testid="agreement-state"][data-status="AGREEMENT_STATE_ACTIVE"]').waitFor();
  await tid(staff, 'agreement-document').waitFor();
  await snap(staff, 'staff-agreement-signed');

  // 10. An order for one advertorial, offered at Rp 900.000.
  await followNav(staff, 'nav-orders', '#/orders', consoleLines);
  await tid(staff, 'order-new').click();
  await tid(staff, 'order-form').waitFor();
  await tid(staff, 'order-agreement').selectOption({ index: 1 });
  const product = staff.locator('[data-testid="order-product"] option').filter({ hasText: 'Rp 1.000.000' });
  await product.first().waitFor({ state: 'attached' });
  await tid(staff, 'order-product').selectOption(await product.first().getAttribute('value'));
  await tid(staff, 'order-schedule-from').fill('2027-03-01');
  await tid(staff, 'order-schedule-to').fill('2027-03-31');
  await tid(staff, 'order-title').fill('Advertorial Hari Jadi Kabupaten');
  await tid(staff, 'order-brief').fill('Satu advertorial tentang layanan publik Diskominfo.');
  // Above the ceiling first: refused, named next to the price.
  await tid(staff, 'order-price').fill('1.250.000');
  await tid(staff, 'order-save').click();
  await staff.locator('[data-testid="error-unitPrice"]').filter({ hasText: /plafon/ }).waitFor();
  await snap(staff, 'staff-order-above-ceiling');
  await tid(staff, 'order-price').fill('900.000');
  await tid(staff, 'order-save').click();
  await tid(staff, 'order-page').waitFor();
  await staff.locator('[data-testid="order-state"][data-status="ORDER_STATE_OFFERED"]').waitFor();
  const orderUrl = staff.url();
  await snap(staff, 'staff-order-offered');

  // 11. The partner finds it in its offers and counters at the ceiling.
  await followNav(partner, 'nav-offers', '#/offers', consoleLines);
  await refreshUntil(partner, 'offers-refresh', '[data-testid="offer-card"]', 'the offer in the partner\'s inbox');
  const card = partner.locator('[data-testid="offer-card"]').first();
  check((await card.getByTestId('offer-price').textContent()).trim() === 'Rp 900.000', 'the offer does not read Rp 900.000');
  await card.getByTestId('counter-price').fill('1.000.000');
  await card.getByTestId('counter-note').fill('Sesuai plafon tier B');
  await card.getByTestId('order-counter').click();
  await tid(partner, 'offers-empty').waitFor();
  await snap(partner, 'partner-countered');

  // 12. The office accepts and issues: a number, and the money reserved.
  await staff.goto(orderUrl);
  await refreshUntil(staff, 'order-refresh', '[data-testid="order-state"][data-status="ORDER_STATE_COUNTERED"]', 'the counter-offer');
  check(await staff.locator('[data-testid="offer-item"]').count() === 2, 'the timeline does not keep both offers');
  await tid(staff, 'order-accept').click();
  await staff.locator('[data-testid="order-state"][data-status="ORDER_STATE_ACCEPTED"]').waitFor();
  await tid(staff, 'order-issue').click();
  await staff.locator('[data-testid="order-state"][data-status="ORDER_STATE_ISSUED"]').waitFor();
  const number = (await tid(staff, 'order-number').textContent()).trim();
  check(number === 'MO/0001/DISKOMINFO/2027', `the order was issued as "${number}"`);
  check((await tid(staff, 'order-reserved').textContent()).includes('Rp 1.000.000'), 'the page does not say Rp 1.000.000 is reserved');
  const orderId = orderUrl.split('/orders/')[1];
  const reservation = await admin('accounting.GetReservation', { orderId });
  check(reservation.state === 'RESERVATION_STATE_PENDING' && reservation.amount === '1000000',
    `accounting holds ${JSON.stringify(reservation)}`);
  check(reservation.lineBalances.committed === '1000000', 'the line does not show Rp 1.000.000 committed');
  await snap(staff, 'staff-order-issued');

  // 13. The partner submits its proof of publication; the office accepts it.
  await partner.goto(orderUrl);
  await tid(partner, 'proof-form').waitFor();
  await tid(partner, 'proof-url').fill(`https://kabar-kayuagung.example.id/2027/03/advertorial-${suffix}`);
  // Published at 00:00 WIB today: the form's default 09:00 lies in the future
  // when the test runs between midnight and 09:00 WIB, and is refused.
  await tid(partner, 'proof-time').fill('00:00');
  await tid(partner, 'proof-submit').click();
  await partner.locator('[data-testid="order-state"][data-status="ORDER_STATE_PROOF_SUBMITTED"]').waitFor();
  await snap(partner, 'partner-proof-submitted');
  await refreshUntil(staff, 'order-refresh', '[data-testid="proof-review"]', 'the proof to review');
  await tid(staff, 'proof-accept').click();
  await staff.locator('[data-testid="order-state"][data-status="ORDER_STATE_COMPLETED"]').waitFor();
  await staff.locator('[data-testid="proof-item"][data-decision="accepted"]').waitFor();
  await snap(staff, 'staff-proof-accepted');
  return { line, orderId, orderUrl };
}

// The money (DOMAIN.md step 10): the invoice, its taxes, the regional payment
// documents in order, and what the ledger says afterwards.
async function paymentPath(partner, { line, orderId }, companyName, suffix) {
  // 14. The partner invoices the accepted order: its own number, who signs,
  // the kuitansi and the proof of purchase the checklist asks for.
  await followNav(partner, 'nav-invoices', '#/invoices', consoleLines);
  await tid(partner, 'invoice-new').click();
  await tid(partner, 'invoice-form').waitFor();
  await partner.locator('[data-testid="invoice-order"]').first().check();
  check((await tid(partner, 'invoice-total').textContent()).includes('Rp 1.000.000'), 'the invoice total is not Rp 1.000.000');
  await tid(partner, 'invoice-number').fill(`INV/${suffix}/001`);
  await tid(partner, 'invoice-signatory').fill('Budi Santoso');
  await tid(partner, 'invoice-branch').fill('Kayuagung');
  await tid(partner, 'invoice-file-DOCUMENT_KIND_KUITANSI').setInputFiles({ name: 'kuitansi.pdf', mimeType: 'application/pdf', buffer: pdf('Kuitansi') });
  await tid(partner, 'invoice-file-DOCUMENT_KIND_PROOF_OF_PURCHASE').setInputFiles({ name: 'nota.pdf', mimeType: 'application/pdf', buffer: pdf('Nota') });
  await snap(partner, 'partner-invoice-form');
  // Accounting learns the accepted proof from ordering's events: a person
  // whose first try comes too early sends the form again.
  const deadline = Date.now() + STEP_TIMEOUT_MS;
  for (;;) {
    await tid(partner, 'invoice-submit').click();
    const done = await Promise.race([
      tid(partner, 'invoice-page').waitFor().then(() => true),
      tid(partner, 'invoice-errors').waitFor().then(() => false),
    ]);
    if (done) break;
    await wordsOnly(partner, 'partner-invoice-too-early');
    if (Date.now() > deadline) throw new Error('the invoice was never accepted for submission');
    await partner.waitForTimeout(500);
  }
  await partner.locator('[data-testid="invoice-state"][data-status="INVOICE_STATE_SUBMITTED"]').waitFor();
  const invoiceUrl = partner.url();
  await snap(partner, 'partner-invoice-submitted');

  // 15. Finance publishes the year's tax table: the regulations' values.
  const finance = await newPage(browser_, 'keuangan');
  await login(finance, 'keuangan', DEMO_PASSWORD);
  await chooseYear(finance);
  await followNav(finance, 'nav-taxes', '#/taxes', consoleLines);
  await tid(finance, 'tax-table-form').waitFor();
  check((await tid(finance, 'tax-pph23').inputValue()) === '2', 'the default PPh 23 rate is not 2%');
  check((await tid(finance, 'tax-derived').textContent()).includes('100/111'), 'the table does not derive 100/111');
  await tid(finance, 'tax-table-save').click();
  await tid(finance, 'tax-table-publish').click();
  await finance.locator('[data-testid="tax-table-state"][data-status="TAX_TABLE_STATE_PUBLISHED"]').waitFor();
  await snap(finance, 'finance-tax-table-published');

  // 16. Finance checks the invoice: PPh 23 Rp 20.000, Rp 980.000 to the
  // partner, the rounding rule named; accepts it.
  await followNav(finance, 'nav-invoices', '#/invoices', consoleLines);
  await finance.locator('[data-testid="invoice-row"]').filter({ hasText: companyName }).getByTestId('invoice-link').click();
  await tid(finance, 'invoice-page').waitFor();
  check((await tid(finance, 'tax-pph23').textContent()).trim() === 'Rp 20.000', 'PPh 23 is not Rp 20.000');
  check((await tid(finance, 'tax-net').textContent()).trim() === 'Rp 980.000', 'the net is not Rp 980.000');
  check(await finance.locator('[data-testid="checklist-present"][data-required="true"][data-present="false"]').count() === 0,
    'a required document is missing');
  await tid(finance, 'invoice-accept').click();
  await finance.locator('[data-testid="invoice-state"][data-status="INVOICE_STATE_ACCEPTED"]').waitFor();
  await finance.locator('[data-testid="tax-lines"][data-stored="true"]').waitFor();
  check((await tid(finance, 'tax-rounding').textContent()).includes('setengah ke atas'), 'the rounding rule is not printed');
  await snap(finance, 'finance-invoice-accepted');

  // 17. What SIPD needs for the SPP: one line of Rp 1.000.000, as CSV.
  await tid(finance, 'spp-record').first().waitFor();
  check((await tid(finance, 'spp-amount').first().textContent()).trim() === 'Rp 1.000.000', 'the SPP line is not Rp 1.000.000');
  const [download] = await Promise.all([finance.waitForEvent('download'), tid(finance, 'spp-csv').click()]);
  const csv = readFileSync(await download.path(), 'utf8');
  check(csv.includes(companyName) && csv.includes(',1000000,') && csv.includes('012345678901234'),
    `the SIPD export lacks the vendor, amount or NPWP:\n${csv}`);
  await snap(finance, 'finance-spp-export');

  // 18. SPP, the PPK's check, SPM and SP2D, each the only one offered next.
  const steps = [['PAYMENT_STEP_SPP', `00123/SPP-LS/${suffix}`], ['PAYMENT_STEP_SPP_VERIFIED', ''],
    ['PAYMENT_STEP_SPM', `00123/SPM-LS/${suffix}`], ['PAYMENT_STEP_SP2D', `00123/SP2D/${suffix}`]];
  for (const [step, number] of steps) {
    await finance.locator(`[data-testid="step-form"][data-step="${step}"]`).waitFor();
    if (number) await tid(finance, 'step-number-input').fill(number);
    await tid(finance, 'step-submit').click();
    await finance.locator(`[data-testid="invoice-step"][data-step="${step}"]`).waitFor();
  }
  await finance.locator('[data-testid="invoice-state"][data-status="INVOICE_STATE_PAID"]').waitFor();
  await finance.locator('[data-testid="order-paid"][data-paid="true"]').waitFor();
  await finance.locator('[data-testid="invoice-ledger-row"]').filter({ hasText: 'Rp 980.000' }).first().waitFor();
  await tid(finance, 'pph23-due').waitFor();
  await snap(finance, 'finance-invoice-paid');

  // 19. The ledger balances; PPh 23 Rp 20.000 is due by the 15th.
  await followNav(finance, 'nav-payments', '#/payments', consoleLines);
  await tid(finance, 'ledger-ok').waitFor();
  check(await finance.locator('[data-testid="ledger-check"] [data-ok="false"]').count() === 0, 'a ledger check fails');
  check((await tid(finance, 'tax-due-pph23').first().textContent()).trim() === 'Rp 20.000', 'PPh 23 due is not Rp 20.000');
  await snap(finance, 'finance-payments');

  // 20. Absorption: the budget line shows Rp 1.000.000 realised.
  await followNav(finance, 'nav-budget', '#/budget', consoleLines);
  const row = finance.locator(`[data-testid="budget-row"][data-id="${line.id}"]`);
  await row.waitFor();
  check((await row.getByTestId('row-realised').textContent()).trim() === 'Rp 1.000.000', 'absorption is not Rp 1.000.000');
  check((await row.getByTestId('row-committed').textContent()).trim() === 'Rp 0', 'money is still committed');
  await snap(finance, 'finance-absorption');

  // 21. The partner sees its invoice paid, with its age and tax lines.
  await partner.goto(invoiceUrl);
  await refreshUntil(partner, 'invoice-refresh', '[data-testid="invoice-state"][data-status="INVOICE_STATE_PAID"]', 'the paid invoice');
  check((await tid(partner, 'tax-net').textContent()).trim() === 'Rp 980.000', 'the partner does not see Rp 980.000');
  await tid(partner, 'invoice-age').waitFor();
  await snap(partner, 'partner-invoice-paid');
  check(orderId.length === 36, 'no order id');
}

const browser = await launchChromium();
let failed = false;
const started = Date.now();
try {
  await goldenPath(browser);
  console.log(`golden path: passed in ${((Date.now() - started) / 1000).toFixed(1)} s; screenshots in ${ARTIFACTS}`);
} catch (e) {
  failed = true;
  console.error(`golden path: FAILED: ${e.stack || e}`);
  for (const [label, page] of pages) {
    try {
      await page.screenshot({ path: join(ARTIFACTS, `failure-${label}.png`), fullPage: true });
      console.error(`  ${label} was at ${page.url()}`);
    } catch { /* the page may be gone */ }
  }
} finally {
  writeFileSync(join(ARTIFACTS, 'console.log'), consoleLines.join('\n') + '\n');
  await browser.close();
}
if (failed) {
  console.error(consoleLines.slice(-40).join('\n'));
  process.exit(1);
}
