// The year's tax table (PPh 23 and its uplift without NPWP, PPN as a rate
// and a DPP factor, the WAPU threshold, the rounding rule): finance edits a
// draft and publishes it; every version stays listed; a computation can be
// tried with the form as it is. And the supporting documents required by
// value, the checklist every invoice is held to.
import { html, AppContext } from '../html.js';
import { useContext, useState } from 'preact/hooks';
import { call } from '../api.js';
import { useAction, useLoad } from '../components/hooks.js';
import { Field } from '../components/Field.js';
import { ErrorSummary, Notice } from '../components/ErrorSummary.js';
import { StatusBadge } from '../components/Badge.js';
import { DataTable, Loading } from '../components/Table.js';
import { t, tEnum } from '../i18n/index.js';
import { formatDateTime, formatRupiah, parseRupiah } from '../format.js';
import { bpToPercent, percentToBp, priceFactor, effectiveRateBp, DOCUMENT_KINDS } from '../invoices.js';
import { TaxLines } from './Invoices.js';

const ROUNDINGS = ['ROUNDING_HALF_UP', 'ROUNDING_HALF_EVEN', 'ROUNDING_DOWN'];
const mayEdit = (user) => !user.roles.includes('partner') && user.roles.includes('finance');

// The table as the form holds it (percents and rupiah as typed).
const toForm = (d) => ({
  pph23: bpToPercent(d.pph23RateBp), uplift: String(d.noNpwpUpliftPercent ?? 0), ppn: bpToPercent(d.ppnRateBp),
  dppNum: String(d.dppFactorNumerator ?? 1), dppDen: String(d.dppFactorDenominator ?? 1),
  threshold: formatRupiah(d.wapuThreshold).replace(/^Rp /, ''), rounding: d.rounding || 'ROUNDING_HALF_UP',
  legalBasis: d.legalBasis || '',
});

// The form -> TaxTableInput; a percent that cannot be read goes as -1, so
// the server names its field (the client names it too).
const fromForm = (year, v) => ({
  fiscalYear: year, pph23RateBp: percentToBp(v.pph23) ?? -1, noNpwpUpliftPercent: Number.parseInt(v.uplift, 10) || 0,
  ppnRateBp: percentToBp(v.ppn) ?? -1, dppFactorNumerator: Number.parseInt(v.dppNum, 10) || 0,
  dppFactorDenominator: Number.parseInt(v.dppDen, 10) || 0, wapuThreshold: parseRupiah(v.threshold) ?? '-1',
  rounding: v.rounding, legalBasis: v.legalBasis,
});

export function Taxes() {
  const { year } = useContext(AppContext);
  const [n, setN] = useState(0);
  const table = useLoad(() => call('accounting', 'GetTaxTable', { fiscalYear: year }), [year, n]);
  const versions = useLoad(() => call('accounting', 'ListTaxTables', { fiscalYear: year }), [year, n]);
  const reload = () => setN(n + 1);
  return html`<section data-testid="taxes-page">
    <h1>${t('taxes.title', { year })}</h1>
    <p class="hint">${t('taxes.intro')}</p>
    ${table.loading && !table.data ? html`<${Loading} />` : table.error ? html`<${ErrorSummary} error=${table.error} />`
      : html`<${TableEditor} key=${`${year}-${table.data.version}-${table.data.state}-${n}`} year=${year} table=${table.data} onDone=${reload} />`}
    <section aria-labelledby="h-versions"><h2 id="h-versions">${t('taxes.versions')}</h2>
      ${versions.loading && !versions.data ? html`<${Loading} />` : versions.error ? html`<${ErrorSummary} error=${versions.error} />` : html`
        <${DataTable} testid="tax-versions" rowTestid="tax-version" rowKey=${(x) => x.version} rows=${versions.data.tables || []}
          caption=${t('taxes.versionsCaption')} columns=${[
            { label: t('taxes.version', { v: '' }).trim(), render: (x) => x.version },
            { label: t('taxes.state'), render: (x) => html`<${StatusBadge} type="TaxTableState" value=${x.state} testid="tax-version-state" />` },
            { label: 'PPh 23', render: (x) => `${bpToPercent(x.data.pph23RateBp)}%` },
            { label: 'PPN', render: (x) => `${bpToPercent(x.data.ppnRateBp)}% × ${x.data.dppFactorNumerator}/${x.data.dppFactorDenominator}` },
            { label: t('taxes.rounding'), render: (x) => tEnum('Rounding', x.data.rounding) },
            { label: t('taxes.publishedAt'), render: (x) => (x.publishedAt ? `${formatDateTime(x.publishedAt)} (${x.publishedBy})` : '—') },
          ]} />`}
    </section>
    <${DocumentRules} key=${year} year=${year} />
  </section>`;
}

