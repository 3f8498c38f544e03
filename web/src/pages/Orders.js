// Media orders (DOMAIN.md step 8): the year's orders with filters by state,
// outlet and month; a new order under an agreement (outlet, product with its
// ceiling, quantity, schedule, brief, the first offer); and the partner's
// inbox of offers waiting for its answer.
import { html, AppContext } from '../html.js';
import { useContext, useState } from 'preact/hooks';
import { call } from '../api.js';
import { useAction, useLoad } from '../components/hooks.js';
import { Field } from '../components/Field.js';
import { ErrorSummary } from '../components/ErrorSummary.js';
import { StatusBadge } from '../components/Badge.js';
import { DataTable, Loading, usePageTokens, Pager } from '../components/Table.js';
import { t, tEnum } from '../i18n/index.js';
import { formatDate, formatRupiah, parseRupiah } from '../format.js';
import { ORDER_STATES } from '../enums.js';
import { navigate } from '../router.js';
import { OfferActions } from './OrderDetail.js';

const isPartnerUser = (user) => user.roles.includes('partner');

export const scheduleText = (o, locale) => `${formatDate(o.data.scheduleFrom, locale)} – ${formatDate(o.data.scheduleTo, locale)}`;

// The outlets a filter offers: those of the orders' companies that have a tier.
async function outletOptions(year, user) {
  if (isPartnerUser(user)) {
    const r = await call('ordering', 'ListProducts', { fiscalYear: year, companyId: user.companyId }).catch(() => ({}));
    const seen = new Map((r.products || []).map((p) => [p.outletId, p.outletName]));
    return [...seen].map(([value, label]) => ({ value, label }));
  }
  const r = await call('scoring', 'ListTiers', { fiscalYear: year, pageSize: 200 }).catch(() => ({}));
  return (r.scores || []).filter((s) => s.tier && s.tier !== 'TIER_NONE').map((s) => ({ value: s.outletId, label: s.outletName || s.outletId }));
}

