// The gallery's pure pieces (src/gallery): collisions and the room layout read from a world.glb-like
// scene, the reconnection back-off, the checks on what the world server sends, the send policy for
// our transform (at most 20 a second, only on change) and the others' interpolation. The modules are
// compiled with TypeScript into a folder under node_modules/.cache (so `three` resolves) and run
// under Node; the browser test (e2e/gallery.e2e.mjs) covers the rest.
import assert from 'node:assert/strict';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as THREE from 'three';
import ts from 'typescript';

const web = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(web, 'node_modules', '.cache', `gallery-test-${process.pid}`);
const modules = {};
const NAMES = ['room', 'backoff', 'protocol', 'throttle', 'interpolation'];

before(async () => {
  await mkdir(out, { recursive: true });
  for (const name of NAMES) {
    const source = await readFile(join(web, 'src', 'gallery', `${name}.ts`), 'utf8');
    const { outputText } = ts.transpileModule(source, {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
    });
    await writeFile(join(out, `${name}.mjs`), outputText.replace(/from '\.\/([\w-]+)'/g, "from './$1.mjs'"));
  }
  for (const name of NAMES) modules[name] = await import(pathToFileURL(join(out, `${name}.mjs`)).href);
});

after(async () => {
  await rm(out, { recursive: true, force: true });
});

/** A collider node as world.glb has them: empty, centred on the box, scaled to its size. */
function collider(name, [x0, y0, z0], [x1, y1, z1]) {
  const node = new THREE.Object3D();
  node.name = name;
  node.position.set((x0 + x1) / 2, (y0 + y1) / 2, (z0 + z1) / 2);
  node.scale.set(x1 - x0, y1 - y0, z1 - z0);
  return node;
}

function world() {
  const scene = new THREE.Scene();
  const floor = new THREE.Mesh(new THREE.BoxGeometry(20, 0.1, 10));
  floor.name = 'room';
  scene.add(floor);
  for (const n of [2, 10, 1]) {
    const spot = new THREE.Object3D();
    spot.name = `spot${n}`;
    spot.position.set(n - 5, 1.6, -5);
    const picture = new THREE.Mesh(new THREE.PlaneGeometry(2.4, 1.6));
    picture.name = `spot${n}_picture`;
    const frame = new THREE.Mesh(new THREE.BoxGeometry(2.6, 1.8, 0.05));
    frame.name = `spot${n}_frame`;
    spot.add(frame, picture);
    scene.add(spot);
  }
  const colliders = new THREE.Object3D();
  colliders.name = 'colliders';
  colliders.add(
    collider('collider_wall_north', [-10.2, 0, -5.2], [10.2, 5, -5]),
    collider('collider_wall_south', [-10.2, 0, 5], [10.2, 5, 5.2]),
    collider('collider_wall_west', [-10.2, 0, -5], [-10, 5, 5]),
    collider('collider_wall_east', [10, 0, -5], [10.2, 5, 5]),
    collider('collider_bench_1', [-1, 0, -0.25], [1, 0.5, 0.25]),
  );
  scene.add(colliders);
  return scene;
}

test('readRoom finds the spots in order, the walls as bounds and the rest as obstacles', () => {
  const layout = modules.room.readRoom(world());
  assert.deepEqual(layout.spots.map((s) => s.name), ['spot1', 'spot2', 'spot10']);
  assert.equal(layout.spots[0].picture.name, 'spot1_picture');
  assert.equal(layout.spots[0].frame.name, 'spot1_frame');
  const b = layout.bounds;
  for (const [got, want] of [[b.minX, -10], [b.maxX, 10], [b.minZ, -5], [b.maxZ, 5]]) assert.ok(Math.abs(got - want) < 1e-6, `${got} vs ${want}`);
  assert.equal(layout.obstacles.length, 1);
  assert.ok(Math.abs(layout.obstacles[0].minX + 1) < 1e-6 && Math.abs(layout.obstacles[0].maxZ - 0.25) < 1e-6);
});

test('collide keeps the avatar inside the walls and out of obstacles, and leaves free points alone', () => {
  const layout = modules.room.readRoom(world());
  assert.deepEqual(modules.room.collide(layout, 3, 2, 0.35), { x: 3, z: 2 });
  const wall = modules.room.collide(layout, 12, -9, 0.35);
  assert.ok(Math.abs(wall.x - 9.65) < 1e-6 && Math.abs(wall.z + 4.65) < 1e-6, JSON.stringify(wall));
  // Just inside the bench's front edge: pushed back out the shortest way (to z = 0.25 + radius).
  const bench = modules.room.collide(layout, 0.2, 0.5, 0.35);
  assert.ok(Math.abs(bench.x - 0.2) < 1e-6 && Math.abs(bench.z - 0.6) < 1e-6, JSON.stringify(bench));
});

