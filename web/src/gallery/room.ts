// What the gallery needs to know about world.glb: the ten spots (transform nodes spot1…spot10,
// each with a spotN_picture and a spotN_frame mesh), the walkable floor area, and the obstacles
// inside it. Collision is by axis-aligned boxes on the floor plane: cheap and good enough for a
// room of boxes.
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
// Walls are this thick at most; anything touching the outer box is a wall, not an obstacle.
const WALL_SLACK = 0.6;

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

  const spotMeshes = new Set<THREE.Object3D>();
  for (const spot of spots) {
    spotMeshes.add(spot.picture);
    if (spot.frame) spotMeshes.add(spot.frame);
  }
  const outer = new THREE.Box3().setFromObject(world);
  const outerSize = outer.getSize(new THREE.Vector3());
  const inner: Box2 = {
    minX: outer.min.x + WALL_SLACK / 2,
    maxX: outer.max.x - WALL_SLACK / 2,
    minZ: outer.min.z + WALL_SLACK / 2,
    maxZ: outer.max.z - WALL_SLACK / 2,
  };
  const boxes: Box2[] = [];
  world.traverse((node) => {
    const mesh = node as THREE.Mesh;
    if (!mesh.isMesh || spotMeshes.has(mesh) || (mesh as unknown as THREE.SkinnedMesh).isSkinnedMesh) return;
    const box = new THREE.Box3().setFromObject(mesh);
    const size = box.getSize(new THREE.Vector3());
    // Flat things (floor, ceiling, rugs) are not in the way.
    if (size.y < 0.3 || box.min.y > 1.5) return;
    // One mesh holding all the walls: we cannot see inside it, so the outer box (less a wall's
    // thickness) stays the limit.
    if (size.x > outerSize.x * 0.9 && size.z > outerSize.z * 0.9) return;
    const touchesX = box.min.x <= outer.min.x + WALL_SLACK || box.max.x >= outer.max.x - WALL_SLACK;
    const touchesZ = box.min.z <= outer.min.z + WALL_SLACK || box.max.z >= outer.max.z - WALL_SLACK;
    if (touchesX && size.x < size.z) {
      // a wall along z: the room's inside ends at its inner face
      if (box.min.x <= outer.min.x + WALL_SLACK) inner.minX = Math.max(inner.minX, box.max.x);
      else inner.maxX = Math.min(inner.maxX, box.min.x);
      return;
    }
    if (touchesZ && size.z <= size.x) {
      if (box.min.z <= outer.min.z + WALL_SLACK) inner.minZ = Math.max(inner.minZ, box.max.z);
      else inner.maxZ = Math.min(inner.maxZ, box.min.z);
      return;
    }
    boxes.push({ minX: box.min.x, maxX: box.max.x, minZ: box.min.z, maxZ: box.max.z });
  });
  return { spots, bounds: inner, obstacles: boxes };
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
