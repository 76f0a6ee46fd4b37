// Small geometry helpers shared by the world and the player: coloured boxes and merging.
import * as THREE from 'three';
import { mergeGeometries } from 'three/examples/jsm/utils/BufferGeometryUtils.js';

/** Gives every vertex of `geometry` the colour `rgb` ([r, g, b], linear 0..1); returns it. */
export function paint(geometry, rgb) {
  const count = geometry.getAttribute('position').count;
  const colors = new Float32Array(count * 3);
  for (let i = 0; i < count; i++) colors.set(rgb, i * 3);
  geometry.setAttribute('color', new THREE.BufferAttribute(colors, 3));
  return geometry;
}

/**
 * An axis-aligned box from its minimum and maximum corners, painted `rgb`, without UVs (the room
 * has no textures: every byte of UV would be wasted).
 */
export function box(min, max, rgb) {
  const size = [max[0] - min[0], max[1] - min[1], max[2] - min[2]];
  const geometry = new THREE.BoxGeometry(...size);
  geometry.translate((min[0] + max[0]) / 2, (min[1] + max[1]) / 2, (min[2] + max[2]) / 2);
  geometry.deleteAttribute('uv');
  return paint(geometry, rgb);
}

/** One geometry from several with the same attributes; throws rather than returning null. */
export function merge(geometries) {
  const merged = mergeGeometries(geometries, false);
  if (!merged) throw new Error('merge: the geometries do not share the same attributes');
  for (const g of geometries) g.dispose();
  return merged;
}

/** A mesh named `name` (the name becomes the glTF node's and mesh's name). */
export function mesh(name, geometry, material) {
  const m = new THREE.Mesh(geometry, material);
  m.name = name;
  return m;
}

/**
 * A physically based material; colours in sRGB hex. With vertex colours (the default) the
 * material's colour multiplies them.
 */
export function standard(name, options = {}) {
  const { color = 0xffffff, roughness = 0.8, metalness = 0, emissive = 0x000000, vertexColors = true } = options;
  const material = new THREE.MeshStandardMaterial({ color, roughness, metalness, emissive, vertexColors });
  material.name = name;
  return material;
}
