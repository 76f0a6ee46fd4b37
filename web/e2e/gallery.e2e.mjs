// The 3D gallery in two (then three) Chromium pages against the real system: the gateway serving
// the client and the models, the world server over WebRTC, the event server over WebSocket.
// scripts/gallery_test.sh runs it in a network namespace (ctest GalleryE2E).
//
// Checks go through what the page shows: the DOM for the chat, window.__gallery (see
// web/README.md) for what the scene holds and where a point lands on screen, and the pixels of a
// screenshot for the photo on the wall. Every wait is for a condition.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { DESKTOP, PHONE, WAIT, env, screenshot } from './helpers.mjs';
import { adminToken, assignSpot, averageColour, enterGallery, flatJpeg, launchWebGl, uploadImage } from './gallery-helpers.mjs';

let browser;
const pages = {};

async function open(name, viewport = DESKTOP, mobile = false) {
  const context = await browser.newContext({ viewport, baseURL: env.url, hasTouch: mobile, isMobile: mobile });
  context.setDefaultTimeout(WAIT);
  const page = await context.newPage();
  page.on('pageerror', (error) => console.error(`[${name}] page error: ${error.message}`));
  pages[name] = { context, page };
  return page;
}

const selfId = (page) => page.evaluate(() => window.__gallery.selfId());
const avatar = (page, id) => page.evaluate((id) => window.__gallery.avatars().find((a) => a.id === id) ?? null, id);

/** Where a spot's picture centre is in the page (CSS pixels), or null when off screen. */
async function spotInPage(page, spot) {
  return page.evaluate((spot) => {
    const p = window.__gallery.spotOnScreen(spot);
    const r = document.querySelector('[data-testid="gallery-canvas"]').getBoundingClientRect();
    return p && p.x > 0 && p.y > 0 && p.x < r.width && p.y < r.height ? { x: r.left + p.x, y: r.top + p.y } : null;
  }, spot);
}

before(async () => {
  browser = await launchWebGl();
  // A flat magenta photo on spot1 (and nothing on spot2): easy to find in a screenshot.
  const helper = await open('helper');
  await helper.goto('/');
  const token = await adminToken();
  const id = await uploadImage(token, 'gallery-magenta.jpg', await flatJpeg(helper, '#e0159a'));
  await assignSpot(token, id, 'spot1');
  await pages.helper.context.close();
  delete pages.helper;
});

after(async () => {
  await browser?.close();
});

test('three.js loads only with the gallery; the lobby remembers the nickname', async () => {
  const page = await open('alice');
  const scripts = [];
  page.on('request', (r) => r.resourceType() === 'script' && scripts.push(r.url()));
  await page.goto('/');
  await page.getByTestId('nav-home').waitFor();
  await page.waitForLoadState('networkidle');
  assert.ok(!scripts.some((u) => /\/assets\/Room-/.test(u)), 'the home page does not fetch the room chunk');
  await page.getByTestId('nav-gallery').click();
  assert.equal(await page.getByTestId('gallery-enter').isDisabled(), true, 'no nickname, no entry');
  await enterGallery(page, 'Alice');
  assert.ok(scripts.some((u) => /\/assets\/Room-[\w-]+\.js$/.test(u)), 'the gallery fetches the room chunk');
  assert.equal(await page.evaluate(() => localStorage.getItem('hatongsu.gallery.nickname')), 'Alice');
});

