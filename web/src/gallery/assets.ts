// Loads the two generated models (served by the gateway at /assets/world.glb and
// /assets/player.glb) with one combined progress figure.
import { GLTFLoader, type GLTF } from 'three/examples/jsm/loaders/GLTFLoader.js';

export const WORLD_URL = '/assets/world.glb';
export const PLAYER_URL = '/assets/player.glb';

export interface Models {
  world: GLTF;
  player: GLTF;
}

/**
 * Starts downloading both files into the HTTP cache (the gateway serves /assets/ as immutable), so
 * that the lobby's time is not lost: loadModels then reads them from the cache.
 */
export function prefetchModels() {
  for (const url of [WORLD_URL, PLAYER_URL]) void fetch(url).then((r) => r.arrayBuffer()).catch(() => {});
}

/** `progress` gets 0…1 over both files (a file with no known size counts when it is done). */
export async function loadModels(progress: (fraction: number) => void): Promise<Models> {
  const loader = new GLTFLoader();
  const parts = [0, 0];
  const report = () => progress((parts[0] + parts[1]) / 2);
  const load = (url: string, slot: number) =>
    new Promise<GLTF>((resolve, reject) => {
      loader.load(
        url,
        (gltf) => {
          parts[slot] = 1;
          report();
          resolve(gltf);
        },
        (event: ProgressEvent) => {
          if (event.lengthComputable && event.total > 0) {
            parts[slot] = Math.min(0.99, event.loaded / event.total);
            report();
          }
        },
        () => reject(new Error(`${url} could not be loaded`)),
      );
    });
  const [world, player] = await Promise.all([load(WORLD_URL, 0), load(PLAYER_URL, 1)]);
  return { world, player };
}