export function Orders() {
  const { year, user, locale } = useContext(AppContext);
  const partner = isPartnerUser(user);
  const [state, setState] = useState('');
  const [outletId, setOutletId] = useState('');
  const [month, setMonth] = useState('');
  const pages = usePageTokens();
  const outlets = useLoad(() => outletOptions(year, user), [year]);
  const d = useLoad(() => call('ordering', 'ListOrders', {
    fiscalYear: year, ...(state ? { state } : {}), ...(outletId ? { outletId } : {}), ...(month ? { month } : {}),
    pageSize: 50, ...(pages.page ? { pageToken: pages.page } : {}),
  }), [year, state, outletId, month, pages.page]);
  const reset = (fn) => (v) => { fn(v); pages.reset(); };
  return html`<section data-testid="orders-page">
    <div class="page-head"><h1>${t(partner ? 'orders.partnerTitle' : 'orders.title', { year })}</h1>
      ${user.roles.includes('partnership') && !partner ? html`<a class="btn primary" href="#/orders/new" data-testid="order-new">${t('orders.new')}</a>` : null}</div>
    <div class="filters">
      <${Field} label=${t('orders.filterState')} name="state" value=${state} onInput=${reset(setState)} testid="orders-state"
        options=${[{ value: '', label: t('common.any') }, ...ORDER_STATES.filter((s) => !partner || s !== 'ORDER_STATE_DRAFT').map((s) => ({ value: s, label: tEnum('OrderState', s) }))]} />
      <${Field} label=${t('orders.filterOutlet')} name="outletId" value=${outletId} onInput=${reset(setOutletId)} testid="orders-outlet"
        options=${[{ value: '', label: t('common.any') }, ...((outlets.data) || [])]} />
      <${Field} label=${t('orders.filterMonth')} name="month" type="month" value=${month} onInput=${reset(setMonth)} testid="orders-month"
        hint=${t('orders.filterMonthHint')} />
    </div>
    ${d.loading ? html`<${Loading} />` : d.error ? html`<${ErrorSummary} error=${d.error} />` : html`
      <${DataTable} testid="orders-table" rowTestid="order-row" rows=${d.data.orders || []} empty=${t('orders.empty')}
        caption=${t('orders.caption', { year })} columns=${[
          { label: t('order.heading'), render: (o) => html`<a href=${`#/orders/${o.id}`} data-testid="order-link">${o.data.title}</a>
            <br /><span class="muted" data-testid="order-number">${o.number || t('order.noNumber')}</span>` },
          ...(partner ? [] : [{ label: t('order.company'), render: (o) => o.companyName }]),
          { label: t('order.outlet'), render: (o) => o.outletName },
          { label: t('order.product'), render: (o) => `${tEnum('Product', o.data.product)} × ${o.data.quantity}` },
          { label: t('order.schedule'), render: (o) => scheduleText(o, locale) },
          { label: t('order.gross'), render: (o) => formatRupiah(o.gross) },
          { label: t('order.state'), render: (o) => html`<${StatusBadge} type="OrderState" value=${o.state} testid="order-state" />` },
        ]} />
      <${Pager} pages=${pages} nextToken=${d.data.nextPageToken} />`}
  </section>`;
}

// A new order: the agreement names the company; its outlets' products come
// with their ceilings from ordering's read model.
export function OrderNew() {
  const { year } = useContext(AppContext);
  const agreements = useLoad(() => call('ordering', 'ListAgreements', { fiscalYear: year, pageSize: 200 })
    .then((r) => (r.agreements || []).filter((a) => a.state === 'AGREEMENT_STATE_ACTIVE' || a.state === 'AGREEMENT_STATE_DRAFT')), [year]);
  const [agreementId, setAgreementId] = useState('');
  const agreement = (agreements.data || []).find((a) => a.id === agreementId);
  const products = useLoad(() => (agreement
    ? call('ordering', 'ListProducts', { fiscalYear: year, companyId: agreement.data.companyId }).then((r) => r.products || [])
    : Promise.resolve([])), [agreementId, year]);
  const [v, setV] = useState({ pick: '', quantity: '1', scheduleFrom: '', scheduleTo: '', title: '', brief: '', unitPrice: '', offerNow: true });
  const set = (k) => (x) => setV({ ...v, [k]: x });
  const f = useAction();
  const quotaProducts = new Set((agreement?.data.quotas || []).map((q) => q.product));
  const choices = (products.data || []).filter((p) => quotaProducts.has(p.product));
  const picked = choices.find((p) => `${p.outletId}|${p.product}` === v.pick);
  const known = ['order.agreementId', 'order.outletId', 'order.product', 'order.quantity', 'order.scheduleFrom', 'order.scheduleTo',
    'order.title', 'order.brief', 'unitPrice'];
  const save = async () => {
    const body = {
      order: {
        agreementId, outletId: picked?.outletId || '', product: picked?.product || 'PRODUCT_UNSPECIFIED',
        quantity: Number(v.quantity) || 0, scheduleFrom: v.scheduleFrom, scheduleTo: v.scheduleTo, title: v.title, brief: v.brief,
      },
      unitPrice: parseRupiah(v.unitPrice) ?? '0', offerNow: v.offerNow,
    };
    const out = await f.run((act) => act.run('ordering', 'CreateOrder', body), known);
    if (out) navigate(`/orders/${out.id}`);
  };
  // "order.outletId" and "order.product" both point at the one picker.
  const errors = {};
  for (const [k, e] of Object.entries(f.byField)) {
    const key = k === 'order.outletId' || k === 'order.product' ? 'pick' : k.replace(/^order\./, '');
    errors[key] = errors[key] ? `${errors[key]}; ${e}` : e;
  }
  if (agreements.loading) return html`<section><h1>${t('order.newTitle')}</h1><${Loading} /></section>`;
  return html`<section data-testid="order-new-page">
    <h1>${t('order.newTitle')}</h1>
    <form class="sub-card" onSubmit=${(e) => { e.preventDefault(); save(); }} novalidate data-testid="order-form">
      <${ErrorSummary} error=${f.error} byField=${errors} unmatched=${f.unmatched} testid="order-errors"
        labels=${{ agreementId: t('order.agreement'), pick: t('order.pickOutlet'), quantity: t('order.quantity'),
          scheduleFrom: t('order.scheduleFrom'), scheduleTo: t('order.scheduleTo'), title: t('order.heading'),
          brief: t('order.brief'), unitPrice: t('order.unitPrice') }} />
      <div class="grid">
        <${Field} label=${t('order.agreement')} name="agreementId" value=${agreementId} onInput=${(x) => { setAgreementId(x); setV({ ...v, pick: '' }); }}
          errors=${errors} required testid="order-agreement"
          options=${[{ value: '', label: t('common.choose') }, ...(agreements.data || []).map((a) => ({ value: a.id, label: `${a.data.number} — ${a.companyName}` }))]} />
        <${Field} label=${t('order.pickOutlet')} name="pick" value=${v.pick} onInput=${set('pick')} errors=${errors} required testid="order-product"
          hint=${!agreementId ? t('order.chooseAgreement') : products.data && !choices.length ? t('order.noProducts') : ''}
          options=${[{ value: '', label: t('common.choose') }, ...choices.map((p) => ({ value: `${p.outletId}|${p.product}`,
            label: `${p.outletName} — ${tEnum('Product', p.product)} (${t('order.ceiling')} ${formatRupiah(p.ceiling)})` }))]} />
        <${Field} label=${t('order.quantity')} name="quantity" type="number" min="1" value=${v.quantity} onInput=${set('quantity')} errors=${errors} required testid="order-quantity" />
        <${Field} label=${t('order.scheduleFrom')} name="scheduleFrom" type="date" value=${v.scheduleFrom} onInput=${set('scheduleFrom')} errors=${errors} required testid="order-schedule-from" />
        <${Field} label=${t('order.scheduleTo')} name="scheduleTo" type="date" value=${v.scheduleTo} onInput=${set('scheduleTo')} errors=${errors} required testid="order-schedule-to" />
        <${Field} label=${t('order.heading')} name="title" value=${v.title} onInput=${set('title')} errors=${errors} required testid="order-title" />
        <${Field} label=${t('order.unitPrice')} name="unitPrice" value=${v.unitPrice} onInput=${set('unitPrice')} errors=${errors} required inputmode="numeric"
          hint=${picked ? t('order.unitPriceHint', { ceiling: formatRupiah(picked.ceiling) }) : ''} testid="order-price" />
      </div>
      <${Field} label=${t('order.brief')} name="brief" value=${v.brief} onInput=${set('brief')} errors=${errors} multiline testid="order-brief" />
      <${Field} label=${t('order.offerNow')} name="offerNow" type="checkbox" value=${v.offerNow} onInput=${set('offerNow')} testid="order-offer-now" />
      <div class="actions"><button type="submit" class="btn primary" disabled=${f.busy} data-testid="order-save">${t('order.create')}</button></div>
    </form>
  </section>`;
}

// The partner's inbox: offers waiting for its answer, answered in place.
export function Offers() {
  const { year, locale } = useContext(AppContext);
  const d = useLoad(() => call('ordering', 'ListOrders', { fiscalYear: year, state: 'ORDER_STATE_OFFERED', pageSize: 100 }), [year]);
  const offers = d.data?.orders || [];
  return html`<section data-testid="offers-page">
    <div class="page-head"><h1>${t('offers.title')}</h1>
      <button type="button" class="btn small" onClick=${d.reload} data-testid="offers-refresh">${t('common.refresh')}</button></div>
    <p class="hint">${t('offers.intro')}</p>
    ${d.loading && !d.data ? html`<${Loading} />` : d.error ? html`<${ErrorSummary} error=${d.error} />` : !offers.length
      ? html`<p class="empty" data-testid="offers-empty">${t('offers.empty')}</p>`
      : html`<ul class="checklist">${offers.map((o) => html`<li class="sub-card" key=${o.id} data-testid="offer-card" data-id=${o.id}>
        <h2><a href=${`#/orders/${o.id}`} data-testid="offer-link">${o.data.title}</a></h2>
        <dl class="facts">
          <dt>${t('order.outlet')}</dt><dd>${o.outletName}</dd>
          <dt>${t('order.product')}</dt><dd>${tEnum('Product', o.data.product)} × ${o.data.quantity}</dd>
          <dt>${t('order.schedule')}</dt><dd>${scheduleText(o, locale)}</dd>
          <dt>${t('order.unitPrice')}</dt><dd data-testid="offer-price">${formatRupiah(o.unitPrice)}</dd>
          <dt>${t('order.ceiling')}</dt><dd>${formatRupiah(o.ceiling)}</dd>
          <dt>${t('order.gross')}</dt><dd>${formatRupiah(o.gross)}</dd>
        </dl>
        <${OfferActions} order=${o} onDone=${d.reload} prefix=${`offer-${o.id.slice(-6)}-`} />
      </li>`)}</ul>`}
  </section>`;
}
