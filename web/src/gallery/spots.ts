// Hangs the album's gallery images (GET /album/gallery/spot, preview size) on the spots'
// pictures, keeping each photo's aspect inside its frame, and finds which photo a ray hits.
import * as THREE from 'three';
import type { AlbumImage } from '../lib/api';
import type { Spot } from './room';

export interface HungPhoto {
  spot: Spot;
  image: AlbumImage;
}

export class Spots {
  private readonly hung = new Map<THREE.Object3D, HungPhoto>();
  private readonly loader = new THREE.TextureLoader();
  private readonly raycaster = new THREE.Raycaster();

  constructor(
    private readonly spots: Spot[],
    private readonly maxAnisotropy: number,
  ) {
    this.loader.setCrossOrigin('anonymous');
  }

  /** Applies each assigned image; spots without one keep the model's blank canvas. */
  async hang(images: Record<string, AlbumImage>): Promise<void> {
    await Promise.all(
      this.spots.map(async (spot) => {
        const image = images[spot.name];
        if (!image) return;
        let texture: THREE.Texture;
        try {
          texture = await this.loader.loadAsync(image.previewPath);
        } catch {
          return; // a missing preview leaves the spot blank; the others still hang
        }
        texture.colorSpace = THREE.SRGBColorSpace;
        texture.anisotropy = Math.min(4, this.maxAnisotropy);
        const source = texture.image as { width: number; height: number };
        fitAspect(spot.picture, source.width / source.height || image.width / image.height || 1);
        // The picture's vertex colours hold its baked light (materials.ts): the photo is lit.
        spot.picture.material = new THREE.MeshBasicMaterial({ map: texture, vertexColors: true });
        this.hung.set(spot.picture, { spot, image });
      }),
    );
  }

  get count(): number {
    return this.hung.size;
  }

  /** The photo under a point given in normalised device coordinates, if any. */
  pick(ndc: THREE.Vector2, camera: THREE.Camera): HungPhoto | null {
    this.raycaster.setFromCamera(ndc, camera);
    const hit = this.raycaster.intersectObjects([...this.hung.keys()], false)[0];
    return hit ? (this.hung.get(hit.object) ?? null) : null;
  }

  /** The centre of a spot's picture in world space (for the tests' screen checks). */
  centre(name: string): THREE.Vector3 | null {
    const spot = this.spots.find((s) => s.name === name);
    if (!spot) return null;
    return new THREE.Box3().setFromObject(spot.picture).getCenter(new THREE.Vector3());
  }
}

/**
 * Shrinks the picture mesh along its width or its height so that it shows `aspect` (width over
 * height) inside the area the model gave it. The picture is a flat mesh; its vertical is local y
 * and its width the larger of local x and z.
 */
function fitAspect(picture: THREE.Mesh, aspect: number) {
  picture.geometry.computeBoundingBox();
  const size = picture.geometry.boundingBox!.getSize(new THREE.Vector3());
  const widthAxis: 'x' | 'z' = size.x >= size.z ? 'x' : 'z';
  const width = size[widthAxis];
  const height = size.y;
  if (!(width > 0 && height > 0 && aspect > 0)) return;
  const slot = width / height;
  if (aspect > slot) picture.scale.y *= slot / aspect;
  else picture.scale[widthAxis] *= aspect / slot;
}
