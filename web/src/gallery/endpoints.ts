// Where the gallery's two servers are: src/lib/servers.ts reads the gateway's meta tags. The
// event server's base URL goes to colyseus.js as is (it accepts http[s] and ws[s]); the world
// server's is split into what @geckos.io/client wants.
export { eventServerUrl, worldServerGeckosOptions } from '../lib/servers';
