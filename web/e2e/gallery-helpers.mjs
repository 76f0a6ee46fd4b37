// Shared by the gallery's browser test (gallery.e2e.mjs) and bench (bench/gallery-bench.mjs):
// a Chromium whose WebGL runs on SwiftShader (the software renderer every machine has), the admin
// API calls that hang a photo on a spot, and entering the gallery.
import { chromium } from 'playwright-core';
import { env } from './helpers.mjs';

export async function launchWebGl() {
  return chromium.launch({
    executablePath: env.chromium,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--use-angle=swiftshader',
      '--enable-unsafe-swiftshader',
      '--ignore-gpu-blocklist',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      // Every page keeps rendering and sending while another one has the focus.
      '--disable-background-timer-throttling',
      '--disable-renderer-backgrounding',
      '--disable-backgrounding-occluded-windows',
    ],
  });
}

async function api(path, { method = 'GET', token, body, headers = {} } = {}) {
  const response = await fetch(env.url + path, {
    method,
    headers: { ...(token ? { Authorization: `Bearer ${token}` } : {}), ...headers },
    body,
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

export async function adminToken() {
  const basic = Buffer.from(`${env.adminEmail}:${env.adminPassword}`).toString('base64');
  const pair = await api('/auth/login', { method: 'POST', headers: { Authorization: `Basic ${basic}` } });
  return pair.accessToken;
}

/** Uploads one JPEG (bytes) as the admin, waits until it is processed, and returns its id. */
export async function uploadImage(token, name, bytes) {
  const form = new FormData();
  form.append('files', new Blob([bytes], { type: 'image/jpeg' }), name);
  const { batchId } = await api('/file/uploads', { method: 'POST', token, body: form });
  for (;;) {
    const batch = await api(`/file/uploads/${batchId}`, { token });
    if (batch.finished) {
      const file = batch.files[0];
      if (file?.status !== 'done' || !file.imageId) throw new Error(`upload of ${name}: ${JSON.stringify(file)}`);
      return file.imageId;
    }
    await new Promise((resolve) => setTimeout(resolve, 200)); // polling the server's progress
  }
}

export async function assignSpot(token, imageId, spotType) {
  await api('/album/gallery/spot', {
    method: 'PUT',
    token,
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ imageId, spotType }),
  });
}

/** A JPEG drawn in `page`: one flat colour (CSS), so a screenshot of it on a wall is easy to tell. */
export async function flatJpeg(page, color, width = 800, height = 600) {
  const base64 = await page.evaluate(
    async ({ color, width, height }) => {
      const canvas = document.createElement('canvas');
      canvas.width = width;
      canvas.height = height;
      const g = canvas.getContext('2d');
      g.fillStyle = color;
      g.fillRect(0, 0, width, height);
      const blob = await new Promise((resolve) => canvas.toBlob(resolve, 'image/jpeg', 0.92));
      const bytes = new Uint8Array(await blob.arrayBuffer());
      let binary = '';
      for (let k = 0; k < bytes.length; k += 0x8000) binary += String.fromCharCode(...bytes.subarray(k, k + 0x8000));
      return btoa(binary);
    },
    { color, width, height },
  );
  return Buffer.from(base64, 'base64');
}

/** Opens /gallery, enters with `nickname`, and waits for the room and both servers. */
export async function enterGallery(page, nickname, { servers = true } = {}) {
  await page.goto('/gallery');
  await page.getByTestId('gallery-nickname').fill(nickname);
  await page.getByTestId('gallery-enter').click();
  await page.waitForFunction(() => (window.__gallery?.frames() ?? 0) > 0);
  if (servers) {
    await page.locator('[data-testid="world-status"][data-status="online"]').waitFor();
    await page.locator('[data-testid="chat-status"][data-status="online"]').waitFor();
  }
}

/** The average colour of a square of `size` CSS pixels centred on (x, y) of a PNG screenshot. */
export async function averageColour(page, png, x, y, size = 12) {
  return page.evaluate(
    async ({ base64, x, y, size }) => {
      const image = new Image();
      image.src = `data:image/png;base64,${base64}`;
      await image.decode();
      const canvas = document.createElement('canvas');
      canvas.width = image.width;
      canvas.height = image.height;
      const g = canvas.getContext('2d');
      g.drawImage(image, 0, 0);
      const data = g.getImageData(Math.round(x - size / 2), Math.round(y - size / 2), size, size).data;
      const sum = [0, 0, 0];
      for (let i = 0; i < data.length; i += 4) for (let c = 0; c < 3; c++) sum[c] += data[i + c];
      const n = data.length / 4;
      return { r: sum[0] / n, g: sum[1] / n, b: sum[2] / n };
    },
    { base64: png.toString('base64'), x, y, size },
  );
}
