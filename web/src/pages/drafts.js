// A year's published set and its draft, if any: the draft is the version
// after the published one (SaveXDraft replaces it until published).
import { call } from '../api.js';

const notFound = (e) => e.status === 404 || e.code === 'NOT_FOUND';

export async function loadPublishedAndDraft(method, fiscalYear) {
  const published = await call('scoring', method, { fiscalYear, version: 0 }).catch((e) => { if (notFound(e)) return null; throw e; });
  let draft = null;
  const next = (published?.version || 0) + 1;
  draft = await call('scoring', method, { fiscalYear, version: next }).catch((e) => { if (notFound(e)) return null; throw e; });
  if (draft && draft.state !== 'SET_STATE_DRAFT') draft = null;
  return { published, draft };
}
