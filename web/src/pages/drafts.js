// A year's published set and its draft, if any (version -1: the draft, the
// admin's to review; opening a year drafts last year's sets).
import { call } from '../api.js';

const notFound = (e) => e.status === 404 || e.code === 'NOT_FOUND';

export async function loadPublishedAndDraft(method, fiscalYear) {
  const published = await call('scoring', method, { fiscalYear, version: 0 }).catch((e) => { if (notFound(e)) return null; throw e; });
  let draft = await call('scoring', method, { fiscalYear, version: -1 }).catch((e) => { if (notFound(e)) return null; throw e; });
  if (draft && draft.state !== 'SET_STATE_DRAFT') draft = null;
  return { published, draft };
}
