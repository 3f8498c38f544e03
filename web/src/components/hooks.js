// Hooks: loading data, and running a user action with field-level errors.
import { useEffect, useRef, useState, useCallback } from 'preact/hooks';
import { action } from '../api.js';
import { mapViolations } from '../errors.js';
import { violationWords } from '../codes.js';

// const { data, error, loading, reload } = useLoad(async () => ..., [deps])
export function useLoad(fn, deps) {
  const [state, setState] = useState({ data: null, error: null, loading: true });
  const [n, setN] = useState(0);
  useEffect(() => {
    let live = true;
    setState((s) => ({ ...s, loading: true, error: null }));
    fn().then((data) => { if (live) setState({ data, error: null, loading: false }); },
      (error) => { if (live) setState({ data: null, error, loading: false }); });
    return () => { live = false; };
  }, [...deps, n]);
  const reload = useCallback(() => setN((x) => x + 1), []);
  return { ...state, reload };
}

// <h2 tabindex="-1" ref=${useFocusOnShow(key)}>: a panel that opens on
// request (edit a user, re-upload a document) takes the focus when key
// changes, so keyboard and screen-reader users land in it, not at the
// button that opened it (the panel may be far down the page on a phone).
export function useFocusOnShow(key) {
  const ref = useRef(null);
  useEffect(() => { if (key && ref.current) ref.current.focus(); }, [key]);
  return ref;
}

// const f = useAction(); await f.run(() => f.act.run('registry', 'Submit', body), knownFields)
// Keeps one idempotency key per user action (see api.js action()), the busy
// flag (buttons are disabled meanwhile), the error, and the violations
// mapped onto the form's fields. `resetKey` names the state the error was
// about (a case's state, a proposal): when it moves on, the error goes.
export function useAction(resetKey) {
  const act = useRef(null);
  if (!act.current) act.current = action();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const [byField, setByField] = useState({});
  const [unmatched, setUnmatched] = useState([]);
  const run = async (fn, known = [], opts = {}) => {
    setBusy(true);
    setError(null);
    try {
      const out = await fn(act.current);
      setByField({});
      setUnmatched([]);
      return out;
    } catch (e) {
      const m = mapViolations((e.violations || []).map((v) => ({ ...v, description: violationWords(v) })), known, opts);
      setByField(m.byField);
      setUnmatched(m.unmatched);
      setError(e);
      return undefined;
    } finally {
      setBusy(false);
    }
  };
  const clear = () => { setError(null); setByField({}); setUnmatched([]); };
  const seen = useRef(resetKey);
  useEffect(() => {
    if (seen.current !== resetKey) clear();
    seen.current = resetKey;
  }, [resetKey]);
  return { act: act.current, run, busy, error, byField, unmatched, clear };
}
