// Shared pieces of the browser tests and the bench: the environment the harness passes, a
// Chromium that never reaches the network, sign-in, and JPEGs drawn in the page.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

function required(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: the e2e harness passes it`);
  return value;
}

export const env = {
  get url() {
    return required('HATONGSU_E2E_URL').replace(/\/+$/, '');
  },
  get adminEmail() {
    return required('HATONGSU_E2E_ADMIN_EMAIL');
  },
  get adminPassword() {
    return required('HATONGSU_E2E_ADMIN_PASSWORD');
  },
  screenshots: process.env.HATONGSU_E2E_SCREENSHOTS || '',
  chromium: process.env.HATONGSU_E2E_CHROMIUM || '/usr/bin/chromium',
};

export const DESKTOP = { width: 1280, height: 720 };
export const PHONE = { width: 390, height: 844 };
// Waits are for conditions, never for time; this only bounds how long a broken page may take.
export const WAIT = 30_000;

export async function launch() {
  return chromium.launch({
    executablePath: env.chromium,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

export async function newPage(browser, viewport = DESKTOP) {
  const context = await browser.newContext({ viewport, baseURL: env.url });
  context.setDefaultTimeout(WAIT);
  const page = await context.newPage();
  return { context, page };
}

export async function signIn(page, email, password) {
  await page.goto('/login');
  await page.getByTestId('email-input').fill(email);
  await page.getByTestId('password-input').fill(password);
  await page.getByTestId('auth-submit').click();
  await page.getByTestId('sign-out').or(page.getByTestId('auth-error')).waitFor();
  const refused = page.getByTestId('auth-error');
  if (await refused.count()) throw new Error(`sign-in as ${email} refused: ${await refused.textContent()}`);
}

export async function screenshot(page, name) {
  if (!env.screenshots) return;
  mkdirSync(env.screenshots, { recursive: true });
  // Let images that are already on their way finish, so the picture shows content, not placeholders.
  await page
    .waitForFunction(() => [...document.images].every((img) => img.complete), null, { timeout: 10_000 })
    .catch(() => {});
  // ...and their fade-in transitions end.
  await page
    .waitForFunction(() => document.getAnimations().every((a) => !(a instanceof CSSTransition) || a.playState !== 'running'), null, { timeout: 5_000 })
    .catch(() => {});
  await page.screenshot({ path: join(env.screenshots, `${name}.png`) });
}

/**
 * Draws `count` distinct JPEGs in the page (colours and a label that include `tag`) and returns
 * them as files for setInputFiles. Nothing is read from disk.
 */
export async function makeJpegs(page, count, tag) {
  const encoded = await page.evaluate(
    async ({ count, tag }) => {
      const out = [];
      for (let i = 0; i < count; i++) {
        const canvas = document.createElement('canvas');
        canvas.width = 800;
        canvas.height = 600;
        const g = canvas.getContext('2d');
        const hue = (i * 47 + tag.length * 13 + Math.floor(Math.random() * 40)) % 360;
        const sky = g.createLinearGradient(0, 0, 0, 600);
        sky.addColorStop(0, `hsl(${hue} 70% 62%)`);
        sky.addColorStop(1, `hsl(${(hue + 40) % 360} 75% 82%)`);
        g.fillStyle = sky;
        g.fillRect(0, 0, 800, 600);
        g.fillStyle = `hsl(${(hue + 180) % 360} 60% 88%)`;
        g.beginPath();
        g.arc(620, 150, 70, 0, Math.PI * 2);
        g.fill();
        g.fillStyle = `hsl(${(hue + 200) % 360} 35% 30%)`;
        g.beginPath();
        g.moveTo(0, 600);
        g.lineTo(0, 420);
        g.lineTo(220, 300);
        g.lineTo(420, 440);
        g.lineTo(600, 340);
        g.lineTo(800, 460);
        g.lineTo(800, 600);
        g.fill();
        g.fillStyle = 'white';
        g.font = 'bold 120px sans-serif';
        g.fillText(String(i + 1), 60, 200);
        g.font = '28px sans-serif';
        g.fillText(`${tag} · ${Date.now()}`, 60, 260);
        const blob = await new Promise((resolve) => canvas.toBlob(resolve, 'image/jpeg', 0.9));
        const bytes = new Uint8Array(await blob.arrayBuffer());
        let binary = '';
        for (let k = 0; k < bytes.length; k += 0x8000) binary += String.fromCharCode(...bytes.subarray(k, k + 0x8000));
        out.push(btoa(binary));
      }
      return out;
    },
    { count, tag },
  );
  return encoded.map((base64, i) => ({ name: `${tag}-${i + 1}.jpg`, mimeType: 'image/jpeg', buffer: Buffer.from(base64, 'base64') }));
}

/** Uploads the files through the dashboard and waits until every one is processed. */
export async function uploadThroughDashboard(page, files) {
  await page.goto('/dashboard/upload');
  await page.getByTestId('upload-input').setInputFiles(files);
  for (const file of files) await page.locator(`[data-testid="upload-item"][data-filename="${file.name}"][data-status="ready"]`).waitFor();
  await page.getByTestId('upload-start').click();
  for (const file of files) {
    await page.locator(`[data-testid="upload-item"][data-filename="${file.name}"][data-status="done"]`).waitFor({ timeout: 60_000 });
  }
}

export async function albumTotal() {
  const res = await fetch(`${env.url}/album/ferris-first?limit=1`);
  return (await res.json()).totalCount;
}
