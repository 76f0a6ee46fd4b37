// Browser test of the world server (issue 9): three pages in Debian's headless Chromium load the
// real @geckos.io/client 3.0.1 and connect to the hatongsu-world binary given as argv[2], which
// this script starts on free ports. Each page must see the others join at their spawn positions
// (2 m apart at least), position and animation updates must reach the others, and closing a page
// must bring serverPlayerDisconnected to the rest within 5 s. Exits 0 when every step passed, 1 at
// the first failure (which it names).
//
// Chromium gathers no ICE candidates when loopback is the only interface, so run.sh starts this
// inside a network namespace of its own with a veth pair up; all traffic stays on 127.0.0.1.
//
//   tests/world-client/run.sh build/debug/services/world/hatongsu-world
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const { chromium } = require('playwright-core');
const here = path.dirname(fileURLToPath(import.meta.url));
const modules = path.join(here, 'node_modules');

const binary = process.argv[2];
if (!binary) {
  console.error('usage: e2e.mjs <path to hatongsu-world>');
  process.exit(2);
}

const STEP_TIMEOUT_MS = 10000;
let server;
let browser;
let step = 'start';

async function fail(message) {
  console.error(`world e2e: FAILED at "${step}": ${message}`);
  if (server) server.kill('SIGKILL');
  if (browser) await browser.close().catch(() => {});
  process.exit(1);
}

// The page: an import map for the client's ES modules, then a channel whose events are recorded.
const page = `<!doctype html><meta charset="utf-8"><title>world e2e</title>
<script type="importmap">{"imports":{
  "@geckos.io/client":"/node_modules/@geckos.io/client/lib/index.js",
  "@geckos.io/common/":"/node_modules/@geckos.io/common/",
  "@yandeu/events":"/node_modules/@yandeu/events/lib/index.js"}}</script>
<script type="module">
import geckos from '@geckos.io/client';
const port = Number(new URLSearchParams(location.search).get('port'));
window.received = [];
const channel = geckos({ url: 'http://127.0.0.1', port });
for (const name of ['serverNewPlayer', 'serverExistingPlayers', 'serverPlayerUpdate',
                    'serverPlayerAnimation', 'serverPlayerDisconnected']) {
  channel.on(name, (data) => window.received.push({ name, data }));
}
channel.onConnect((error) => {
  if (error) { window.connectError = String(error.message || error); return; }
  window.myId = channel.id;
});
window.channel = channel;
</script>`;

// Serves the page and the client's modules (and nothing outside node_modules).
function startStatic() {
  return new Promise((resolve) => {
    const web = http.createServer((req, res) => {
      const url = new URL(req.url, 'http://127.0.0.1');
      if (url.pathname === '/') {
        res.writeHead(200, { 'content-type': 'text/html' });
        return res.end(page);
      }
      const file = path.resolve(here, '.' + decodeURIComponent(url.pathname));
      if (!file.startsWith(modules + path.sep) || !fs.existsSync(file)) {
        res.writeHead(404);
        return res.end();
      }
      res.writeHead(200, { 'content-type': 'text/javascript' });
      fs.createReadStream(file).pipe(res);
    });
    web.listen(0, '127.0.0.1', () => resolve(web));
  });
}

