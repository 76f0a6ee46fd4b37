// The 3D gallery's bench (make bench, through scripts/bench_gallery.sh in a network namespace):
//   (1) the gallery's JavaScript: every script the page fetches on entering the room, gzipped;
//   (2) time from navigation to the first rendered frame, and from the Enter click to it;
//   (3) frames per second at 1280x720 in headless Chromium's software renderer (SwiftShader) with
//       20 remote avatars, driven over the real world server, each walking a circle at 20
//       updates/s: by default by 20 native WebRTC peers (bench/world_load --walk 1, the path in
//       HATONGSU_BENCH_WORLD_LOAD); with HATONGSU_BENCH_DRIVER=browser by 20 @geckos.io/client
//       connections in a second page of the same browser (which then pays for their traffic too).
// Reads the HATONGSU_E2E_* variables; prints each number with its target.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { availableParallelism, loadavg } from 'node:os';
import { DESKTOP, env } from '../e2e/helpers.mjs';
import { launchWebGl } from '../e2e/gallery-helpers.mjs';

const web = join(dirname(fileURLToPath(import.meta.url)), '..');
const AVATARS = Number(process.env.HATONGSU_BENCH_AVATARS ?? 20);
const SECONDS = Number(process.env.HATONGSU_BENCH_SECONDS) || 10;
const RUNS = Number(process.env.HATONGSU_BENCH_RUNS) || 5;
// HATONGSU_BENCH_STILL=1: the walkers stand still (animated, sending nothing), to tell the cost of
// drawing 20 avatars from the cost of their traffic on the same machine.
const STILL = process.env.HATONGSU_BENCH_STILL === '1';
const WORLD_LOAD = process.env.HATONGSU_BENCH_WORLD_LOAD;
const NATIVE = process.env.HATONGSU_BENCH_DRIVER !== 'browser' && !STILL;
if (NATIVE && !WORLD_LOAD) throw new Error('HATONGSU_BENCH_WORLD_LOAD (bench/world_load) is not set');

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

// The driver: the real geckos client from web/node_modules, run in a page of the gateway's
// origin (the world server's CORS allows it, and Chromium lets a loopback page call loopback).
// Playwright serves the client's modules under /__bench/, with their bare imports made paths.
const MODULES = [
  ['@geckos.io/common/', '/__bench/node_modules/@geckos.io/common/'],
  ['@geckos.io/client', '/__bench/node_modules/@geckos.io/client/lib/index.js'],
  ['@yandeu/events', '/__bench/node_modules/@yandeu/events/lib/index.js'],
];

async function serveModules(context) {
  await context.route(`${env.url}/__bench/node_modules/**`, async (route) => {
    const path = new URL(route.request().url()).pathname.replace(/^\/__bench\//, '');
    if (path.includes('..')) return route.fulfill({ status: 404 });
    let body = readFileSync(join(web, path), 'utf8');
    for (const [bare, url] of MODULES) body = body.replaceAll(`from '${bare}`, `from '${url}`);
    return route.fulfill({ contentType: 'text/javascript', body });
  });
}

/** Connects `count` walkers (five at a time: the server allows 10 pending per address). */
async function startWalkers(page, options) {
  await page.evaluate(async ({ url, port, count, client, still }) => {
    const { default: geckos } = await import(client);
    window.connected = 0;
    const walkers = [];
    const connect = (i) =>
      new Promise((resolve, reject) => {
        const channel = geckos({ url, port });
        channel.onConnect((error) => {
          if (error) return reject(error);
          // Circles spread over the room (24 x 14 m around the origin).
          walkers.push({ channel, cx: -9 + (i % 5) * 4.5, cz: -3.5 + Math.floor(i / 5) * 2.4, phase: i, r: 0.9 });
          channel.emit('clientAnimationUpdate', { playerId: channel.id, state: 1 });
          window.connected++;
          resolve();
        });
      });
    for (let i = 0; i < count; i += 5) {
      await Promise.all(Array.from({ length: Math.min(5, count - i) }, (_, k) => connect(i + k)));
    }
    if (still) {
      for (const w of walkers) {
        w.channel.emit('clientPlayerUpdate', {
          position: { x: w.cx, y: 0, z: w.cz },
          rotation: { x: 0, y: 0, z: 0, w: 1 },
        });
      }
      return;
    }
    setInterval(() => {
      const t = performance.now() / 1000;
      for (const w of walkers) {
        const a = t * 0.8 + w.phase;
        const heading = a + Math.PI; // facing along the circle
        w.channel.emit('clientPlayerUpdate', {
          position: { x: w.cx + w.r * Math.cos(a), y: 0, z: w.cz + w.r * Math.sin(a) },
          rotation: { x: 0, y: Math.sin(heading / 2), z: 0, w: Math.cos(heading / 2) },
        });
      }
    }, 50);
  }, { ...options, client: MODULES[1][1], still: STILL });
}

/** The native walkers: `count` peers of bench/world_load --walk 1, resolved once all walk. */
function startNativeWalkers(port, count) {
  const child = spawn(WORLD_LOAD, ['--port', String(port), '--peers', String(count), '--hz', '20', '--seconds', '3600', '--walk', '1'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const walking = new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
      if (out.includes('walking')) resolve();
    });
    child.on('exit', (code) => reject(new Error(`world_load exited with ${code} before walking`)));
  });
  return { child, walking };
}

