// The browser client against the real system: accounts, upload, album table, spots, delete, the
// home page's grid and Ferris wheel, and the admin guard. The steps share one admin page and run
// in order; each one checks what a person would see.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  DESKTOP,
  PHONE,
  WAIT,
  albumTotal,
  env,
  launch,
  makeJpegs,
  newPage,
  screenshot,
  signIn,
  uploadThroughDashboard,
} from './helpers.mjs';

const run = `e2e${Date.now().toString(36)}`;
const user = { email: `${run}@example.com`, password: 'pass-word-1', nickname: `Tester ${run}` };

let browser;
let admin; // { context, page } signed in as the admin

const loadedImages = (page, testid) =>
  page.evaluate((id) => [...document.querySelectorAll(`[data-testid="${id}"]`)].filter((img) => img.complete && img.naturalWidth > 0).length, testid);

describe('hatongsu web client', { timeout: 170_000 }, () => {
  before(async () => {
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
  });

  test('signed-out pages render, with screenshots, and fetch nothing from elsewhere', async () => {
    const { context, page } = await newPage(browser);
    const hosts = new Set();
    page.on('request', (request) => hosts.add(new URL(request.url()).host));
    // Photos may come from the object store's public URL; everything else from the app's origin.
    const allowed = new Set([new URL(env.url).host]);
    const sample = await (await fetch(`${env.url}/album/ferris-first?limit=1`)).json();
    for (const image of sample.albumImages) allowed.add(new URL(image.thumbnailPath, env.url).host);
    await page.goto('/');
    await page.getByTestId('photo-grid').or(page.getByTestId('empty-album')).first().waitFor();
    await page.goto('/login');
    await page.getByTestId('login-form').waitFor();
    assert.equal(await page.getByTestId('google-button').count(), 0, 'no Google button without a client id');
    await screenshot(page, 'login-desktop');
    await page.setViewportSize(PHONE);
    await screenshot(page, 'login-phone');
    await page.goto('/signup');
    await page.getByTestId('signup-form').waitFor();
    await screenshot(page, 'signup-phone');
    assert.deepEqual([...hosts].filter((host) => !allowed.has(host)), [], 'no request left the system');
    await context.close();
  });

  test('a new user signs up and is signed in', async () => {
    const { context, page } = await newPage(browser);
    await page.goto('/');
    await page.getByTestId('sign-up-link').click();
    await page.getByTestId('nickname-input').fill(user.nickname);
    await page.getByTestId('email-input').fill(user.email);
    await page.getByTestId('password-input').fill(user.password);
    await page.getByTestId('auth-submit').click();
    // Either the header greets the new user or the form says why not: fail at once with its words.
    await page.getByTestId('nickname').filter({ hasText: user.nickname }).or(page.getByTestId('auth-error')).waitFor();
    const refused = page.getByTestId('auth-error');
    if (await refused.count()) assert.fail(`sign-up refused: ${await refused.textContent()}`);
    await page.getByTestId('nickname').filter({ hasText: user.nickname }).waitFor();
    assert.equal(new URL(page.url()).pathname, '/');

    // Signing up twice with the same address is refused in words.
    await page.getByTestId('sign-out').click();
    await page.goto('/signup');
    await page.getByTestId('nickname-input').fill(user.nickname);
    await page.getByTestId('email-input').fill(user.email);
    await page.getByTestId('password-input').fill(user.password);
    await page.getByTestId('auth-submit').click();
    await page.getByTestId('auth-error').filter({ hasText: 'already exists' }).waitFor();
    await context.close();
  });

  test('a wrong password is explained', async () => {
    const { context, page } = await newPage(browser);
    await page.goto('/login');
    await page.getByTestId('email-input').fill(user.email);
    await page.getByTestId('password-input').fill('not-the-password');
    await page.getByTestId('auth-submit').click();
    await page.getByTestId('auth-error').filter({ hasText: 'Wrong e-mail or password' }).waitFor();
    await context.close();
  });

  test('a plain user gets no dashboard', async () => {
    const { context, page } = await newPage(browser);
    await signIn(page, user.email, user.password);
    await page.getByTestId('nav-gallery').waitFor();
    assert.equal(await page.getByTestId('nav-dashboard').count(), 0, 'dashboard link hidden');
    await page.goto('/dashboard/album');
    await page.getByTestId('notice').filter({ hasText: 'administrators only' }).waitFor();
    await page.waitForURL((url) => url.pathname === '/');
    await context.close();
  });

  test('a return path that leads off the site is not followed after signing in', async () => {
    const { context, page } = await newPage(browser);
    // "/\\evil.example" is another host to the browser's URL parser.
    await page.goto(`/login?next=${encodeURIComponent('/\\evil.example')}`);
    await page.getByTestId('email-input').fill(user.email);
    await page.getByTestId('password-input').fill(user.password);
    await page.getByTestId('auth-submit').click();
    await page.waitForURL((url) => url.pathname === '/');
    assert.equal(new URL(page.url()).host, new URL(env.url).host);
    await page.getByTestId('sign-out').waitFor();
    await context.close();
  });

  test('a browser whose clock runs 14 minutes fast does not refresh at every request', async () => {
    const { context, page } = await newPage(browser);
    await context.addInitScript(() => {
      const skew = 14 * 60 * 1000;
      const now = Date.now.bind(Date);
      Date.now = () => now() + skew;
    });
    let refreshes = 0;
    page.on('request', (request) => {
      if (new URL(request.url()).pathname === '/auth/refresh') refreshes += 1;
    });
    await signIn(page, env.adminEmail, env.adminPassword);
    for (const path of ['/dashboard', '/dashboard/album', '/dashboard/users', '/dashboard/stats', '/dashboard']) {
      await page.goto(path);
      await page.getByTestId('nav-dashboard').waitFor();
      await page.waitForLoadState('networkidle');
    }
    assert.equal(refreshes, 0, 'the token lifetime is counted on the browser clock, from when it arrived');
    await context.close();
  });

  test('signing in from a protected page comes back to it', async () => {
    admin = await newPage(browser);
    const { page } = admin;
    await page.goto('/dashboard/users');
    await page.waitForURL((url) => url.pathname === '/login' && url.searchParams.get('next') === '/dashboard/users');
    await page.getByTestId('email-input').fill(env.adminEmail);
    await page.getByTestId('password-input').fill(env.adminPassword);
    await page.getByTestId('auth-submit').click();
    await page.waitForURL((url) => url.pathname === '/dashboard/users');
    await page.getByTestId('nav-dashboard').waitFor();
    // The new user is in the users table, found by searching.
    await page.getByTestId('users-search').fill(run);
    await page.getByTestId('user-row').filter({ hasText: user.email }).waitFor();
  });

  test('the admin uploads twelve JPEGs in groups and sees each one done and in the album', async () => {
    const { page } = admin;
    const files = await makeJpegs(page, 12, `${run}-a`);
    assert.equal(new Set(files.map((f) => f.buffer.toString('base64'))).size, 12, 'twelve distinct images');
    const posts = [];
    const count = (request) => {
      if (request.method() === 'POST' && new URL(request.url()).pathname === '/file/uploads') posts.push(request);
    };
    page.on('request', count);
    await uploadThroughDashboard(page, files);
    page.off('request', count);
    // Groups of ten: the server starts on the first ten while the last two are on their way.
    assert.equal(posts.length, 2, 'two upload requests');
    const bars = page.locator('[data-testid="upload-item"][data-status="done"] [data-testid="upload-progress"]');
    assert.deepEqual(await bars.evaluateAll((els) => els.map((el) => el.getAttribute('aria-valuenow'))), Array(12).fill('100'));
    await screenshot(page, 'upload-desktop');

    await page.goto('/dashboard/album?sort=createdAt.desc');
    for (const file of files) await page.locator(`[data-testid="album-row"][data-filename="${file.name}"]`).waitFor();
  });

  test('a photo is put on spot 1 and is still there after a reload', async () => {
    const { page } = admin;
    const row = page.locator(`[data-testid="album-row"][data-filename="${run}-a-2.jpg"]`);
    const id = await row.getAttribute('data-id');
    await row.getByTestId('spot-button').click();
    await page.getByTestId('spot-dialog').waitFor();
    await page.getByTestId('spot-option-spot1').click();
    await page.getByTestId('notice').filter({ hasText: 'Spot 1' }).waitFor();
    await page.reload();
    await page.locator(`[data-testid="spot-slot-spot1"][data-image-id="${id}"]`).waitFor();
    assert.equal(await row.getByTestId('spot-button').getAttribute('data-spot'), 'spot1');
    await screenshot(page, 'album-desktop');
  });

  test('a photo is deleted after confirming', async () => {
    const { page } = admin;
    const name = `${run}-a-5.jpg`;
    const row = page.locator(`[data-testid="album-row"][data-filename="${name}"]`);
    await row.getByTestId('row-select').check();
    await page.getByTestId('delete-selected').click();
    await page.getByTestId('confirm-dialog').waitFor();
    await page.getByTestId('confirm-ok').click();
    await page.getByTestId('notice').filter({ hasText: 'Deleted 1 photo' }).waitFor();
    await row.waitFor({ state: 'detached' });
    await page.reload();
    await page.getByTestId('album-row').first().waitFor();
    assert.equal(await row.count(), 0, 'the deleted row stays gone');
  });

  test('the album table sorts and pages', async () => {
    const { page } = admin;
    // Pages of two: the four photos left by the steps before make two pages on a fresh system.
    assert.ok((await albumTotal()) > 2, 'more photos than one page holds');
    await page.goto('/dashboard/album?size=2');
    await page.getByTestId('album-row').first().waitFor();
    await page.getByTestId('sort-filename').click();
    await page.waitForURL((url) => url.searchParams.get('sort') === 'filename.asc');
    // The rows are the server's first two by file name, in its order (its collation decides).
    const expected = await page.evaluate(async () => {
      const sort = encodeURIComponent(JSON.stringify([{ orderBy: 'filename', order: 'asc' }]));
      const res = await fetch(`/album?page=1&limit=2&sort=${sort}`, {
        headers: { Authorization: `Bearer ${localStorage.getItem('hatongsu.accessToken')}` },
      });
      return (await res.json()).albumImages.map((image) => image.id);
    });
    await page.waitForFunction(
      (ids) => [...document.querySelectorAll('[data-testid="album-row"]')].map((row) => row.dataset.id).join() === ids.join(),
      expected,
    );
    const firstPage = await page.getByTestId('album-row').first().getAttribute('data-id');
    await page.getByTestId('page-next').click();
    await page.waitForURL((url) => url.searchParams.get('page') === '2');
    await page.waitForFunction((id) => {
      const rows = document.querySelectorAll('[data-testid="album-row"]');
      return rows.length > 0 && ![...rows].some((row) => row.dataset.id === id);
    }, firstPage);
  });

  test('dropped files are listed, and non-images are refused before sending', async () => {
    const { page } = admin;
    await page.goto('/dashboard/upload');
    await page.getByTestId('drop-zone').waitFor();
    await page.evaluate(async () => {
      const canvas = Object.assign(document.createElement('canvas'), { width: 64, height: 64 });
      canvas.getContext('2d').fillRect(0, 0, 64, 64);
      const jpeg = await new Promise((resolve) => canvas.toBlob(resolve, 'image/jpeg'));
      const data = new DataTransfer();
      data.items.add(new File([jpeg], 'dropped.jpg', { type: 'image/jpeg' }));
      data.items.add(new File(['just text'], 'notes.txt', { type: 'text/plain' }));
      document.querySelector('[data-testid="drop-zone"]').dispatchEvent(new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true }));
    });
    await page.locator('[data-testid="upload-item"][data-filename="dropped.jpg"][data-status="ready"]').waitFor();
    const refused = page.locator('[data-testid="upload-item"][data-filename="notes.txt"][data-status="rejected"]');
    await refused.filter({ hasText: 'Not a JPEG, PNG, WebP or HEIC file' }).waitFor();
  });

  test("a file over the gateway's own size limit is refused before sending", async () => {
    // The harness starts the gateway with GATEWAY_UPLOAD_MAX_FILE_MB=2; the page learns it from
    // index.html, so a 3 MB file never leaves the browser.
    const { page } = admin;
    await page.goto('/dashboard/upload');
    await page.getByTestId('upload-input').setInputFiles([
      { name: 'large.jpg', mimeType: 'image/jpeg', buffer: Buffer.alloc(3 * 1024 * 1024, 0xff) },
    ]);
    await page
      .locator('[data-testid="upload-item"][data-filename="large.jpg"][data-status="rejected"]')
      .filter({ hasText: 'Larger than 2' })
      .waitFor();
  });

  test('the dashboard overview shows the numbers', async () => {
    const { page } = admin;
    await page.goto('/dashboard');
    await page.getByTestId('stat-photos').locator('strong').waitFor();
    assert.ok(Number((await page.getByTestId('stat-photos').locator('strong').innerText()).replace(/\D/g, '')) >= 4);
    await page.getByTestId('stat-users').locator('strong').waitFor();
    await screenshot(page, 'dashboard-desktop');
    await page.setViewportSize(PHONE);
    await screenshot(page, 'dashboard-phone');
    await page.setViewportSize(DESKTOP);
    // Capture days are the camera's (here: the upload's UTC) calendar; a range of a few days
    // around today holds the new photos whatever the browser's time zone.
    const day = (offset) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
    await page.goto(`/dashboard/stats?from=${day(-2)}&to=${day(2)}`);
    await page.getByTestId('stats-total').waitFor();
    assert.ok(Number(await page.getByTestId('stats-total').innerText()) >= 4, 'the new photos count in the range');
    await screenshot(page, 'stats-desktop');
  });

  test('an expiring access token is refreshed once, even with requests in parallel', async () => {
    const { page } = admin;
    // An access token whose exp has passed: the client must trade the refresh token before the
    // overview's parallel requests go out, and only once (a second trade would end the session).
    const before = await page.evaluate(() => {
      const expired = `${btoa('{"alg":"none"}')}.${btoa(JSON.stringify({ exp: 1 }))}.x`;
      localStorage.setItem('hatongsu.accessToken', expired);
      return localStorage.getItem('hatongsu.refreshToken');
    });
    await page.goto('/dashboard');
    await page.getByTestId('stat-users').locator('strong').waitFor();
    await page.getByTestId('stat-photos').locator('strong').waitFor();
    const after = await page.evaluate(() => localStorage.getItem('hatongsu.refreshToken'));
    assert.notEqual(after, before, 'the refresh token was rotated');
    assert.equal(new URL(page.url()).pathname, '/dashboard');
    // The new pair works on a fresh load.
    await page.reload();
    await page.getByTestId('stat-users').locator('strong').waitFor();
  });

  test('a session the server refuses leads to sign-in and back', async () => {
    const { context, page } = await newPage(browser);
    await page.goto('/');
    await page.evaluate(() => {
      const forged = `${btoa('{"alg":"none"}')}.${btoa(JSON.stringify({ exp: 4102444800 }))}.x`;
      localStorage.setItem('hatongsu.accessToken', forged);
      localStorage.setItem('hatongsu.refreshToken', forged);
    });
    await page.goto('/dashboard/stats');
    await page.waitForURL((url) => url.pathname === '/login' && url.searchParams.get('next') === '/dashboard/stats');
    await page.getByTestId('notice').filter({ hasText: 'sign in' }).waitFor();
    assert.equal(await page.evaluate(() => localStorage.getItem('hatongsu.refreshToken')), null, 'tokens cleared');
    await page.getByTestId('email-input').fill(env.adminEmail);
    await page.getByTestId('password-input').fill(env.adminPassword);
    await page.getByTestId('auth-submit').click();
    await page.waitForURL((url) => url.pathname === '/dashboard/stats');
    await page.getByTestId('stats-total').waitFor();
    await context.close();
  });

  test('the home grid shows thumbnails and loads more on scroll', async () => {
    const { page } = admin;
    // One grid page is 24 photos: make sure the album holds more than that.
    const missing = 26 - (await albumTotal());
    if (missing > 0) await uploadThroughDashboard(page, await makeJpegs(page, missing, `${run}-b`));

    await page.goto('/');
    await page.getByTestId('grid-photo').first().waitFor();
    await page.waitForFunction(() => document.querySelector('[data-testid="grid-photo"]')?.naturalWidth > 0, null, { timeout: WAIT });
    // The first page is in, and the end of the grid is out of reach: no second page yet.
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="grid-item"]').length >= 24 && !document.querySelector('.skeleton'));
    const first = await page.getByTestId('grid-item').count();
    assert.equal(first, 24, 'one page of thumbnails before scrolling');
    await page.getByTestId('grid-item').last().scrollIntoViewIfNeeded();
    await page.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
    await page.waitForFunction((n) => document.querySelectorAll('[data-testid="grid-item"]').length > n, first, { timeout: WAIT });
    await page.waitForFunction(() => {
      const imgs = [...document.querySelectorAll('[data-testid="grid-photo"]')].slice(24);
      return imgs.length > 0 && imgs.every((img) => img.complete && img.naturalWidth > 0);
    });
    const ids = await page.getByTestId('grid-item').evaluateAll((els) => els.map((el) => el.getAttribute('aria-label')));
    assert.ok(ids.length > 24);
  });

  test('the lightbox opens, moves with the arrow keys and closes with Escape', async () => {
    const { page } = admin;
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.getByTestId('grid-item').first().click();
    const box = page.getByTestId('lightbox');
    await box.waitFor();
    await page.waitForFunction(() => document.querySelector('[data-testid="lightbox-image"]')?.naturalWidth > 0);
    const firstName = await page.getByTestId('lightbox-name').innerText();
    assert.notEqual((await page.getByTestId('lightbox-date').innerText()).trim(), '');
    await page.keyboard.press('ArrowRight');
    await page.waitForFunction((name) => document.querySelector('[data-testid="lightbox-name"]')?.textContent !== name, firstName);
    // Tab stays inside the dialog.
    for (let i = 0; i < 5; i++) await page.keyboard.press('Tab');
    assert.ok(await page.evaluate(() => document.activeElement?.closest('[data-testid="lightbox"]') !== null), 'focus trapped');
    await page.keyboard.press('ArrowLeft');
    await page.getByTestId('lightbox-name').filter({ hasText: firstName }).waitFor();
    await page.keyboard.press('Escape');
    await box.waitFor({ state: 'detached' });
  });

  test('the Ferris wheel shows photos, with screenshots of home', async () => {
    const { page } = admin;
    await page.goto('/');
    await page.getByTestId('ferris-wheel').waitFor();
    await page.waitForFunction(
      () => [...document.querySelectorAll('[data-testid="ferris-photo"]')].filter((img) => img.complete && img.naturalWidth > 0).length >= 4,
    );
    assert.ok((await loadedImages(page, 'ferris-photo')) >= 4);
    await screenshot(page, 'home-desktop');
    await page.setViewportSize(PHONE);
    await page.waitForFunction(() => document.querySelector('[data-testid="ferris-wheel"]')?.clientWidth <= 390);
    await screenshot(page, 'home-phone');
    await page.setViewportSize(DESKTOP);
    await admin.context.close();
  });
});
