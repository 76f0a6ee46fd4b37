// Web client bench: the home page's initial JavaScript (gzip), time to the first photo on screen,
// and the dashboard's time to render a 100-row album page. Reads the same HATONGSU_E2E_* variables
// as the browser tests and expects a running system with images in the album.
import { readFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { env, launch, newPage, signIn } from '../e2e/helpers.mjs';

const RUNS = Number(process.env.HATONGSU_BENCH_RUNS) || 10;
const dist = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist');

function quantile(values, q) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
}

function report(name, description, values, unit, target) {
  const median = quantile(values, 0.5);
  const p90 = quantile(values, 0.9);
  const verdict = median <= target ? 'within' : 'OVER';
  console.log(`${name}: median ${median.toFixed(0)} ${unit}, p90 ${p90.toFixed(0)} ${unit} over ${values.length} runs (target ${target} ${unit}: ${verdict})`);
  console.log(`  ${description}`);
}

// (1) Every script the browser fetches before the home page can run: the entry module and its
// modulepreload links, as listed in dist/index.html.
function initialJavaScript() {
  const html = readFileSync(join(dist, 'index.html'), 'utf8');
  const files = new Set();
  for (const [, src] of html.matchAll(/<script[^>]*type="module"[^>]*src="([^"]+)"/g)) files.add(src);
  for (const [, href] of html.matchAll(/<link[^>]*rel="modulepreload"[^>]*href="([^"]+)"/g)) files.add(href);
  let total = 0;
  for (const file of files) total += gzipSync(readFileSync(join(dist, file.replace(/^\//, ''))), { level: 9 }).length;
  const target = 150 * 1024;
  console.log(`initial-js: ${total} bytes gzip in ${files.size} file(s) (target ${target}: ${total <= target ? 'within' : 'OVER'})`);
  console.log("  the home page's entry module plus its modulepreload links from dist/index.html, each gzipped at level 9");
}

// (2) Cold navigations, each in a fresh context (empty cache and storage). The first one only
// warms up the browser's own processes and is not counted.
async function firstPhoto(browser) {
  const times = [];
  for (let i = -1; i < RUNS; i++) {
    const { context, page } = await newPage(browser);
    await page.goto('/');
    await page.waitForFunction(() => performance.getEntriesByName('hatongsu:first-photo').length > 0, null, { timeout: 30_000 });
    const time = await page.evaluate(() => performance.getEntriesByName('hatongsu:first-photo')[0].startTime);
    if (i >= 0) times.push(time);
    await context.close();
  }
  report('first-photo', 'navigation start to the first photo decoded on the home page (performance mark hatongsu:first-photo), fresh context each run', times, 'ms', 1000);
}

// (3) The album table with 100 rows, reloaded each run in one signed-in context.
async function albumPage(browser) {
  const { context, page } = await newPage(browser);
  await signIn(page, env.adminEmail, env.adminPassword);
  const dom = [];
  const painted = [];
  for (let i = 0; i < RUNS; i++) {
    await page.goto('/dashboard/album?size=100');
    await page.waitForFunction(() => performance.getEntriesByName('hatongsu:album-page').length > 0, null, { timeout: 30_000 });
    dom.push(await page.evaluate(() => performance.getEntriesByName('hatongsu:album-dom').at(-1).duration));
    painted.push(await page.evaluate(() => performance.getEntriesByName('hatongsu:album-page').at(-1).duration));
  }
  const rows = await page.getByTestId('album-row').count();
  await context.close();
  report('album-page', `GET /album?limit=100 fetch start to ${rows} rows in the DOM, at the next frame (performance measure hatongsu:album-dom), page reloaded each run`, dom, 'ms', 200);
  report('album-page-painted', 'the same, up to the end of that frame\'s layout and paint (performance measure hatongsu:album-page)', painted, 'ms', 200);
  if (rows < 100) console.log(`  note: the album holds only ${rows} photos, fewer than the 100 rows asked for`);
}

// Timings on a shared machine mean little without its load: print it with them.
const load = () => loadavg()[0].toFixed(1);
console.log(`machine: ${availableParallelism()} cores, load average ${load()} (1 min) at the start`);
initialJavaScript();
const browser = await launch();
try {
  await firstPhoto(browser);
  await albumPage(browser);
  console.log(`machine: load average ${load()} (1 min) at the end`);
} finally {
  await browser.close();
}
