// Cheap shading for software renderers (SwiftShader), where the cost is mostly per pixel.
// - The room does not move, so its lighting is computed once per vertex on the CPU (the same
//   formula three.js uses for Lambert: hemisphere plus directional lights over π) and stored in
//   vertex colours; it is then drawn unlit (MeshBasicMaterial), the cheapest shader there is.
// - Avatars move and turn: they keep the scene's lights with Lambert instead of the models'
//   physically based materials.
import * as THREE from 'three';

export interface Lighting {
  sky: number;
  ground: number;
  hemisphere: number;
  directional: { color: number; intensity: number; position: [number, number, number] }[];
}

/** Replaces every static mesh's material under `root` with an unlit one carrying baked light. */
export function bakeLighting(root: THREE.Object3D, lighting: Lighting) {
  root.updateMatrixWorld(true);
  const sky = new THREE.Color(lighting.sky);
  const ground = new THREE.Color(lighting.ground);
  const lights = lighting.directional.map((d) => ({
    color: new THREE.Color(d.color).multiplyScalar(d.intensity),
    towards: new THREE.Vector3(...d.position).normalize(),
  }));
  const materials = new Map<THREE.Material, THREE.MeshBasicMaterial>();
  const n = new THREE.Vector3();
  root.traverse((node) => {
    const mesh = node as THREE.Mesh;
    if (!mesh.isMesh || (mesh as THREE.SkinnedMesh).isSkinnedMesh || Array.isArray(mesh.material)) return;
    const source = mesh.material as THREE.MeshStandardMaterial;
    const normals = mesh.geometry.getAttribute('normal');
    if (!normals) return;
    // Geometries may be shared by meshes facing different ways: each gets its own copy.
    const geometry = mesh.geometry.clone();
    const own = source.vertexColors ? geometry.getAttribute('color') : undefined;
    const emissive = (source.emissive ?? new THREE.Color(0)).clone().multiplyScalar(source.emissiveIntensity ?? 1);
    const normalMatrix = new THREE.Matrix3().getNormalMatrix(mesh.matrixWorld);
    const colours = new Float32Array(normals.count * 3);
    for (let i = 0; i < normals.count; i++) {
      n.fromBufferAttribute(normals, i).applyMatrix3(normalMatrix).normalize();
      const t = 0.5 * n.y + 0.5;
      let r = (ground.r + (sky.r - ground.r) * t) * lighting.hemisphere;
      let g = (ground.g + (sky.g - ground.g) * t) * lighting.hemisphere;
      let b = (ground.b + (sky.b - ground.b) * t) * lighting.hemisphere;
      for (const light of lights) {
        const k = Math.max(0, n.dot(light.towards));
        r += light.color.r * k;
        g += light.color.g * k;
        b += light.color.b * k;
      }
      const base = own ? [own.getX(i), own.getY(i), own.getZ(i)] : [1, 1, 1];
      colours[i * 3] = (base[0] * r) / Math.PI + emissive.r;
      colours[i * 3 + 1] = (base[1] * g) / Math.PI + emissive.g;
      colours[i * 3 + 2] = (base[2] * b) / Math.PI + emissive.b;
    }
    geometry.setAttribute('color', new THREE.BufferAttribute(colours, 3));
    mesh.geometry = geometry;
    let unlit = materials.get(source);
    if (!unlit) {
      unlit = new THREE.MeshBasicMaterial({
        name: source.name,
        color: source.color,
        map: source.map,
        vertexColors: true,
        transparent: source.transparent,
        opacity: source.opacity,
        side: source.side,
      });
      materials.set(source, unlit);
    }
    mesh.material = unlit;
  });
}

/** Swaps physically based materials for Lambert ones (colour, texture, vertex colours, skinning). */
export function simplifyMaterials(root: THREE.Object3D) {
  const done = new Map<THREE.Material, THREE.Material>();
  root.traverse((node) => {
    const mesh = node as THREE.Mesh;
    if (!mesh.isMesh) return;
    const swap = (material: THREE.Material) => {
      const standard = material as THREE.MeshStandardMaterial;
      if (!standard.isMeshStandardMaterial) return material;
      let lambert = done.get(material);
      if (!lambert) {
        lambert = new THREE.MeshLambertMaterial({
          name: standard.name,
          color: standard.color,
          map: standard.map,
          vertexColors: standard.vertexColors,
          emissive: standard.emissive,
          emissiveMap: standard.emissiveMap,
          emissiveIntensity: standard.emissiveIntensity,
          transparent: standard.transparent,
          opacity: standard.opacity,
          side: standard.side,
        });
        done.set(material, lambert);
      }
      return lambert;
    };
    mesh.material = Array.isArray(mesh.material) ? mesh.material.map(swap) : swap(mesh.material);
  });
}