test('two visitors see each other appear, move and chat', async () => {
  const alice = pages.alice.page;
  const bora = await open('bora');
  await enterGallery(bora, 'Bora');
  const aliceId = await selfId(alice);
  const boraId = await selfId(bora);
  assert.ok(aliceId && boraId && aliceId !== boraId);

  // Each sees the other, with the nickname from the chat room's state.
  await alice.waitForFunction((id) => window.__gallery.avatars().some((a) => a.id === id && a.nickname === 'Bora'), boraId);
  await bora.waitForFunction((id) => window.__gallery.avatars().some((a) => a.id === id && a.nickname === 'Alice'), aliceId);
  assert.equal((await alice.evaluate(() => window.__gallery.avatars())).length, 1, 'no avatar for ourselves');

  // Alice walks forward with the keyboard; Bora sees her avatar move there and walk.
  const start = await avatar(bora, aliceId);
  const own = await alice.evaluate(() => window.__gallery.self());
  assert.ok(Math.hypot(start.x - own.x, start.z - own.z) < 0.05, 'Bora sees Alice where she stands');
  await alice.getByTestId('gallery-canvas').focus();
  await alice.keyboard.down('KeyW');
  await bora.waitForFunction(
    ({ id, x, z }) => {
      const a = window.__gallery.avatars().find((p) => p.id === id);
      return a && Math.hypot(a.x - x, a.z - z) > 1 && a.state === 1;
    },
    { id: aliceId, x: start.x, z: start.z },
  );
  await alice.keyboard.up('KeyW');
  // ...and stop where she stopped, idle again.
  await bora.waitForFunction(
    ({ id, target }) => {
      const a = window.__gallery.avatars().find((p) => p.id === id);
      return a && Math.hypot(a.x - target.x, a.z - target.z) < 0.05 && a.state === 0;
    },
    { id: aliceId, target: await alice.evaluate(() => window.__gallery.self()) },
  );

  // Bora says something: it shows in Alice's panel and as a bubble over Bora's avatar.
  const text = `hello from Bora ${Date.now()}`;
  await bora.getByTestId('chat-input').fill(text);
  assert.match(await bora.getByTestId('chat-count').textContent(), new RegExp(`^${[...text].length}/500$`));
  await bora.getByTestId('chat-input').press('Enter');
  await alice.getByTestId('chat-lines').getByText(text).waitFor();
  await alice.waitForFunction(({ id, text }) => window.__gallery.avatars().find((a) => a.id === id)?.bubble === text, { id: boraId, text });
  await bora.waitForFunction((text) => window.__gallery.self().bubble === text, text);

  // With her panel collapsed, Alice sees how many chats she has not read.
  await alice.getByTestId('chat-toggle').click();
  assert.equal(await alice.getByTestId('chat-unread').count(), 0);
  await bora.getByTestId('chat-input').fill('are you there?');
  await bora.getByTestId('chat-input').press('Enter');
  await alice.getByTestId('chat-unread').getByText('1', { exact: true }).waitFor();
  await alice.getByTestId('chat-toggle').click();
  await alice.getByTestId('chat-lines').getByText('are you there?').waitFor();
  assert.equal(await alice.getByTestId('chat-unread').count(), 0);
});

test('the assigned spot shows its photo on the wall', async () => {
  const alice = pages.alice.page;
  await alice.waitForFunction(() => window.__gallery.photos() >= 1);
  await alice.evaluate(() => window.__gallery.lookAtSpot('spot1'));
  await alice.waitForFunction(() => window.__gallery.spotOnScreen('spot1') !== null);
  // Two rendered frames later the picture is on screen.
  const frames = await alice.evaluate(() => window.__gallery.frames());
  await alice.waitForFunction((n) => window.__gallery.frames() > n + 2, frames);
  const at = await spotInPage(alice, 'spot1');
  assert.ok(at, 'spot1 is on screen');
  const png = await alice.screenshot();
  const c = await averageColour(alice, png, at.x, at.y - 25);
  assert.ok(c.r > c.g + 50 && c.b > c.g + 20, `spot1 shows the magenta photo (got ${JSON.stringify(c)})`);

  // spot2 holds no photo: its canvas is not magenta (the check above can fail).
  await alice.evaluate(() => window.__gallery.lookAtSpot('spot2'));
  const frames2 = await alice.evaluate(() => window.__gallery.frames());
  await alice.waitForFunction((n) => window.__gallery.frames() > n + 2, frames2);
  const at2 = await spotInPage(alice, 'spot2');
  assert.ok(at2, 'spot2 is on screen');
  const c2 = await averageColour(alice, await alice.screenshot(), at2.x, at2.y - 25);
  assert.ok(!(c2.r > c2.g + 50 && c2.b > c2.g + 20), `spot2 is blank (got ${JSON.stringify(c2)})`);

  // A click on the photo opens it with its date.
  await alice.evaluate(() => window.__gallery.lookAtSpot('spot1'));
  const frames3 = await alice.evaluate(() => window.__gallery.frames());
  await alice.waitForFunction((n) => window.__gallery.frames() > n + 2, frames3);
  const at3 = await spotInPage(alice, 'spot1');
  await alice.mouse.click(at3.x, at3.y - 25);
  await alice.getByTestId('lightbox').waitFor();
  assert.match(await alice.getByTestId('lightbox-date').textContent(), /\d/);
  await alice.getByTestId('lightbox-close').click();
});

