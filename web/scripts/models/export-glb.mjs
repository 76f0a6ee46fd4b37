// A three.js object (with its animation clips) as the bytes of a binary glTF (.glb) file.
import './node-shims.mjs';
import { GLTFExporter } from 'three/examples/jsm/exporters/GLTFExporter.js';

/**
 * @param {import('three').Object3D} root what to export (a Scene: its children become the root nodes, in order)
 * @param {import('three').AnimationClip[]} animations exported in this order
 * @returns {Promise<Uint8Array>}
 */
export async function exportGlb(root, animations = []) {
  const result = await new GLTFExporter().parseAsync(root, {
    binary: true,
    trs: true, // translation/rotation/scale per node, not matrices: readable, and colliders use scale
    onlyVisible: true,
    animations,
  });
  if (!(result instanceof ArrayBuffer)) {
    throw new Error('GLTFExporter did not return binary glTF');
  }
  return new Uint8Array(result);
}
