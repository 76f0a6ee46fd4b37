// The contract of the generated models (scripts/build-models.mjs), checked on the files the gateway
// serves (dist/assets/, or HATONGSU_MODELS_DIR) by loading them with three.js's GLTFLoader, as
// the gallery and the original frontend do: world.glb's first root node is a mesh with child
// meshes, spot1 … spot10 each hold spotN_picture and spotN_frame; player.glb has a skinned mesh
// and the clips idle, walk, run, jump in that order.
import '../scripts/models/node-shims.mjs';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import * as THREE from 'three';
import { GLTFLoader } from 'three/examples/jsm/loaders/GLTFLoader.js';

const here = dirname(fileURLToPath(import.meta.url));
const dir = resolve(process.env.HATONGSU_MODELS_DIR ?? join(here, '..', 'dist', 'assets'));

async function load(name) {
  let bytes;
  try {
    bytes = await readFile(join(dir, name));
  } catch (error) {
    throw new Error(`${join(dir, name)} is missing: build the web client first (scripts/web.sh build)`, {
      cause: error,
    });
  }
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  return new GLTFLoader().parseAsync(buffer, '');
}

describe('world.glb', () => {
  let gltf;
  before(async () => {
    gltf = await load('world.glb');
    gltf.scene.updateMatrixWorld(true);
  });

  test('its first root node is a mesh with child meshes (the room)', () => {
    const room = gltf.scene.children[0];
    assert.ok(room.isMesh, `the first root node ${room.name} is not a mesh`);
    const meshes = room.children.filter((c) => c.isMesh);
    assert.ok(meshes.length >= 1, 'the room has no child meshes');
  });

  test('spot1 … spot10 each hold a spotN_picture and a spotN_frame mesh', () => {
    for (let n = 1; n <= 10; n++) {
      const spot = gltf.scene.getObjectByName(`spot${n}`);
      assert.ok(spot, `no node spot${n}`);
      assert.ok(!spot.isMesh, `spot${n} is a mesh, not a transform node`);
      for (const part of ['picture', 'frame']) {
        const child = spot.children.find((c) => c.name === `spot${n}_${part}`);
        assert.ok(child?.isMesh, `spot${n} has no spot${n}_${part} mesh`);
      }
    }
    assert.equal(gltf.scene.getObjectByName('spot11'), undefined);
  });

  test('each picture is a 0..1 UV plane, upright and unmirrored from the room, at eye height', () => {
    const pictures = new Set();
    for (let n = 1; n <= 10; n++) {
      const picture = gltf.scene.getObjectByName(`spot${n}_picture`);
      assert.ok(picture.material, `spot${n}_picture has no material`);
      pictures.add(picture.material);
      const position = picture.geometry.getAttribute('position');
      const uv = picture.geometry.getAttribute('uv');
      assert.ok(uv, `spot${n}_picture has no UVs`);
      // Seen from the room's centre: the picture's normal points at the viewer; the vertex with
      // u = 0, v = 1 is at the top left, u = 1, v = 0 at the bottom right.
      const centre = new THREE.Vector3();
      picture.getWorldPosition(centre);
      const normal = new THREE.Vector3(0, 0, 1).transformDirection(picture.matrixWorld);
      const toRoom = new THREE.Vector3(0, centre.y, 0).sub(centre).normalize();
      assert.ok(normal.dot(toRoom) > 0.5, `spot${n}_picture faces away from the room`);
      const right = new THREE.Vector3().crossVectors(new THREE.Vector3(0, 1, 0), normal); // viewer's right
      for (let i = 0; i < position.count; i++) {
        const p = new THREE.Vector3().fromBufferAttribute(position, i).applyMatrix4(picture.matrixWorld).sub(centre);
        const [u, v] = [uv.getX(i), uv.getY(i)];
        assert.ok(u >= 0 && u <= 1 && v >= 0 && v <= 1, `spot${n}_picture has UVs outside 0..1`);
        assert.equal(Math.sign(p.dot(right)), u > 0.5 ? 1 : -1, `spot${n}_picture is mirrored`);
        assert.equal(Math.sign(p.y), v > 0.5 ? 1 : -1, `spot${n}_picture is upside down`);
      }
      assert.ok(centre.y > 1.3 && centre.y < 1.9, `spot${n}_picture is not at eye height (${centre.y})`);
    }
    assert.equal(pictures.size, 10, 'the pictures share materials: a photo on one would show on others');
  });

  test('collider_* boxes bound the room and leave the spawn point free', () => {
    const boxes = [];
    gltf.scene.traverse((node) => {
      if (node.name.startsWith('collider_')) {
        assert.ok(!node.isMesh, `${node.name} would be drawn`);
        boxes.push(new THREE.Box3().setFromCenterAndSize(node.position, node.scale));
      }
    });
    assert.ok(boxes.length >= 4, 'fewer than four collider boxes');
    const spawn = new THREE.Vector3(0, 0.9, 0);
    assert.ok(!boxes.some((b) => b.containsPoint(spawn)), 'a collider covers the spawn point');
    for (const direction of [[1, 0, 0], [-1, 0, 0], [0, 0, 1], [0, 0, -1]]) {
      const ray = new THREE.Ray(spawn, new THREE.Vector3(...direction));
      assert.ok(boxes.some((b) => ray.intersectsBox(b)), `the room is open towards ${direction}`);
    }
  });
});

describe('player.glb', () => {
  let gltf;
  before(async () => {
    gltf = await load('player.glb');
    gltf.scene.updateMatrixWorld(true);
  });

  test('has a skinned mesh with a skeleton', () => {
    let skinned;
    gltf.scene.traverse((node) => {
      if (node.isSkinnedMesh) skinned = node;
    });
    assert.ok(skinned, 'no SkinnedMesh');
    const names = skinned.skeleton.bones.map((b) => b.name);
    for (const bone of ['hips', 'spine', 'head', 'upperArm_L', 'upperArm_R', 'upperLeg_L', 'upperLeg_R']) {
      assert.ok(names.includes(bone), `no bone ${bone}`);
    }
  });

  test('animations[0..3] are idle, walk, run, jump, each animating the bones', () => {
    assert.deepEqual(gltf.animations.slice(0, 4).map((clip) => clip.name), ['idle', 'walk', 'run', 'jump']);
    for (const clip of gltf.animations) {
      assert.ok(clip.duration > 0, `${clip.name} is empty`);
      assert.ok(clip.tracks.some((t) => t.name.endsWith('.quaternion')), `${clip.name} turns no bone`);
    }
  });

  test('stands about 1.8 m tall with its feet at y = 0', () => {
    const box = new THREE.Box3().setFromObject(gltf.scene, true);
    assert.ok(Math.abs(box.min.y) < 0.02, `feet at ${box.min.y}`);
    assert.ok(box.max.y > 1.7 && box.max.y < 1.9, `height ${box.max.y}`);
  });
});