test('the back-off doubles from 1 s to 15 s with ±20 % jitter, and starts over after a reset', () => {
  const backoff = new modules.backoff.Backoff();
  const delays = Array.from({ length: 7 }, () => backoff.next());
  const bases = [1000, 2000, 4000, 8000, 15000, 15000, 15000];
  delays.forEach((d, i) => assert.ok(d >= bases[i] * 0.8 && d <= bases[i] * 1.2, `${i}: ${d}`));
  backoff.reset();
  assert.ok(backoff.next() <= 1200);
});

test('what the world server sends is checked before use', () => {
  const { parsePlayer, parseAnimState, parseChat } = modules.protocol;
  const transform = { position: { x: 1, y: 0, z: -2 }, rotation: { x: 0, y: 0.6, z: 0, w: 0.8 } };
  assert.deepEqual(parsePlayer({ playerId: 'abc', transform, extra: 1 }), { playerId: 'abc', transform });
  assert.equal(parsePlayer({ playerId: 7, transform }), null);
  assert.equal(parsePlayer({ playerId: 'abc', transform: { position: { x: 1, y: 0 }, rotation: transform.rotation } }), null);
  assert.equal(parsePlayer({ playerId: 'abc', transform: { ...transform, position: { x: NaN, y: 0, z: 0 } } }), null);
  assert.equal(parsePlayer(null), null);
  assert.equal(parseAnimState(2), 2);
  for (const bad of [4, -1, 1.5, '1', null]) assert.equal(parseAnimState(bad), null);
  assert.equal(parseChat({ message: 5, nickname: 'x' }), null);
  assert.equal(parseChat({ sessionId: 's', playerId: 'p', nickname: 'Ann', message: 'hi', timestamp: 5 }).message, 'hi');
});

const at = (x, z = 0, yaw = 0) => ({
  position: { x, y: 0, z },
  rotation: { x: 0, y: Math.sin(yaw / 2), z: 0, w: Math.cos(yaw / 2) },
});

test('our transform goes out at most every 50 ms, the latest one, and only when it changed', () => {
  const throttle = new modules.throttle.UpdateThrottle();
  throttle.offer(at(1));
  assert.deepEqual(throttle.take(0), at(1));
  throttle.offer(at(2));
  assert.equal(throttle.take(30), null, 'too soon');
  throttle.offer(at(3));
  assert.deepEqual(throttle.take(50), at(3), 'the latest, once 50 ms have passed');
  throttle.offer(at(3));
  assert.equal(throttle.take(200), null, 'unchanged');
  assert.equal(throttle.take(300), null, 'nothing offered');
  // Over one simulated second of 60 frames with a moving avatar: at most 20 sends.
  let sent = 0;
  for (let frame = 0; frame < 60; frame++) {
    const now = 1000 + (frame * 1000) / 60;
    throttle.offer(at(frame));
    if (throttle.take(now)) sent++;
  }
  assert.ok(sent <= 20 && sent >= 15, `${sent} sends`);
  throttle.reset();
  throttle.offer(at(59));
  assert.deepEqual(throttle.take(5000), at(59), 'after a reconnection the same transform goes out again');
});

test('a remote player moves smoothly between the transforms around the moment drawn', () => {
  const buffer = new modules.interpolation.SnapshotBuffer();
  const object = new THREE.Object3D();
  buffer.push(at(0), 0);
  buffer.sample(-50, object);
  assert.equal(object.position.x, 0, 'before the first: held there');
  buffer.push(at(1, 0, Math.PI / 2), 50);
  buffer.push(at(2), 100);
  buffer.sample(25, object);
  assert.ok(Math.abs(object.position.x - 0.5) < 1e-9, 'halfway between the first two');
  assert.ok(Math.abs(object.rotation.y - Math.PI / 4) < 1e-6, 'turned halfway too');
  const steps = [];
  let last = object.position.x;
  for (let t = 25; t <= 100; t += 5) {
    buffer.sample(t, object);
    steps.push(object.position.x - last);
    last = object.position.x;
  }
  assert.ok(Math.max(...steps) <= 0.1 + 1e-9, 'no jump: 5 ms never moves more than 0.1 m at 20 m/s');
  buffer.sample(500, object);
  assert.equal(object.position.x, 2, 'after the last: held there');
});
