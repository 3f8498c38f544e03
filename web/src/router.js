// Hash routes: "#/companies/abc" -> { name: 'company', params: { id: 'abc' } }.
const ROUTES = [
  ['login', /^\/login$/], ['signup', /^\/signup$/], ['forgot', /^\/forgot$/], ['reset', /^\/reset$/],
  ['profile', /^\/profile$/], ['notices', /^\/notices$/],
  ['dashboard', /^\/$/], ['dashboard', /^\/dashboard$/],
  ['my', /^\/my$/], ['register', /^\/register$/],
  ['companies', /^\/companies$/], ['companyNew', /^\/companies\/new$/],
  ['companyEdit', /^\/companies\/([^/]+)\/edit$/], ['company', /^\/companies\/([^/]+)$/],
  ['queue', /^\/verification$/], ['case', /^\/verification\/([^/]+)$/],
  ['announcement', /^\/announcement$/],
  ['outlets', /^\/outlets$/], ['outlet', /^\/outlets\/([^/]+)$/],
  ['rules', /^\/rules$/], ['prices', /^\/prices$/], ['users', /^\/users$/],
  ['releases', /^\/releases$/], ['releaseNew', /^\/releases\/new$/], ['releaseProof', /^\/releases\/([^/]+)\/proof$/],
  ['release', /^\/releases\/([^/]+)$/], ['inbox', /^\/inbox$/], ['inboxRelease', /^\/inbox\/([^/]+)$/],
  ['budget', /^\/budget$/], ['budgetLine', /^\/budget\/([^/]+)$/],
  ['agreements', /^\/agreements$/], ['agreement', /^\/agreements\/([^/]+)$/],
  ['orders', /^\/orders$/], ['orderNew', /^\/orders\/new$/], ['order', /^\/orders\/([^/]+)$/],
  ['offers', /^\/offers$/],
  ['invoices', /^\/invoices$/], ['invoiceNew', /^\/invoices\/new$/], ['invoice', /^\/invoices\/([^/]+)$/],
  ['taxes', /^\/taxes$/], ['payments', /^\/payments$/],
  ['years', /^\/years$/], ['requirements', /^\/requirements$/], ['audit', /^\/audit$/],
];

export function parseHash(hash) {
  const path = (hash || '').replace(/^#/, '').split('?')[0] || '/';
  for (const [name, re] of ROUTES) {
    const m = re.exec(path);
    if (m) return { name, id: m[1] ? decodeURIComponent(m[1]) : undefined, path };
  }
  return { name: 'notFound', path };
}

export const navigate = (path) => { globalThis.location.hash = '#' + path; };

// Which roles may open a route (partner routes check the company themselves).
export const STAFF = ['admin', 'verifier', 'partnership', 'pr', 'finance', 'head'];
export const ROUTE_ROLES = {
  dashboard: STAFF,
  companies: STAFF,
  company: [...STAFF, 'partner'],
  companyNew: ['admin', 'partnership', 'verifier'],
  companyEdit: ['admin', 'partnership', 'verifier', 'partner'],
  my: ['partner'],
  register: ['partner'],
  queue: ['admin', 'verifier', 'head'],
  case: ['admin', 'verifier', 'head'],
  announcement: ['admin', 'verifier', 'head'],
  outlets: STAFF,
  outlet: [...STAFF, 'partner'],
  rules: ['admin', 'head'],
  prices: ['admin', 'head'],
  users: ['admin'],
  releases: ['pr', 'head', 'admin', 'partnership'], releaseNew: ['pr'], release: ['pr', 'head', 'admin', 'partnership'],
  releaseProof: ['pr', 'head', 'admin', 'partnership'], inbox: ['partner'], inboxRelease: ['partner'],
  profile: [...STAFF, 'partner'], notices: [...STAFF, 'partner'],
  budget: ['admin', 'finance', 'head', 'partnership'],
  budgetLine: ['admin', 'finance', 'head', 'partnership'],
  agreements: [...STAFF, 'partner'],
  agreement: [...STAFF, 'partner'],
  orders: [...STAFF, 'partner'],
  orderNew: ['partnership'],
  order: [...STAFF, 'partner'],
  offers: ['partner'],
  invoices: ['admin', 'finance', 'head', 'partnership', 'partner'],
  invoiceNew: ['partner'],
  invoice: ['admin', 'finance', 'head', 'partnership', 'partner'],
  taxes: ['admin', 'finance', 'head'],
  payments: ['admin', 'finance', 'head'],
  years: ['admin', 'head'],
  requirements: ['admin', 'head', 'verifier'],
  audit: ['admin', 'head'],
};

// Pages anyone may open, logged in or not (a reset link may be opened either way).
export const PUBLIC_ROUTES = ['login', 'signup', 'forgot', 'reset'];

export const allowed = (route, roles = []) => {
  const need = ROUTE_ROLES[route];
  return !need || roles.some((r) => need.includes(r));
};
