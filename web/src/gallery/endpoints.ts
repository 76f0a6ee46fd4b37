// Where the gallery's two servers are: the gateway writes them into index.html's meta tags
// `hatongsu-event-url` (ws[s]://host:port) and `hatongsu-world-url` (http[s]://host:port).
// Without them (vite dev) they are the page's host on the servers' default ports.
function meta(name: string): string {
  return document.querySelector<HTMLMetaElement>(`meta[name="${name}"]`)?.content.trim() ?? '';
}

export function eventServerUrl(): string {
  const ws = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return meta('hatongsu-event-url') || `${ws}//${location.hostname}:2567`;
}

export function worldServerUrl(): string {
  return meta('hatongsu-world-url') || `${location.protocol}//${location.hostname}:4100`;
}
