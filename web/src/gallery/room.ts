// What the gallery needs to know about world.glb: the ten spots (transform nodes spot1…spot10,
// each with a spotN_picture and a spotN_frame mesh), the walkable floor area (inside the
// `collider_wall_*` boxes) and the obstacles (the other `collider_*` boxes). Collision is by
// axis-aligned boxes on the floor plane: cheap and enough for a room of boxes.
import * as THREE from 'three';

export interface Spot {
  name: string;
  picture: THREE.Mesh;
  frame: THREE.Mesh | null;
}

export interface Box2 {
  minX: number;
  maxX: number;
  minZ: number;
  maxZ: number;
}

export interface RoomLayout {
  spots: Spot[];
  /** Where the avatar's centre may go (the room's inside). */
  bounds: Box2;
  /** Boxes inside the room the avatar walks around. */
  obstacles: Box2[];
}

const SPOT_NAME = /^spot(10|[1-9])$/;
const COLLIDER_PREFIX = 'collider_';
const WALL_PREFIX = 'collider_wall_';

export function readRoom(world: THREE.Object3D): RoomLayout {
  world.updateMatrixWorld(true);
  const spots: Spot[] = [];
  world.traverse((node) => {
    if (!SPOT_NAME.test(node.name)) return;
    let picture: THREE.Mesh | null = null;
    let frame: THREE.Mesh | null = null;
    node.traverse((child) => {
      if (!(child as THREE.Mesh).isMesh) return;
      if (child.name.startsWith(`${node.name}_picture`)) picture ??= child as THREE.Mesh;
      else if (child.name.startsWith(`${node.name}_frame`)) frame ??= child as THREE.Mesh;
    });
    if (picture) spots.push({ name: node.name, picture, frame });
  });
  spots.sort((a, b) => Number(a.name.slice(4)) - Number(b.name.slice(4)));

  // Without colliders, the model's outer box is the limit.
  const outer = new THREE.Box3().setFromObject(world);
  const bounds: Box2 = { minX: outer.min.x, maxX: outer.max.x, minZ: outer.min.z, maxZ: outer.max.z };
  const centre = outer.getCenter(new THREE.Vector3());
  const obstacles: Box2[] = [];
  // `collider_*` nodes are empty: an axis-aligned box centred at the node, its scale the size.
  world.traverse((node) => {
    if (!node.name.startsWith(COLLIDER_PREFIX)) return;
    const at = node.getWorldPosition(new THREE.Vector3());
    const size = node.getWorldScale(new THREE.Vector3());
    const box: Box2 = { minX: at.x - size.x / 2, maxX: at.x + size.x / 2, minZ: at.z - size.z / 2, maxZ: at.z + size.z / 2 };
    if (!node.name.startsWith(WALL_PREFIX)) {
      obstacles.push(box);
      return;
    }
    // A wall bounds the room at its inner face, on the side where it stands.
    const acrossZ = box.minZ < centre.z && box.maxZ > centre.z;
    if (acrossZ && box.maxX <= centre.x) bounds.minX = Math.max(bounds.minX, box.maxX);
    else if (acrossZ && box.minX >= centre.x) bounds.maxX = Math.min(bounds.maxX, box.minX);
    else if (box.maxZ <= centre.z) bounds.minZ = Math.max(bounds.minZ, box.maxZ);
    else if (box.minZ >= centre.z) bounds.maxZ = Math.min(bounds.maxZ, box.minZ);
  });
  return { spots, bounds, obstacles };
}

/**
 * Moves a point of radius `radius` from (x, z) to a place outside every obstacle and inside the
 * bounds, by the shortest push out of each box.
 */
export function collide(layout: RoomLayout, x: number, z: number, radius: number): { x: number; z: number } {
  const b = layout.bounds;
  x = Math.min(b.maxX - radius, Math.max(b.minX + radius, x));
  z = Math.min(b.maxZ - radius, Math.max(b.minZ + radius, z));
  for (const o of layout.obstacles) {
    const left = x + radius - o.minX;
    const right = o.maxX - (x - radius);
    const front = z + radius - o.minZ;
    const back = o.maxZ - (z - radius);
    if (left <= 0 || right <= 0 || front <= 0 || back <= 0) continue;
    const push = Math.min(left, right, front, back);
    if (push === left) x -= left;
    else if (push === right) x += right;
    else if (push === front) z -= front;
    else z += back;
  }
  return { x, z };
}
