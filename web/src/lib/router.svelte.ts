// A tiny history-API router: the current location as reactive state, plus navigation helpers.
// Links stay plain <a href>; a document-level click handler turns same-origin ones into pushState.

export const location = $state({ path: window.location.pathname, search: window.location.search });

function sync() {
  location.path = window.location.pathname;
  location.search = window.location.search;
}

export function navigate(to: string, options: { replace?: boolean } = {}) {
  if (to === window.location.pathname + window.location.search) return;
  if (options.replace) history.replaceState(null, '', to);
  else history.pushState(null, '', to);
  sync();
  if (!options.replace) window.scrollTo(0, 0);
}

/** Replaces the query string without a new history entry (table state, filters). */
export function setQuery(params: Record<string, string | number | undefined>) {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value !== undefined && value !== '') query.set(key, String(value));
  const text = query.toString();
  navigate(location.path + (text ? `?${text}` : ''), { replace: true });
}

export function query(): URLSearchParams {
  return new URLSearchParams(location.search);
}

/** The current path and query: where to come back to after signing in. */
export function here(): string {
  return location.path + location.search;
}

/**
 * A return path from the URL, accepted only when it stays on this site: resolved the way the
 * browser would (so `/\evil.example` or `/<tab>/evil.example` count as the other site they are),
 * and refused outright when it holds a backslash or a control character.
 */
export function safeReturn(value: string | null): string {
  if (!value || !value.startsWith('/') || /[\\\u0000-\u001f\u007f]/.test(value)) return '/';
  try {
    const target = new URL(value, window.location.origin);
    if (target.origin !== window.location.origin) return '/';
    return target.pathname + target.search + target.hash;
  } catch {
    return '/';
  }
}

// Paths the gateway answers itself (the API, probes, built assets): links there leave the app.
const SERVER_PATHS = /^\/(auth|user|album|file|files|health|livez|readyz|version|assets)(\/|$)/i;

export function startRouter() {
  window.addEventListener('popstate', sync);
  document.addEventListener('click', (event) => {
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    const link = (event.target as Element).closest?.('a');
    if (!link || link.target || link.hasAttribute('download') || link.origin !== window.location.origin) return;
    if (SERVER_PATHS.test(link.pathname)) return;
    event.preventDefault();
    navigate(link.pathname + link.search);
  });
}
