// htm bound to Preact's h: tagged templates instead of a JSX compile step.
import { h, createContext } from 'preact';
import htm from 'htm';

export const html = htm.bind(h);

// { user, year, setYear, refreshMe, locale, navigate }
export const AppContext = createContext(null);
