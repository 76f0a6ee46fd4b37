// world.glb: the gallery room, ten framed picture spots and invisible collision boxes.
//
// The contract (the original frontend and ours load it): the first root node is the room, a mesh
// (the floor) whose children are meshes; root transform nodes spot1 … spot10, each holding a
// `spotN_picture` mesh (a plane, UVs 0..1, upright and unmirrored from the room side) and a
// `spotN_frame` mesh; then the `colliders` node (see web/README.md). Y is up, metres, floor at y=0.
import * as THREE from 'three';
import { box, merge, mesh, standard } from './geometry.mjs';

/** The room's inner size in metres; its centre is the origin (the world server's spawn point). */
export const ROOM = { width: 24, depth: 14, height: 5 };
/** A picture's size in metres and its centre's height. */
export const PICTURE = { width: 2.4, height: 1.6, centreY: 1.6 };

const WALL_THICKNESS = 0.2;
const HALF_W = ROOM.width / 2;
const HALF_D = ROOM.depth / 2;

/** sRGB hex to the linear [r, g, b] that vertex colours hold. */
function rgb(hex) {
  const c = new THREE.Color(hex);
  return [c.r, c.g, c.b];
}

/** A deterministic stream of numbers in [0, 1): the same file on every build. */
function random(seed) {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

// Oak planks running along the room, staggered row by row, each a slightly different shade.
function floorGeometry() {
  const plankWidth = 0.35;
  const plankLength = 3.0;
  const next = random(7);
  const base = rgb(0xb3875a);
  const positions = [];
  const colors = [];
  const indices = [];
  const rows = Math.round(ROOM.depth / plankWidth);
  for (let row = 0; row < rows; row++) {
    const z0 = -HALF_D + row * plankWidth;
    const z1 = Math.min(z0 + plankWidth, HALF_D);
    let x0 = -HALF_W;
    let x1 = -HALF_W + ((row * 1.1) % plankLength || plankLength);
    while (x0 < HALF_W) {
      x1 = Math.min(x1, HALF_W);
      const shade = 0.8 + 0.2 * next();
      const color = base.map((v) => v * shade);
      const first = positions.length / 3;
      positions.push(x0, 0, z0, x0, 0, z1, x1, 0, z1, x1, 0, z0);
      for (let i = 0; i < 4; i++) colors.push(...color);
      indices.push(first, first + 1, first + 2, first, first + 2, first + 3);
      x0 = x1;
      x1 = x0 + plankLength;
    }
  }
  const geometry = new THREE.BufferGeometry();
  geometry.setAttribute('position', new THREE.Float32BufferAttribute(positions, 3));
  geometry.setAttribute('color', new THREE.Float32BufferAttribute(colors, 3));
  geometry.setIndex(indices);
  geometry.computeVertexNormals();
  return geometry;
}

// Each wall as [min, max] corners, outside the room's inner box so its inner face is the boundary.
function wallBoxes() {
  const t = WALL_THICKNESS;
  const h = ROOM.height;
  return {
    north: [[-HALF_W - t, 0, -HALF_D - t], [HALF_W + t, h, -HALF_D]],
    south: [[-HALF_W - t, 0, HALF_D], [HALF_W + t, h, HALF_D + t]],
    west: [[-HALF_W - t, 0, -HALF_D], [-HALF_W, h, HALF_D]],
    east: [[HALF_W, 0, -HALF_D], [HALF_W + t, h, HALF_D]],
  };
}

// A band around the inner walls from y0 to y1, standing `depth` out of them.
function band(y0, y1, depth, color) {
  return merge([
    box([-HALF_W, y0, -HALF_D], [HALF_W, y1, -HALF_D + depth], color),
    box([-HALF_W, y0, HALF_D - depth], [HALF_W, y1, HALF_D], color),
    box([-HALF_W, y0, -HALF_D + depth], [-HALF_W + depth, y1, HALF_D - depth], color),
    box([HALF_W - depth, y0, -HALF_D + depth], [HALF_W, y1, HALF_D - depth], color),
  ]);
}

/** Where the two benches stand, as [min, max] corners: off the centre, where visitors spawn. */
export const BENCHES = [-6, 6].map((x) => [[x - 1.1, 0, -0.25], [x + 1.1, 0.48, 0.25]]);

function benchGeometry() {
  const seat = rgb(0x7a5334);
  const legs = rgb(0x2b2b2e);
  const parts = [];
  for (const [min, max] of BENCHES) {
    parts.push(box([min[0], 0.4, min[2]], [max[0], max[1], max[2]], seat));
    for (const x of [min[0] + 0.15, max[0] - 0.2]) {
      parts.push(box([x, 0, min[2] + 0.04], [x + 0.05, 0.4, max[2] - 0.04], legs));
    }
  }
  return merge(parts);
}

// Light panels set in the ceiling, in two rows along the room.
function ceilingLightGeometry() {
  const parts = [];
  for (const z of [-3.5, 3.5]) {
    for (const x of [-8, 0, 8]) {
      parts.push(box([x - 1.5, ROOM.height - 0.03, z - 0.3], [x + 1.5, ROOM.height, z + 0.3], [1, 1, 1]));
    }
  }
  return merge(parts);
}

// A closed double door on the west wall, away from spot10: the room reads as part of a building.
function doorGeometry() {
  const wood = rgb(0x5c3f2c);
  const casing = rgb(0x4a3a2c);
  const brass = rgb(0xb08d57);
  const x = -HALF_W;
  const [z0, z1, top] = [-5.3, -3.7, 2.7];
  return merge([
    box([x, 0, z0], [x + 0.04, top, z1], wood),
    box([x, 0, -4.51], [x + 0.045, top, -4.49], casing), // the meeting of the two leaves
    box([x, top, z0 - 0.1], [x + 0.06, top + 0.1, z1 + 0.1], casing),
    box([x, 0, z0 - 0.1], [x + 0.06, top, z0], casing),
    box([x, 0, z1], [x + 0.06, top, z1 + 0.1], casing),
    box([x + 0.04, 1.0, -4.62], [x + 0.07, 1.2, -4.58], brass),
    box([x + 0.04, 1.0, -4.42], [x + 0.07, 1.2, -4.38], brass),
  ]);
}

// A slim brass lamp over each frame, on an arm from the wall (the light itself is the client's).
function pictureLightGeometry() {
  const brass = rgb(0xb08d57);
  const top = PICTURE.height / 2 + 0.08;
  const parts = [];
  for (const { position, turn } of spotPlacements()) {
    const place = new THREE.Matrix4()
      .makeRotationY(turn)
      .setPosition(...position);
    for (const part of [
      box([-0.45, top + 0.22, 0.26], [0.45, top + 0.28, 0.34], brass), // the lamp bar
      box([-0.015, top + 0.06, 0], [0.015, top + 0.25, 0.03], brass), // the wall plate and arm
      box([-0.015, top + 0.22, 0.03], [0.015, top + 0.25, 0.28], brass),
    ]) {
      parts.push(part.applyMatrix4(place));
    }
  }
  return merge(parts);
}

// Beams under the ceiling that split it into six coffers, one light panel in each.
function ceilingBeamGeometry() {
  const white = rgb(0xf6f4ef);
  const y0 = ROOM.height - 0.28;
  const parts = [-4, 4].map((x) => box([x - 0.15, y0, -HALF_D], [x + 0.15, ROOM.height, HALF_D], white));
  parts.push(box([-HALF_W, y0, -0.15], [HALF_W, ROOM.height, 0.15], white));
  return merge(parts);
}

function room() {
  const matte = standard('wall_paint', { roughness: 0.92 });
  const floor = mesh('room', floorGeometry(), standard('floor_oak', { roughness: 0.55 }));
  const walls = Object.values(wallBoxes()).map(([min, max]) => box(min, max, rgb(0xf1ede6)));
  floor.add(mesh('walls', merge([...walls, band(0, 0.6, 0.015, rgb(0xd8d0c2))]), matte));
  const ceiling = box([-HALF_W, ROOM.height, -HALF_D], [HALF_W, ROOM.height + 0.1, HALF_D], rgb(0xfbfaf7));
  floor.add(mesh('ceiling', merge([ceiling, ceilingBeamGeometry()]), matte));
  const trim = merge([
    band(0, 0.12, 0.025, rgb(0x4a3a2c)), // skirting
    band(0.6, 0.64, 0.03, rgb(0x4a3a2c)), // dado rail
    band(ROOM.height - 0.14, ROOM.height, 0.06, rgb(0xfbfaf7)), // crown moulding
  ]);
  floor.add(mesh('trim', trim, standard('trim_satin', { roughness: 0.45 })));
  floor.add(mesh('benches', benchGeometry(), standard('bench_wood', { roughness: 0.5 })));
  floor.add(mesh('door', doorGeometry(), standard('door_wood', { roughness: 0.5 })));
  floor.add(mesh('picture_lights', pictureLightGeometry(), standard('brass', { roughness: 0.35, metalness: 0.8 })));
  floor.add(
    mesh(
      'ceiling_lights',
      ceilingLightGeometry(),
      standard('light_panel', { color: 0xffffff, emissive: 0xfff4e0, roughness: 1 }),
    ),
  );
  return floor;
}

// A frame around a picture centred on the spot's origin, its back on the wall (z = 0).
function frameGeometry() {
  const w = PICTURE.width / 2;
  const h = PICTURE.height / 2;
  const bar = 0.08;
  const depth = 0.06;
  const wood = rgb(0x1f1b18);
  return merge([
    box([-w - bar, h, 0], [w + bar, h + bar, depth], wood),
    box([-w - bar, -h - bar, 0], [w + bar, -h, depth], wood),
    box([-w - bar, -h, 0], [-w, h, depth], wood),
    box([w, -h, 0], [w + bar, h, depth], wood),
    box([-w, -h, 0], [w, h, 0.01], rgb(0x3a3633)), // backing board
  ]);
}

// A plane facing +Z (the room) whose u runs left to right and v bottom to top as seen from the
// room: a photo loaded the usual way (three's TextureLoader, flipY) shows upright.
function pictureGeometry() {
  const geometry = new THREE.PlaneGeometry(PICTURE.width, PICTURE.height);
  geometry.translate(0, 0, 0.03);
  return geometry;
}

/** The ten spots: position on a wall's inner face and the turn about Y that faces the room. */
export function spotPlacements() {
  const off = 0.01; // in front of the wainscot's face
  const spots = [];
  for (const x of [-9, -3, 3, 9]) spots.push({ position: [x, PICTURE.centreY, -HALF_D + off], turn: 0 });
  spots.push({ position: [HALF_W - off, PICTURE.centreY, 0], turn: -Math.PI / 2 });
  for (const x of [9, 3, -3, -9]) spots.push({ position: [x, PICTURE.centreY, HALF_D - off], turn: Math.PI });
  spots.push({ position: [-HALF_W + off, PICTURE.centreY, 0], turn: Math.PI / 2 });
  return spots;
}

function spots() {
  const frameMaterial = standard('frame_lacquer', { roughness: 0.35 });
  const frame = frameGeometry();
  return spotPlacements().map(({ position, turn }, i) => {
    const n = i + 1;
    const spot = new THREE.Object3D();
    spot.name = `spot${n}`;
    spot.position.set(...position);
    spot.rotation.y = turn;
    spot.add(mesh(`spot${n}_frame`, frame, frameMaterial)); // one shared geometry
    // Each picture has its own material: a photo set on one never shows on another.
    const canvas = standard(`spot${n}_picture`, { color: 0xe9e5dc, roughness: 0.6, vertexColors: false });
    spot.add(mesh(`spot${n}_picture`, pictureGeometry(), canvas));
    return spot;
  });
}

// Empty nodes `collider_*`: each an axis-aligned box centred at its translation, its scale the
// box's size in metres. They carry no mesh, so nothing draws them.
function colliders() {
  const group = new THREE.Object3D();
  group.name = 'colliders';
  group.userData = { room: { ...ROOM }, spawn: [0, 0, 0] };
  const boxes = Object.entries(wallBoxes()).map(([side, corners]) => [`collider_wall_${side}`, corners]);
  BENCHES.forEach((corners, i) => boxes.push([`collider_bench_${i + 1}`, corners]));
  for (const [name, [min, max]] of boxes) {
    const node = new THREE.Object3D();
    node.name = name;
    node.position.set((min[0] + max[0]) / 2, (min[1] + max[1]) / 2, (min[2] + max[2]) / 2);
    node.scale.set(max[0] - min[0], max[1] - min[1], max[2] - min[2]);
    node.userData = { collider: 'box' };
    group.add(node);
  }
  return group;
}

/** The world as a Scene whose children are, in order: the room, spot1 … spot10, colliders. */
export function buildWorld() {
  const scene = new THREE.Scene();
  scene.name = 'gallery';
  scene.add(room(), ...spots(), colliders());
  return scene;
}

