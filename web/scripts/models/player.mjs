// player.glb: a stylised mannequin, one skinned mesh on a 15-bone skeleton, 1.8 m tall, feet at
// y = 0, facing +Z, its left side towards +X. Every part is bound wholly to one bone (weight 1), with
// ball joints at elbows and knees so bending shows no gap. One material, `avatar`: the client tints
// each visitor by setting its colour; the vertex colours only shade the parts (trousers darker,
// a dark visor on the face so the facing shows). About 1,460 triangles: twenty avatars are most
// of what a software renderer draws in a frame, so the parts have few segments (the head most).
import * as THREE from 'three';
import { merge, paint } from './geometry.mjs';
import { playerAnimations } from './player-animations.mjs';

/** The skeleton: each bone's name, parent and head position (metres, bind pose, arms down). */
export const BONES = [
  { name: 'hips', parent: null, head: [0, 0.95, 0] },
  { name: 'spine', parent: 'hips', head: [0, 1.04, 0] },
  { name: 'chest', parent: 'spine', head: [0, 1.24, 0] },
  { name: 'neck', parent: 'chest', head: [0, 1.46, 0] },
  { name: 'head', parent: 'neck', head: [0, 1.55, 0] },
  ...side('L', 1),
  ...side('R', -1),
];

function side(tag, sign) {
  return [
    { name: `upperArm_${tag}`, parent: 'chest', head: [0.25 * sign, 1.42, 0] },
    { name: `lowerArm_${tag}`, parent: `upperArm_${tag}`, head: [0.25 * sign, 1.15, 0] },
    { name: `hand_${tag}`, parent: `lowerArm_${tag}`, head: [0.25 * sign, 0.9, 0] },
    { name: `upperLeg_${tag}`, parent: 'hips', head: [0.1 * sign, 0.92, 0] },
    { name: `lowerLeg_${tag}`, parent: `upperLeg_${tag}`, head: [0.1 * sign, 0.5, 0] },
    { name: `foot_${tag}`, parent: `lowerLeg_${tag}`, head: [0.1 * sign, 0.09, 0] },
  ];
}

/** The avatar's height in metres (the top of its head). */
export const PLAYER_HEIGHT = 1.8;

// Shades (multiplied by the tint): cloth, limbs, trousers, shoes, face visor.
const SHADE = { body: 1, limb: 0.92, legs: 0.42, shoes: 0.16, skin: 0.97, visor: 0.1 };

function grey(v) {
  return [v, v, v];
}

// A capsule standing upright between heights y0 and y1 (overlapping its ends by `radius`).
function limb(x, y0, y1, radius) {
  const g = new THREE.CapsuleGeometry(radius, Math.max(0.01, Math.abs(y1 - y0) - radius), 2, 6);
  g.translate(x, (y0 + y1) / 2, 0);
  return g;
}

// An upright capsule centred at height y, stretched sideways and flattened front to back: the
// pelvis, the belly and the chest.
function trunk(y, radius, length, [width, depth]) {
  const g = new THREE.CapsuleGeometry(radius, length, 3, 10);
  g.scale(width, 1, depth);
  g.translate(0, y, 0);
  return g;
}

// Segments (around, top to bottom) of a joint ball: mostly hidden in the limbs' rounded ends.
const JOINT = [6, 4];

function ball(center, radius, scale = [1, 1, 1], segments = [8, 5]) {
  const g = new THREE.SphereGeometry(radius, ...segments);
  g.scale(...scale);
  g.translate(...center);
  return g;
}

function cuboid(min, max) {
  const g = new THREE.BoxGeometry(max[0] - min[0], max[1] - min[1], max[2] - min[2]);
  g.translate((min[0] + max[0]) / 2, (min[1] + max[1]) / 2, (min[2] + max[2]) / 2);
  return g;
}

