// End-to-end test of the event server with the real colyseus.js 0.15.26 client (issue 8):
// starts the hatongsu-event binary given as argv[2] on a free loopback port, then drives it the
// way the frontend does. Exits 0 when every step passed, 1 at the first failure (which it names).
//
//   node tests/event-client/e2e.mjs build/debug/services/event/hatongsu-event
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { Client } = require('colyseus.js');

const binary = process.argv[2];
if (!binary) {
  console.error('usage: e2e.mjs <path to hatongsu-event>');
  process.exit(2);
}

const STEP_TIMEOUT_MS = 10000;
let server;
let step = 'start';

function fail(message) {
  console.error(`event e2e: FAILED at "${step}": ${message}`);
  if (server) server.kill('SIGKILL');
  process.exit(1);
}

function expect(condition, message) {
  if (!condition) fail(message);
}

// Resolves with the value `check` returns once it is truthy (polled on every event-loop turn
// through the promise), or fails the step after STEP_TIMEOUT_MS.
function waitFor(what, check) {
  return new Promise((resolve) => {
    const started = Date.now();
    const poll = () => {
      const value = check();
      if (value) return resolve(value);
      if (Date.now() - started > STEP_TIMEOUT_MS) return fail(`timed out waiting for ${what}`);
      setTimeout(poll, 10);
    };
    poll();
  });
}

function withTimeout(what, promise) {
  let timer;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out: ${what}`)), STEP_TIMEOUT_MS);
    }),
  ]);
}

// Starts the server on port 0 (and its admin port on port 0) and reads the ports it bound from its
// "listening" and "admin port listening" log lines: {port, adminPort}.
function startServer() {
  return new Promise((resolve, reject) => {
    server = spawn(binary, [], {
      env: {
        PATH: process.env.PATH,
        EVENT_HTTP_PORT: '0',
        EVENT_ADMIN_PORT: '0',
        EVENT_THREADS: '2',
        EVENT_RECONNECT_GRACE_MS: '20s',
        FRONTEND_URL: 'http://localhost:3000',
        LOG_LEVEL: 'info',
        ASAN_OPTIONS: process.env.ASAN_OPTIONS ?? '',
        LSAN_OPTIONS: process.env.LSAN_OPTIONS ?? '',
        TSAN_OPTIONS: process.env.TSAN_OPTIONS ?? '',
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let buffered = '';
    const ports = {};
    server.stderr.on('data', (chunk) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop();
      for (const line of lines) {
        const start = line.indexOf('{');
        if (start < 0) continue;
        try {
          const entry = JSON.parse(line.slice(start));
          if (entry.msg === 'listening') ports.port = entry.port;
          if (entry.msg === 'admin port listening') ports.adminPort = entry.port;
          if (ports.port && ports.adminPort) resolve(ports);
        } catch {
          // not a log line of ours
        }
      }
    });
    server.on('exit', (code) => reject(new Error(`server exited early with ${code}`)));
    setTimeout(() => reject(new Error('server did not start')), STEP_TIMEOUT_MS);
  });
}

// A joined room with everything a test looks at recorded as it happens.
async function join(client, options) {
  const room = await withTimeout('join', client.join('gallery_room', options));
  return track(room);
}

function track(room) {
  const seen = { added: new Map(), removed: [], chats: [], left: null };
  room.state.players.onAdd((player, key) => {
    seen.added.set(key, { playerId: player.playerId, nickname: player.nickname });
  });
  room.state.players.onRemove((_player, key) => seen.removed.push(key));
  room.onMessage('serverChatMessage', (message) => seen.chats.push(message));
  room.onMessage('__playground_message_types', () => {});
  room.onLeave((code) => {
    seen.left = code;
  });
  room.seen = seen;
  return room;
}

// The value of one series (name and labels as rendered) in the admin port's /metrics; 0 if absent.
async function metric(adminPort, series) {
  const text = await (await fetch(`http://127.0.0.1:${adminPort}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : 0;
}