// Starts the world server on free ports (its admin port too) and reads them from its "listening"
// and "admin port listening" log lines: {port, adminPort}.
function startWorld(origin) {
  return new Promise((resolve, reject) => {
    server = spawn(binary, [], {
      env: {
        ...process.env,
        WORLD_PORT: '0',
        WORLD_ADMIN_PORT: '0',
        WORLD_UDP_PORT: '0',
        WORLD_UDP_ADDR: '127.0.0.1',
        WORLD_CORS_ORIGINS: origin,
        LOG_FORMAT: 'json',
        LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let seen = '';
    const onData = (chunk) => {
      seen += chunk.toString();
      const lines = seen.split('\n');
      const portOf = (msg) => {
        const line = lines.find((l) => l.includes(`"msg":"${msg}"`));
        return line ? JSON.parse(line.slice(line.indexOf('{'))).port : undefined;
      };
      const port = portOf('listening');
      const adminPort = portOf('admin port listening');
      if (port && adminPort) resolve({ port, adminPort });
    };
    server.stdout.on('data', onData);
    server.stderr.on('data', onData);
    server.on('exit', (code) => reject(new Error(`hatongsu-world exited (${code}): ${seen}`)));
  });
}

async function waitFor(what, check) {
  const started = Date.now();
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() - started > STEP_TIMEOUT_MS) await fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const received = (p, name) => p.evaluate((n) => window.received.filter((m) => m.name === n), name);

async function open(context, base, worldPort, label) {
  step = `connect ${label}`;
  const p = await context.newPage();
  p.on('pageerror', (e) => console.error(`[${label}] page error: ${e.message}`));
  await p.goto(`${base}/?port=${worldPort}`);
  const id = await waitFor(`${label} to connect`, async () => {
    const error = await p.evaluate(() => window.connectError);
    if (error) await fail(`${label} could not connect: ${error}`);
    return p.evaluate(() => window.myId);
  });
  return { page: p, id, label };
}

function distance(a, b) {
  return Math.hypot(a.x - b.x, a.y - b.y, a.z - b.z);
}

const web = await startStatic();
const base = `http://127.0.0.1:${web.address().port}`;
let worldPort;
let adminPort;
try {
  ({ port: worldPort, adminPort } = await startWorld(base));
} catch (e) {
  await fail(e.message);
}

browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const context = await browser.newContext();
const a = await open(context, base, worldPort, 'A');
const b = await open(context, base, worldPort, 'B');
const c = await open(context, base, worldPort, 'C');

step = 'everyone sees the others join at their spawn positions';
const spawns = {};
for (const [watcher, others] of [[a, [b, c]], [b, [c]]]) {
  for (const other of others) {
    const joined = await waitFor(`${watcher.label} to see ${other.label} join`, async () =>
      (await received(watcher.page, 'serverNewPlayer')).find((m) => m.data.playerId === other.id));
    const position = joined.data.transform.position;
    if (![position.x, position.y, position.z].every(Number.isFinite)) {
      await fail(`${other.label}'s spawn is not a position: ${JSON.stringify(position)}`);
    }
    spawns[other.id] = position;
  }
}
const existing = await waitFor('C to receive the existing players', async () =>
  (await received(c.page, 'serverExistingPlayers')).find((m) => m.data.length === 3));
for (const player of existing.data) spawns[player.playerId] = player.transform.position;
for (const x of [a, b, c]) {
  if (!spawns[x.id]) await fail(`C's existing players lack ${x.label}`);
}
for (const [p, q] of [[a, b], [a, c], [b, c]]) {
  if (distance(spawns[p.id], spawns[q.id]) < 2 - 1e-9) {
    await fail(`${p.label} and ${q.label} spawned closer than 2 m`);
  }
}

step = 'a position update reaches the others';
await a.page.evaluate(() => window.channel.emit('clientPlayerUpdate', {
  position: { x: 1.5, y: 0, z: -2.25 }, rotation: { x: 0, y: 0.7071068, z: 0, w: 0.7071068 } }));
for (const watcher of [b, c]) {
  const update = await waitFor(`${watcher.label} to receive A's update`, async () =>
    (await received(watcher.page, 'serverPlayerUpdate')).find((m) => m.data.playerId === a.id));
  const position = update.data.transform.position;
  if (position.x !== 1.5 || position.z !== -2.25) {
    await fail(`${watcher.label} got A at ${JSON.stringify(position)}`);
  }
}
if ((await received(a.page, 'serverPlayerUpdate')).some((m) => m.data.playerId === a.id)) {
  await fail('A was sent its own update');
}

step = 'an animation update reaches the others';
await b.page.evaluate((id) => window.channel.emit('clientAnimationUpdate', { playerId: id, state: 2 }), b.id);
for (const watcher of [a, c]) {
  await waitFor(`${watcher.label} to receive B's animation`, async () =>
    (await received(watcher.page, 'serverPlayerAnimation')).find(
      (m) => m.data.playerId === b.id && m.data.state === 2));
}

step = 'closing a page disconnects its player within 5 s';
const closedAt = Date.now();
await c.page.close();
for (const watcher of [a, b]) {
  await waitFor(`${watcher.label} to see C leave`, async () =>
    (await received(watcher.page, 'serverPlayerDisconnected')).some((m) => m.data === c.id));
}
const took = Date.now() - closedAt;
if (took > 5000) await fail(`the others learnt of C's leaving after ${took} ms`);

step = 'the admin port counts the players and their updates';
const metricsText = await (await fetch(`http://127.0.0.1:${adminPort}/metrics`)).text();
const metric = (series) => {
  const line = metricsText.split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : undefined;
};
if (metric('hatongsu_world_joined_total') !== 3) {
  await fail(`hatongsu_world_joined_total is ${metric('hatongsu_world_joined_total')}, not 3`);
}
if (metric('hatongsu_world_players') !== 2) {
  await fail(`hatongsu_world_players is ${metric('hatongsu_world_players')}, not 2`);
}
if (!(metric('hatongsu_world_updates_relayed_total') >= 2)) {
  await fail('hatongsu_world_updates_relayed_total did not count the relayed update');
}
const offers = metric('hatongsu_http_requests_total{method="POST",route="/.wrtc/v2/connections",status="2xx"}');
if (offers !== 3) await fail(`signalling POSTs counted ${offers}, not 3`);

await browser.close();
server.kill('SIGTERM');
web.close();
console.log(`world e2e: passed (C's leaving reached the others in ${took} ms)`);
process.exit(0);
