// The models come with physically based materials; the room needs no more than Lambert shading,
// which software renderers (SwiftShader) compile and draw several times faster. Colour, texture,
// vertex colours, emission and skinning carry over.
import * as THREE from 'three';

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
