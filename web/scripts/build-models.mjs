// Builds the gallery's models into dist/assets/ (after `vite build`, which empties dist/):
//   world.glb   the room, ten picture spots, collision boxes    (models/world.mjs)
//   player.glb  the skinned avatar with idle, walk, run, jump   (models/player.mjs)
// Everything comes from our own code: no external assets. The gateway serves them at
// /assets/world.glb and /assets/player.glb.
// Usage: node scripts/build-models.mjs [OUT_DIR]      (OUT_DIR defaults to web/dist/assets)
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { exportGlb } from './models/export-glb.mjs';
import { buildPlayer } from './models/player.mjs';
import { buildWorld } from './models/world.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const out = resolve(process.argv[2] ?? join(here, '..', 'dist', 'assets'));

async function write(name, bytes) {
  await writeFile(join(out, name), bytes);
  console.log(`models: ${join(out, name)} (${(bytes.length / 1024).toFixed(1)} KiB)`);
}

await mkdir(out, { recursive: true });
await write('world.glb', await exportGlb(buildWorld()));
const player = buildPlayer();
await write('player.glb', await exportGlb(player.scene, player.animations));
