// Where the gallery's two servers are, as the gateway wrote them into index.html's meta tags
// (GATEWAY_EVENT_PUBLIC_URL, GATEWAY_WORLD_PUBLIC_URL): base URLs such as "http://host:2567".
// An empty tag (or `npm run dev`, which serves index.html as is) means this page's own host with
// the servers' default ports.

/** The event server's default port (EVENT_HTTP_PORT). */
export const DEFAULT_EVENT_PORT = 2567;
/** The world server's default port (WORLD_PORT). */
export const DEFAULT_WORLD_PORT = 4100;

function metaUrl(name: string): string | null {
  const text = document.querySelector<HTMLMetaElement>(`meta[name="${name}"]`)?.content.trim() ?? '';
  if (!text) return null;
  try {
    const url = new URL(text);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
    return url.origin; // no path, no trailing slash
  } catch {
    return null;
  }
}

function ownHost(port: number): string {
  return `${location.protocol}//${location.hostname}:${port}`;
}

/** The event server's base URL ("http://host:port"), e.g. for `new Client(eventServerUrl())` of colyseus.js. */
export function eventServerUrl(): string {
  return metaUrl('hatongsu-event-url') ?? ownHost(DEFAULT_EVENT_PORT);
}

/** The world server's base URL ("http://host:port"). */
export function worldServerUrl(): string {
  return metaUrl('hatongsu-world-url') ?? ownHost(DEFAULT_WORLD_PORT);
}

/** The world server as @geckos.io/client wants it: `geckos({ ...worldServerGeckosOptions() })`. */
export function worldServerGeckosOptions(): { url: string; port: number } {
  const url = new URL(worldServerUrl());
  const port = url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
  return { url: `${url.protocol}//${url.hostname}`, port };
}