// Every part: its bone, its geometry in bind-pose coordinates, its shade.
function parts() {
  const list = [
    ['hips', trunk(0.93, 0.12, 0.04, [1.35, 0.72]), SHADE.legs],
    ['spine', trunk(1.13, 0.115, 0.08, [1.2, 0.7]), SHADE.body],
    ['chest', trunk(1.33, 0.13, 0.1, [1.45, 0.72]), SHADE.body],
    ['neck', limb(0, 1.44, 1.58, 0.05), SHADE.skin],
    ['head', ball([0, 1.665, 0], 0.12, [0.95, 1.13, 1], [10, 7]), SHADE.skin],
    ['head', cuboid([-0.08, 1.665, 0.07], [0.08, 1.715, 0.125]), SHADE.visor],
  ];
  for (const [tag, sign] of [['L', 1], ['R', -1]]) {
    const x = 0.25 * sign;
    const legX = 0.1 * sign;
    list.push(
      [`upperArm_${tag}`, ball([x, 1.42, 0], 0.058, undefined, JOINT), SHADE.body],
      [`upperArm_${tag}`, limb(x, 1.42, 1.15, 0.05), SHADE.body],
      [`lowerArm_${tag}`, ball([x, 1.15, 0], 0.046, undefined, JOINT), SHADE.limb],
      [`lowerArm_${tag}`, limb(x, 1.15, 0.92, 0.042), SHADE.limb],
      [`hand_${tag}`, ball([x, 0.85, 0], 0.05, [0.8, 1.25, 1]), SHADE.skin],
      [`upperLeg_${tag}`, limb(legX, 0.95, 0.5, 0.072), SHADE.legs],
      [`lowerLeg_${tag}`, ball([legX, 0.5, 0], 0.062, undefined, JOINT), SHADE.legs],
      [`lowerLeg_${tag}`, limb(legX, 0.5, 0.1, 0.056), SHADE.legs],
      [`foot_${tag}`, cuboid([legX - 0.05, 0, -0.06], [legX + 0.05, 0.09, 0.18]), SHADE.shoes],
    );
  }
  return list;
}

// One geometry for the whole body with skin indices and weights (one bone per vertex).
function bodyGeometry() {
  const boneIndex = new Map(BONES.map((b, i) => [b.name, i]));
  // three's primitives are all indexed and share their attributes, so they merge.
  const geometries = parts().map(([bone, g, shade]) => {
    const index = boneIndex.get(bone);
    if (index === undefined) throw new Error(`player: no bone ${bone}`);
    g.deleteAttribute('uv');
    paint(g, grey(shade));
    const count = g.getAttribute('position').count;
    const indices = new Uint16Array(count * 4);
    const weights = new Float32Array(count * 4);
    for (let i = 0; i < count; i++) {
      indices[i * 4] = index;
      weights[i * 4] = 1;
    }
    g.setAttribute('skinIndex', new THREE.Uint16BufferAttribute(indices, 4));
    g.setAttribute('skinWeight', new THREE.Float32BufferAttribute(weights, 4));
    return g;
  });
  return merge(geometries);
}

function skeleton() {
  const bones = new Map();
  for (const { name, parent, head } of BONES) {
    const bone = new THREE.Bone();
    bone.name = name;
    const origin = parent ? BONES.find((b) => b.name === parent).head : [0, 0, 0];
    bone.position.set(head[0] - origin[0], head[1] - origin[1], head[2] - origin[2]);
    if (parent) bones.get(parent).add(bone);
    bones.set(name, bone);
  }
  return BONES.map((b) => bones.get(b.name));
}

/** The default tint of the `avatar` material (sRGB); the client sets its own per visitor. */
export const DEFAULT_TINT = 0x7f9ccf;

/** The player: a Scene holding `player` (the skinned mesh `avatar` and the root bone `hips`), and its clips. */
export function buildPlayer() {
  const material = new THREE.MeshStandardMaterial({ color: DEFAULT_TINT, roughness: 0.6, vertexColors: true });
  material.name = 'avatar';
  const avatar = new THREE.SkinnedMesh(bodyGeometry(), material);
  avatar.name = 'avatar';
  const bones = skeleton();
  const player = new THREE.Object3D();
  player.name = 'player';
  player.add(avatar, bones[0]);
  player.updateMatrixWorld(true);
  avatar.bind(new THREE.Skeleton(bones));
  const scene = new THREE.Scene();
  scene.name = 'player';
  scene.add(player);
  return { scene, animations: playerAnimations(BONES) };
}
