// Who did something, by name: staff see display names instead of user ids.
// gateway.LookupUsers answers staff only; names are cached for the session
// (a name rarely changes, and a stale one is still the same person).
import { useEffect, useState } from 'preact/hooks';
import { call } from './api.js';
import { t } from './i18n/index.js';

const cache = new Map(); // id -> { displayName, username } or null (no such user)
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const isUserId = (id) => UUID.test(id || '');

// Fetch the names of `ids` not cached yet; unknown ids are remembered as null.
export async function lookupNames(ids) {
  const want = [...new Set(ids.filter((id) => isUserId(id) && !cache.has(id.toLowerCase())))];
  for (let i = 0; i < want.length; i += 200) {
    const part = want.slice(i, i + 200);
    const r = await call('gateway', 'LookupUsers', { userIds: part });
    for (const id of part) cache.set(id.toLowerCase(), null);
    for (const u of r.users || []) cache.set(u.id.toLowerCase(), { displayName: u.displayName, username: u.username });
  }
}

// The words for `id`: "you" for the signed-in user, the system for the
// services' own changes, the display name when known, else the id itself.
export function nameOf(id, user) {
  if (!id || id === 'system' || id.startsWith('system:') || id.startsWith('gateway:')) return t('who.system');
  if (user && id === user.id) return t('who.you', { name: user.displayName || user.username });
  const n = cache.get(id.toLowerCase());
  return n ? n.displayName || n.username : id;
}

// const name = useNames(ids, user): re-renders once the names have arrived.
// Partners are not told staff names: for them ids stay as they are.
export function useNames(ids, user) {
  const [, setTick] = useState(0);
  const staff = !!user && user.roles.some((r) => r !== 'partner');
  const key = ids.filter(Boolean).sort().join(',');
  useEffect(() => {
    if (!staff || !key) return undefined;
    let live = true;
    lookupNames(key.split(',')).then(() => { if (live) setTick((x) => x + 1); }, () => { /* ids stay */ });
    return () => { live = false; };
  }, [key, staff]);
  return (id) => nameOf(id, user);
}

// Forget cached names (a new login may be someone else with other rights).
export function forgetNames() { cache.clear(); }