async function enter(page) {
  const scripts = [];
  page.on('request', (r) => r.resourceType() === 'script' && scripts.push(new URL(r.url()).pathname));
  const t0 = Date.now();
  await page.goto('/gallery');
  await page.getByTestId('gallery-nickname').fill('Bench');
  const clickAt = await page.evaluate(() => performance.now());
  await page.getByTestId('gallery-enter').click();
  await page.waitForFunction(() => (window.__gallery?.firstFrameAt() ?? 0) > 0, null, { timeout: 60_000 });
  const first = await page.evaluate(() => window.__gallery.firstFrameAt());
  return { navigationToFrame: first, clickToFrame: first - clickAt, wall: Date.now() - t0, roomScripts: scripts };
}

let walkers;
const browser = await launchWebGl();
try {
  // (1) and (2): fresh contexts (no cache), servers reachable, nobody else in the room.
  const firsts = [];
  const clicks = [];
  let roomScripts = [];
  for (let i = 0; i < RUNS; i++) {
    const context = await browser.newContext({ viewport: DESKTOP, baseURL: env.url });
    const page = await context.newPage();
    const run = await enter(page);
    firsts.push(run.navigationToFrame);
    clicks.push(run.clickToFrame);
    roomScripts = run.roomScripts;
    await context.close();
  }
  // The entry module and its preloads are the home page's (web-bench.mjs measures them); every
  // other script the visit fetched is the gallery's.
  const html = readFileSync(join(web, 'dist', 'index.html'), 'utf8');
  const initial = new Set([...html.matchAll(/(?:src|href)="(\/assets\/[^"]+\.js)"/g)].map((m) => m[1]));
  const galleryFiles = [...new Set(roomScripts)].filter((f) => !initial.has(f));
  let bytes = 0;
  for (const file of galleryFiles) bytes += gzipSync(readFileSync(join(web, 'dist', file)), { level: 9 }).length;
  console.log(`gallery-js: ${bytes} bytes gzip in ${galleryFiles.length} file(s) beyond the home page's (three.js, the geckos and colyseus clients, the gallery)`);
  console.log('  fetched with import() when /gallery opens; the home page never loads them (its initial JavaScript: web/bench/web-bench.mjs)');
  const first = median(firsts);
  console.log(
    `first-frame: median ${first.toFixed(0)} ms from navigation to the first rendered frame over ${RUNS} runs ` +
      `(the lobby's Enter clicked at once; ${median(clicks).toFixed(0)} ms of it after the click) (target 2000 ms: ${first <= 2000 ? 'within' : 'OVER'})`,
  );

  // (3): the driver's 20 walkers, then the measured page.
  const served = await (await fetch(`${env.url}/`)).text();
  const meta = served.match(/<meta name="hatongsu-world-url" content="([^"]*)"/)?.[1] || '';
  const world = new URL(meta || `${new URL(env.url).protocol}//${new URL(env.url).hostname}:4100`);
  const worldPort = Number(world.port) || 80;
  if (NATIVE) {
    walkers = startNativeWalkers(worldPort, AVATARS);
    await walkers.walking;
  } else {
    const driverContext = await browser.newContext({ baseURL: env.url });
    await serveModules(driverContext);
    const driver = await driverContext.newPage();
    driver.on('pageerror', (error) => console.error(`  driver page error: ${error.message}`));
    await driver.goto('/bench-driver'); // any page of the app: the gateway's loopback origin
    await startWalkers(driver, { url: `${world.protocol}//${world.hostname}`, port: worldPort, count: AVATARS });
  }

  const context = await browser.newContext({ viewport: DESKTOP, baseURL: env.url });
  const page = await context.newPage();
  await enter(page);
  await page.waitForFunction((n) => window.__gallery.avatars().length >= n, AVATARS, { timeout: 60_000 });
  // Look over the whole room from a corner, so every avatar is in view.
  await page.evaluate(() => window.__gallery.standAt(0, 6.2, 0));
  const sample = async () => page.evaluate(() => ({ frames: window.__gallery.frames(), at: performance.now() }));
  await page.waitForTimeout(1000); // settle: textures uploaded, shaders compiled
  const a = await sample();
  await page.waitForTimeout(SECONDS * 1000); // the measured window
  const b = await sample();
  const visible = await page.evaluate(() => window.__gallery.avatars().filter((x) => x.head).length);
  const info = await page.evaluate(() => window.__gallery.renderInfo());
  const fps = ((b.frames - a.frames) * 1000) / (b.at - a.at);
  console.log(
    `fps: ${fps.toFixed(1)} frames/s over ${SECONDS} s at ${DESKTOP.width}x${DESKTOP.height}, SwiftShader, ` +
      `${AVATARS} remote avatars ${STILL ? 'standing (animated, no traffic)' : 'walking'} (${visible} on screen) (target 30: ${fps >= 30 ? 'within' : 'BELOW'})`,
  );
  console.log(`  ${info.scriptMs.toFixed(1)} ms of script a frame; ${info.calls} draw calls, ${info.triangles} triangles a frame; drawing resolution ${(info.scale * 100).toFixed(0)} % of the canvas (lowered while frames are slow)`);
  const driverName = NATIVE ? `bench/world_load (${AVATARS} native peers` : `the driver page (${AVATARS} geckos clients`;
  console.log(`  ${driverName} at 20 updates/s) and the world server share the machine's ${availableParallelism()} cores (load average ${loadavg()[0].toFixed(1)})`);
} finally {
  walkers?.child.kill();
  await browser.close();
}
