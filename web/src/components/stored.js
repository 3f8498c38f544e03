// State that survives a refresh and the browser's Back: kept in the tab's
// sessionStorage (gone when the tab closes, and cleared at logout, so what a
// partner typed never stays on a shared computer).
import { useState } from 'preact/hooks';

const PREFIX = 'seklik.draft.';

function read(key, initial) {
  if (!key) return typeof initial === 'function' ? initial() : initial;
  try {
    const s = globalThis.sessionStorage?.getItem(PREFIX + key);
    if (s) return JSON.parse(s);
  } catch { /* storage blocked or a bad value: start afresh */ }
  return typeof initial === 'function' ? initial() : initial;
}

// const [v, setV, forget] = useStored('wizard.new.company', EMPTY). setV
// takes a value or an updater; forget() drops the stored copy (after the
// server has what was typed). A falsy key keeps the state in memory only.
export function useStored(key, initial) {
  const [state, setState] = useState(() => ({ key, v: read(key, initial) }));
  // Another key (the company was created): its own stored value, or `initial`.
  const v = state.key === key ? state.v : read(key, initial);
  const set = (x) => setState((s) => {
    const old = s.key === key ? s.v : read(key, initial);
    const nv = typeof x === 'function' ? x(old) : x;
    if (key) try { globalThis.sessionStorage?.setItem(PREFIX + key, JSON.stringify(nv)); } catch { /* full or blocked */ }
    return { key, v: nv };
  });
  const forget = () => {
    if (key) try { globalThis.sessionStorage?.removeItem(PREFIX + key); } catch { /* ignore */ }
  };
  return [v, set, forget];
}

// Whether something is stored under `key`.
export function isStored(key) {
  try { return globalThis.sessionStorage?.getItem(PREFIX + key) != null; } catch { return false; }
}

export function forget(key) {
  try { globalThis.sessionStorage?.removeItem(PREFIX + key); } catch { /* ignore */ }
}

// Drop every stored draft (logout).
export function forgetAllDrafts() {
  try {
    const s = globalThis.sessionStorage;
    if (!s) return;
    for (let i = s.length - 1; i >= 0; i--) { const k = s.key(i); if (k && k.startsWith(PREFIX)) s.removeItem(k); }
  } catch { /* ignore */ }
}

// A message for the next page to show once ("Pengajuan terkirim"): `slot`
// names the page that takes it, `key` is a catalogue key.
export function setFlash(slot, key) {
  try { globalThis.sessionStorage?.setItem(`${PREFIX}flash.${slot}`, JSON.stringify(key)); } catch { /* ignore */ }
}

// The message left for `slot`, taken once when the page is shown.
export function useFlash(slot) {
  const [msg] = useState(() => {
    try {
      const s = globalThis.sessionStorage?.getItem(`${PREFIX}flash.${slot}`);
      if (s) { globalThis.sessionStorage.removeItem(`${PREFIX}flash.${slot}`); return JSON.parse(s); }
    } catch { /* ignore */ }
    return '';
  });
  return msg;
}