function TableEditor({ year, table, onDone }) {
  const { user } = useContext(AppContext);
  const editable = mayEdit(user);
  const [v, setV] = useState(() => toForm(table.data || {}));
  const [msg, setMsg] = useState('');
  const save = useAction();
  const pub = useAction();
  const set = (k) => (x) => setV({ ...v, [k]: x });
  const known = ['table.pph23RateBp', 'table.noNpwpUpliftPercent', 'table.ppnRateBp', 'table.dppFactorNumerator',
    'table.dppFactorDenominator', 'table.wapuThreshold', 'table.rounding', 'table.legalBasis', 'expectedVersion'];
  const labels = {
    'table.pph23RateBp': t('taxes.pph23'), 'table.noNpwpUpliftPercent': t('taxes.uplift'), 'table.ppnRateBp': t('taxes.ppn'),
    'table.dppFactorNumerator': t('taxes.dppNum'), 'table.dppFactorDenominator': t('taxes.dppDen'),
    'table.wapuThreshold': t('taxes.threshold'), 'table.rounding': t('taxes.rounding'), 'table.legalBasis': t('taxes.legalBasis'),
  };
  const input = fromForm(year, v);
  const local = {};
  if (percentToBp(v.pph23) === null) local['table.pph23RateBp'] = t('taxes.badPercent');
  if (percentToBp(v.ppn) === null) local['table.ppnRateBp'] = t('taxes.badPercent');
  const errors = { ...save.byField, ...local };
  const draft = table.state === 'TAX_TABLE_STATE_DRAFT' && table.version > 0;
  const onSave = async (e) => {
    e.preventDefault();
    setMsg('');
    const out = await save.run((a) => a.run('accounting', 'SaveTaxTable', { table: input, expectedVersion: draft ? table.version : 0 }), known);
    if (out) { setMsg(t('taxes.saved', { v: out.version })); onDone(); }
  };
  const onPublish = async () => {
    const out = await pub.run((a) => a.run('accounting', 'PublishTaxTable', { fiscalYear: year, version: table.version }), ['version']);
    if (out) onDone();
  };
  const rate = effectiveRateBp(input) / 100;
  return html`<section aria-labelledby="h-table" class="sub-card" data-testid="tax-table">
    <h2 id="h-table">${table.version ? t('taxes.version', { v: table.version }) : t('taxes.defaults')}
      ${' '}<${StatusBadge} type="TaxTableState" value=${table.state} testid="tax-table-state" /></h2>
    ${msg ? html`<${Notice} kind="ok" testid="tax-table-saved">${msg}<//>` : null}
    <form onSubmit=${onSave} novalidate data-testid="tax-table-form">
      <${ErrorSummary} error=${save.error || pub.error} byField=${save.byField} unmatched=${[...save.unmatched, ...pub.unmatched]} labels=${labels}
        testid="tax-table-errors" prefix="tax-" />
      <fieldset disabled=${!editable}>
        <legend class="sr-only">${t('taxes.title', { year })}</legend>
        <div class="grid">
          <${Field} prefix="tax-" label=${labels['table.pph23RateBp']} name="table.pph23RateBp" value=${v.pph23} onInput=${set('pph23')} errors=${errors}
            inputmode="decimal" hint=${t('taxes.pph23Hint')} testid="tax-pph23" />
          <${Field} prefix="tax-" label=${labels['table.noNpwpUpliftPercent']} name="table.noNpwpUpliftPercent" value=${v.uplift} onInput=${set('uplift')}
            errors=${errors} inputmode="numeric" hint=${t('taxes.upliftHint')} testid="tax-uplift" />
          <${Field} prefix="tax-" label=${labels['table.ppnRateBp']} name="table.ppnRateBp" value=${v.ppn} onInput=${set('ppn')} errors=${errors}
            inputmode="decimal" testid="tax-ppn" />
          <${Field} prefix="tax-" label=${labels['table.dppFactorNumerator']} name="table.dppFactorNumerator" value=${v.dppNum} onInput=${set('dppNum')}
            errors=${errors} inputmode="numeric" hint=${t('taxes.dppHint')} testid="tax-dpp-num" />
          <${Field} prefix="tax-" label=${labels['table.dppFactorDenominator']} name="table.dppFactorDenominator" value=${v.dppDen} onInput=${set('dppDen')}
            errors=${errors} inputmode="numeric" testid="tax-dpp-den" />
          <${Field} prefix="tax-" label=${labels['table.wapuThreshold']} name="table.wapuThreshold" value=${v.threshold} onInput=${set('threshold')}
            errors=${errors} inputmode="numeric" hint=${t('taxes.thresholdHint')} testid="tax-threshold" />
          <${Field} prefix="tax-" label=${labels['table.rounding']} name="table.rounding" value=${v.rounding} onInput=${set('rounding')} errors=${errors}
            testid="tax-rounding" options=${ROUNDINGS.map((r) => ({ value: r, label: tEnum('Rounding', r) }))} />
        </div>
        <p data-testid="tax-derived">${t('taxes.derived', { rate: String(rate).replace('.', ','), factor: priceFactor(input) })}</p>
        <${Field} prefix="tax-" label=${labels['table.legalBasis']} name="table.legalBasis" value=${v.legalBasis} onInput=${set('legalBasis')}
          errors=${errors} multiline testid="tax-legal-basis" />
      </fieldset>
      ${editable ? html`<div class="actions">
        <button type="submit" class="btn" disabled=${save.busy || Object.keys(local).length > 0} data-testid="tax-table-save">${t('taxes.save')}</button>
        ${draft ? html`<button type="button" class="btn primary" disabled=${pub.busy} onClick=${onPublish} data-testid="tax-table-publish">
          ${t('taxes.publish', { v: table.version })}</button>` : null}
      </div>` : null}
    </form>
    <${TryIt} table=${input} disabled=${Object.keys(local).length > 0} />
  </section>`;
}

function TryIt({ table, disabled }) {
  const [gross, setGross] = useState('1.000.000');
  const [pkp, setPkp] = useState(false);
  const [npwp, setNpwp] = useState(true);
  const [out, setOut] = useState(null);
  const f = useAction();
  const go = async (e) => {
    e.preventDefault();
    const r = await f.run(() => call('accounting', 'PreviewTax', { table, gross: parseRupiah(gross) ?? '-1', pkp, hasNpwp: npwp }), ['gross']);
    if (r) setOut(r);
  };
  return html`<form class="sub-card" onSubmit=${go} novalidate data-testid="tax-try">
    <h3>${t('taxes.try')}</h3>
    <${ErrorSummary} error=${f.error} byField=${f.byField} unmatched=${f.unmatched} labels=${{ gross: t('taxes.tryAmount') }} testid="tax-try-errors" prefix="try-" />
    <div class="grid">
      <${Field} prefix="try-" label=${t('taxes.tryAmount')} name="gross" value=${gross} onInput=${setGross} errors=${f.byField} inputmode="numeric" testid="tax-try-gross" />
      <${Field} prefix="try-" label=${t('taxes.tryPkp')} name="pkp" type="checkbox" value=${pkp} onInput=${setPkp} testid="tax-try-pkp" />
      <${Field} prefix="try-" label=${t('taxes.tryNpwp')} name="hasNpwp" type="checkbox" value=${npwp} onInput=${setNpwp} testid="tax-try-npwp" />
    </div>
    <div class="actions"><button type="submit" class="btn" disabled=${f.busy || disabled} data-testid="tax-try-go">${t('taxes.tryGo')}</button></div>
    ${out ? html`<${TaxLines} tax=${out} testid="tax-try-lines" />` : null}
  </form>`;
}

function DocumentRules({ year }) {
  const { user } = useContext(AppContext);
  const editable = mayEdit(user);
  const d = useLoad(() => call('accounting', 'GetDocumentRules', { fiscalYear: year }), [year]);
  const [rows, setRows] = useState(null);
  const [msg, setMsg] = useState('');
  const f = useAction();
  if (d.loading && !d.data) return html`<${Loading} />`;
  if (d.error) return html`<${ErrorSummary} error=${d.error} />`;
  const current = rows || DOCUMENT_KINDS.map((kind) => {
    const r = (d.data.rules || []).find((x) => x.kind === kind) || {};
    return { kind, required: !!r.required, above: formatRupiah(r.above || 0).replace(/^Rp /, ''), upTo: formatRupiah(r.upTo || 0).replace(/^Rp /, '') };
  });
  const set = (i, k) => (x) => setRows(current.map((r, j) => (j === i ? { ...r, [k]: x } : r)));
  const save = async (e) => {
    e.preventDefault();
    setMsg('');
    const out = await f.run((a) => a.run('accounting', 'SaveDocumentRules', {
      fiscalYear: year,
      rules: current.map((r) => ({ kind: r.kind, required: r.required, above: parseRupiah(r.above) ?? '-1', upTo: parseRupiah(r.upTo) ?? '-1' })),
    }), current.flatMap((r, i) => [`rules[${i}].above`, `rules[${i}].upTo`, `rules[${i}].kind`]));
    if (out) { setRows(null); setMsg(t('rules.saved')); d.reload(); }
  };
  return html`<section aria-labelledby="h-rules" class="sub-card" data-testid="document-rules">
    <h2 id="h-rules">${t('rules.title')}</h2>
    <p class="hint">${t('rules.intro')}</p>
    ${d.data.defaults ? html`<p class="muted" data-testid="rules-defaults">${t('rules.defaults')}</p>` : null}
    ${msg ? html`<${Notice} kind="ok" testid="rules-saved">${msg}<//>` : null}
    <form onSubmit=${save} novalidate data-testid="rules-form">
      <${ErrorSummary} error=${f.error} byField=${f.byField} unmatched=${f.unmatched} testid="rules-errors" prefix="rules-" />
      <fieldset disabled=${!editable}>
        <legend class="sr-only">${t('rules.caption')}</legend>
        ${current.map((r, i) => html`<div class="grid" data-testid="rule-row" data-kind=${r.kind}>
          <${Field} prefix="rules-" label=${`${tEnum('DocumentKind', r.kind)}: ${t('rules.required')}`} name=${`rules[${i}].required`} type="checkbox"
            value=${r.required} onInput=${set(i, 'required')} testid=${`rule-required-${i}`} />
          <${Field} prefix="rules-" label=${`${tEnum('DocumentKind', r.kind)}: ${t('rules.above')}`} name=${`rules[${i}].above`} value=${r.above}
            onInput=${set(i, 'above')} errors=${f.byField} inputmode="numeric" testid=${`rule-above-${i}`} />
          <${Field} prefix="rules-" label=${`${tEnum('DocumentKind', r.kind)}: ${t('rules.upTo')}`} name=${`rules[${i}].upTo`} value=${r.upTo}
            onInput=${set(i, 'upTo')} errors=${f.byField} inputmode="numeric" testid=${`rule-up-to-${i}`} />
        </div>`)}
      </fieldset>
      ${editable ? html`<div class="actions"><button type="submit" class="btn" disabled=${f.busy} data-testid="rules-save">${t('rules.save')}</button></div>` : null}
    </form>
  </section>`;
}