test('screenshots: the room, photos, avatars with nicknames and the chat', async () => {
  const alice = pages.alice.page;
  const bora = pages.bora.page;
  // Alice looks at the north wall (spots 1-4) with Bora in front of her.
  await bora.evaluate(() => window.__gallery.standAt(-6.5, -3.2, 0));
  await alice.evaluate(() => window.__gallery.standAt(-8.4, 0.8, 0));
  const boraId = await selfId(bora);
  await alice.waitForFunction(
    (id) => {
      const a = window.__gallery.avatars().find((p) => p.id === id);
      return a && Math.hypot(a.x + 6.5, a.z + 3.2) < 0.05;
    },
    boraId,
  );
  await bora.getByTestId('chat-input').fill('Look at this one!');
  await bora.getByTestId('chat-input').press('Enter');
  await alice.waitForFunction((id) => window.__gallery.avatars().find((a) => a.id === id)?.bubble === 'Look at this one!', boraId);
  await screenshot(alice, 'gallery-desktop');

  const chloe = await open('chloe', PHONE, true);
  await enterGallery(chloe, 'Chloe');
  await chloe.evaluate(() => window.__gallery.standAt(-7.5, 2.5, 0));
  await chloe.waitForFunction(() => window.__gallery.avatars().filter((a) => a.nickname).length >= 2);
  await chloe.getByTestId('touch-stick').waitFor();
  const frames = await chloe.evaluate(() => window.__gallery.frames());
  await chloe.waitForFunction((n) => window.__gallery.frames() > n + 2, frames);
  await screenshot(chloe, 'gallery-phone');
  await pages.chloe.context.close();
  delete pages.chloe;
});

test('a dropped chat socket comes back in the same seat (reconnection token)', async () => {
  const alice = pages.alice.page;
  const erin = await open('erin');
  const sockets = [];
  // Every chat WebSocket of this page goes through the test, which can cut it.
  await pages.erin.context.routeWebSocket(/sessionId=/, (ws) => {
    ws.connectToServer();
    sockets.push(ws);
  });
  await enterGallery(erin, 'Erin');
  await alice.getByTestId('chat-notice').getByText('Erin joined').waitFor();
  const session = await erin.evaluate(() => window.__gallery.chatSession());
  assert.ok(session);
  await sockets.at(-1).close({ code: 4100, reason: "cut by the test" });
  await erin.locator('[data-testid="chat-status"][data-status="online"]').waitFor();
  await erin.waitForFunction((before) => window.__gallery.chatSession() === before, session);
  assert.equal(sockets.length, 2, 'one new socket');
  // Still in the room for the others: a chat after the reconnection reaches them.
  await erin.getByTestId('chat-input').fill('back again');
  await erin.getByTestId('chat-input').press('Enter');
  await alice.getByTestId('chat-lines').getByText('back again').waitFor();
  assert.equal(await alice.getByTestId('chat-notice').getByText('Erin left').count(), 0, 'no leave notice');
  await pages.erin.context.close();
  delete pages.erin;
});

test('the room stays usable while both servers are unreachable, and reconnects by itself', async () => {
  const page = await open('dana');
  const { context } = pages.dana;
  // The browser cannot reach either server: signaling and matchmaking requests fail.
  const blocked = (route) => route.abort('connectionrefused');
  await context.route('**/.wrtc/v2/connections', blocked);
  await context.route('**/matchmake/**', blocked);
  await enterGallery(page, 'Dana', { servers: false });
  await page.locator('[data-testid="world-status"][data-status="offline"]').waitFor();
  await page.locator('[data-testid="chat-status"][data-status="offline"]').waitFor();
  await page.getByTestId('gallery-offline').waitFor();
  // Walking and the photos still work.
  await page.waitForFunction(() => window.__gallery.photos() >= 1);
  const start = await page.evaluate(() => window.__gallery.self());
  await page.getByTestId('gallery-canvas').focus();
  await page.keyboard.down('KeyW');
  await page.waitForFunction(({ x, z }) => {
    const me = window.__gallery.self();
    return Math.hypot(me.x - x, me.z - z) > 0.5;
  }, start);
  await page.keyboard.up('KeyW');
  // The servers come back: both connections return after their back-off, the notice goes.
  await context.unroute('**/.wrtc/v2/connections', blocked);
  await context.unroute('**/matchmake/**', blocked);
  await page.locator('[data-testid="world-status"][data-status="online"]').waitFor();
  await page.locator('[data-testid="chat-status"][data-status="online"]').waitFor();
  await page.getByTestId('gallery-offline').waitFor({ state: 'detached' });
  await context.close();
  delete pages.dana;
});

test('a visitor who closes the page disappears for the others', async () => {
  const alice = pages.alice.page;
  const boraId = await selfId(pages.bora.page);
  await pages.bora.context.close();
  delete pages.bora;
  await alice.waitForFunction((id) => !window.__gallery.avatars().some((a) => a.id === id), boraId);
  await alice.getByTestId('chat-notice').getByText('Bora left').first().waitFor();
});