async function main() {
  step = 'start the server';
  const { port, adminPort } = await startServer();
  const chatsSeries = 'hatongsu_event_chat_messages_total';
  const joinsSeries =
    'hatongsu_http_requests_total{method="POST",route="/matchmake/*",status="2xx"}';
  const joinLatencySeries =
    'hatongsu_http_request_duration_seconds_count{method="POST",route="/matchmake/*",status="2xx"}';
  const before = {
    chats: await metric(adminPort, chatsSeries),
    joins: await metric(adminPort, joinsSeries),
    joinLatency: await metric(adminPort, joinLatencySeries),
  };
  const endpoint = `ws://127.0.0.1:${port}`;
  const client = new Client(endpoint);

  step = 'two clients join and see each other through players.onAdd';
  const a = await join(client, { playerId: 'player-a', nickname: 'Alice' });
  const b = await join(client, { playerId: 'player-b', nickname: '하통수' });
  await waitFor("A's onAdd for B", () => a.seen.added.get(b.sessionId));
  await waitFor("B's onAdd for A", () => b.seen.added.get(a.sessionId));
  expect(a.seen.added.get(b.sessionId).nickname === '하통수', 'B has the wrong nickname');
  expect(b.seen.added.get(a.sessionId).playerId === 'player-a', 'A has the wrong playerId');

  step = 'they chat both ways';
  a.send('clientChatMessage', 'hello from A');
  const atB = await waitFor('B receives A', () =>
    b.seen.chats.find((m) => m.message === 'hello from A'));
  expect(atB.sessionId === a.sessionId, 'wrong sessionId on the chat');
  expect(atB.playerId === 'player-a' && atB.nickname === 'Alice', 'wrong sender fields');
  expect(typeof atB.timestamp === 'number' && atB.timestamp > 0, 'no timestamp');
  b.send('clientChatMessage', '안녕 from B');
  await waitFor('A receives B', () => a.seen.chats.find((m) => m.message === '안녕 from B'));

  step = 'the admin port counts the joins and the chats';
  expect((await metric(adminPort, chatsSeries)) === before.chats + 2, 'chat counter did not move by 2');
  expect((await metric(adminPort, joinsSeries)) === before.joins + 2, 'join counter did not move by 2');
  expect(
    (await metric(adminPort, joinLatencySeries)) === before.joinLatency + 2,
    'join latency histogram did not move by 2',
  );
  expect((await metric(adminPort, 'hatongsu_event_sockets')) >= 2, 'sockets gauge below 2');
  expect((await metric(adminPort, 'process_resident_memory_bytes')) > 0, 'no process metrics');

  step = 'one leaves and the other sees onRemove';
  const bSession = b.sessionId;
  await withTimeout('leave', b.leave());
  await waitFor("A's onRemove for B", () => a.seen.removed.includes(bSession));
  expect(b.seen.left === 4000, `B left with ${b.seen.left}, not 4000`);

  step = 'a join without nickname is refused';
  let refused = false;
  try {
    await withTimeout('join without nickname', client.join('gallery_room', { playerId: 'x' }));
  } catch (e) {
    refused = !String(e.message).startsWith('timed out');
  }
  expect(refused, 'the join without nickname was not refused');

  step = 'a reconnect within the window keeps the session';
  const c = await join(client, { playerId: 'player-c', nickname: 'Carol' });
  await waitFor("A's onAdd for C", () => a.seen.added.get(c.sessionId));
  const token = c.reconnectionToken;
  const cSession = c.sessionId;
  c.connection.transport.ws.terminate(); // the connection is lost: no LEAVE_ROOM
  let resumed = null;
  for (let attempt = 0; attempt < 100 && !resumed; attempt++) {
    try {
      resumed = track(await withTimeout('reconnect', client.reconnect(token)));
    } catch (e) {
      // The server may not have noticed the lost socket yet: it refuses until it has.
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  expect(resumed, 'reconnect(token) never succeeded');
  expect(resumed.sessionId === cSession, 'the reconnected session has a new id');
  await waitFor('C sees itself again', () => resumed.seen.added.get(cSession));
  expect(!a.seen.removed.includes(cSession), 'A saw C removed during the grace window');

  step = 'a late joiner receives the history';
  const d = await join(client, { playerId: 'player-d', nickname: 'Dave' });
  await waitFor('the history at D', () =>
    d.seen.chats.find((m) => m.message === '안녕 from B'));
  const first = d.seen.chats.findIndex((m) => m.message === 'hello from A');
  const second = d.seen.chats.findIndex((m) => m.message === '안녕 from B');
  expect(first >= 0 && first < second, 'the history is missing or out of order');

  step = 'SIGTERM closes every socket with 4000';
  server.removeAllListeners('exit');
  const exited = new Promise((resolve) => server.on('exit', resolve));
  server.kill('SIGTERM');
  await waitFor('A closed with 4000', () => a.seen.left === 4000);
  await waitFor('D closed with 4000', () => d.seen.left === 4000);
  const code = await withTimeout('server exit', exited);
  expect(code === 0, `the server exited with ${code}`);

  console.log('event e2e: all steps passed');
  process.exit(0);
}

main().catch((e) => fail(e.stack || String(e)));
