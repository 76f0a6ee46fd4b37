// Chromium smoke test for libs/webrtc: a plain page's RTCPeerConnection takes our offer (the
// geckos.io flow: the server offers and opens the channel), the channel carries messages both ways,
// then pc.close() must reach the server. Run through smoke.sh (network namespace).
// Usage: node smoke.mjs <path to webrtc_chromium_smoke>
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { chromium } from 'playwright-core';

const server = spawn(process.argv[2], [], { stdio: ['pipe', 'pipe', 'inherit'] });
const lines = [];
const waiters = [];
readline.createInterface({ input: server.stdout }).on('line', (line) => {
  console.log(`server: ${line.slice(0, 120)}`);
  lines.push(line);
  for (const w of [...waiters]) w();
});
const exited = new Promise((resolve) => server.on('exit', (code) => resolve(code)));

function nextLine(prefix, timeoutMs = 15000) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${prefix}`)), timeoutMs);
    const check = () => {
      const found = lines.find((l) => l.startsWith(prefix));
      if (found !== undefined) {
        clearTimeout(timer);
        waiters.splice(waiters.indexOf(check), 1);
        resolve(found);
      }
    };
    waiters.push(check);
    check();
  });
}

function assert(cond, what) {
  if (!cond) throw new Error(`assertion failed: ${what}`);
}

const userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'webrtc-smoke-'));
const context = await chromium.launchPersistentContext(userDir, {
  executablePath: '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  // Connects a fresh page to the server's next offer; resolves with the page and channel info.
  async function connect(id) {
    const page = await context.newPage();
    const offerLine = await nextLine(`OFFER ${id} `);
    const offer = JSON.parse(offerLine.slice(`OFFER ${id} `.length));
    const answer = await page.evaluate(async (sdp) => {
      const pc = new RTCPeerConnection({ iceServers: [] });
      window.pc = pc;
      window.got = [];
      window.states = [];
      pc.onconnectionstatechange = () => window.states.push(pc.connectionState);
      window.opened = new Promise((resolve) => {
        pc.ondatachannel = (e) => {
          const ch = e.channel;
          window.ch = ch;
          ch.onmessage = (m) => window.got.push(m.data);
          ch.onclose = () => window.states.push('channel-closed');
          const info = () => ({ label: ch.label, id: ch.id, ordered: ch.ordered,
            maxRetransmits: ch.maxRetransmits, protocol: ch.protocol, state: ch.readyState });
          if (ch.readyState === 'open') resolve(info());
          else ch.onopen = () => resolve(info());
        };
      });
      await pc.setRemoteDescription({ type: 'offer', sdp });
      await pc.setLocalDescription(await pc.createAnswer());
      return pc.localDescription.sdp;
    }, offer);
    server.stdin.write(`ANSWER ${JSON.stringify(answer)}\n`);
    const info = await page.evaluate(() => window.opened);
    console.log(`browser channel ${id}:`, JSON.stringify(info));
    return { page, info };
  }

  // Phase 1: messages both ways, idle past the consent timeout, the browser closes.
  const { page, info } = await connect('chromium-1');
  assert(info.label === 'geckos.io', 'label geckos.io');
  assert(info.id === 1, 'stream id 1 (the server is the DTLS server)');
  assert(info.ordered === false && info.maxRetransmits === 0, 'unordered, 0 retransmits');
  const maxMessageSize = await page.evaluate(() => window.pc.sctp.maxMessageSize);
  assert(maxMessageSize === 262144, `maxMessageSize 262144 (got ${maxMessageSize})`);
  await page.waitForFunction(() => window.got.includes('hello from server'), null, { timeout: 10000 });
  await page.evaluate(() => window.ch.send('hello from browser'));
  await page.waitForFunction(() => window.got.includes('echo: hello from browser'), null,
    { timeout: 10000 });
  await page.evaluate(() => window.ch.send(new Uint8Array([1, 2, 3]).buffer));
  await page.evaluate(() => window.ch.send('x'.repeat(200000)));
  await nextLine('MESSAGE 200000 text');
  await nextLine('MESSAGE 3 binary');
  const stats = await page.evaluate(async () => {
    const out = {};
    (await window.pc.getStats()).forEach((s) => {
      if (s.type === 'transport') Object.assign(out, { dtlsRole: s.dtlsRole, tlsVersion: s.tlsVersion,
        cipher: s.dtlsCipher, iceRole: s.iceRole });
    });
    return out;
  });
  console.log('browser transport:', JSON.stringify(stats));
  // Idle longer than the server's 5 s consent timeout: Chromium's own checks must keep it open.
  await new Promise((resolve) => setTimeout(resolve, 8000));
  assert(!lines.some((l) => l.startsWith('CLOSED ')), 'still open after 8 s idle');
  await page.evaluate(() => window.ch.send('still here'));
  await nextLine('MESSAGE 10 text still here');
  await page.evaluate(() => window.pc.close());
  const closed1 = await nextLine('CLOSED chromium-1 ');
  assert(closed1 === 'CLOSED chromium-1 remote_closed', `server saw the close (${closed1})`);

  // Phase 2: the server closes; what does Chromium see, and how soon?
  const second = await connect('chromium-2');
  await second.page.waitForFunction(() => window.got.includes('hello from server'), null,
    { timeout: 10000 });
  const t0 = Date.now();
  await second.page.evaluate(() => window.ch.send('close me'));
  await nextLine('CLOSED chromium-2 closed');
  await second.page.waitForFunction(() => window.states.includes('channel-closed'), null,
    { timeout: 10000 });
  const seen = await second.page.evaluate(() => window.states);
  console.log(`browser after the server's Close (${Date.now() - t0} ms):`, JSON.stringify(seen));
  server.stdin.write('DONE\n');
  const code = await exited;
  assert(code === 0, `server exit code 0 (got ${code})`);
  console.log('chromium smoke: PASS');
} catch (e) {
  console.error('chromium smoke: FAIL', e);
  server.kill('SIGKILL');
  process.exitCode = 1;
} finally {
  await context.close();
  fs.rmSync(userDir, { recursive: true, force: true });
}
