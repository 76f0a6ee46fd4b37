// Our own avatar: walks (2 m/s) or runs (5 m/s) where the camera looks, jumps, stays inside the
// room and out of obstacles, and is followed by a third-person camera the visitor turns.
import * as THREE from 'three';
import type { Avatar } from './avatar';
import type { MoveIntent } from './input';
import { AnimState, type Transform } from './protocol';
import { collide, type RoomLayout } from './room';

const WALK_SPEED = 2;
const RUN_SPEED = 5;
const JUMP_SPEED = 4.5;
const GRAVITY = 13;
const RADIUS = 0.35;
const TURN_RATE = 10; // how fast the body turns toward where it walks (1/s)
const CAMERA_DISTANCE = 4.2;
const CAMERA_TARGET_HEIGHT = 1.5;
const MIN_PITCH = -0.35;
const MAX_PITCH = 1.0;

const round = (v: number, digits: number) => Math.round(v * 10 ** digits) / 10 ** digits || 0;

export class LocalPlayer {
  /** The camera's heading around the avatar (0 looks toward -z) and its height angle. */
  yaw = 0;
  pitch = 0.3;
  private heading = 0;
  private verticalSpeed = 0;
  private grounded = true;
  state: AnimState = AnimState.Idle;

  constructor(
    readonly avatar: Avatar,
    private readonly layout: RoomLayout,
    private readonly camera: THREE.PerspectiveCamera,
  ) {}

  /** Puts the avatar at a transform the server chose (spawn), facing its rotation. */
  place(transform: Transform) {
    const p = transform.position;
    const spot = collide(this.layout, p.x, p.z, RADIUS);
    this.avatar.root.position.set(spot.x, Math.max(0, p.y), spot.z);
    const q = new THREE.Quaternion(transform.rotation.x, transform.rotation.y, transform.rotation.z, transform.rotation.w);
    this.heading = new THREE.Euler().setFromQuaternion(q, 'YXZ').y;
    this.yaw = this.heading + Math.PI;
    this.avatar.root.rotation.set(0, this.heading, 0);
  }

  update(dt: number, intent: MoveIntent, look: { yaw: number; pitch: number }) {
    this.yaw -= look.yaw;
    this.pitch = Math.min(MAX_PITCH, Math.max(MIN_PITCH, this.pitch + look.pitch));

    const root = this.avatar.root;
    const moving = Math.hypot(intent.x, intent.y) > 0.05;
    if (moving) {
      // Forward is where the camera looks; the model faces +z, so its heading is the move's angle.
      const speed = intent.run ? RUN_SPEED : WALK_SPEED;
      const sin = Math.sin(this.yaw);
      const cos = Math.cos(this.yaw);
      const dx = (intent.x * cos - intent.y * sin) * speed * dt;
      const dz = (-intent.x * sin - intent.y * cos) * speed * dt;
      const next = collide(this.layout, root.position.x + dx, root.position.z + dz, RADIUS);
      root.position.x = next.x;
      root.position.z = next.z;
      const target = Math.atan2(dx, dz);
      let delta = target - this.heading;
      delta = Math.atan2(Math.sin(delta), Math.cos(delta));
      this.heading += delta * Math.min(1, TURN_RATE * dt);
      root.rotation.set(0, this.heading, 0);
    }

    if (intent.jump && this.grounded) {
      this.verticalSpeed = JUMP_SPEED;
      this.grounded = false;
    }
    if (!this.grounded) {
      this.verticalSpeed -= GRAVITY * dt;
      root.position.y += this.verticalSpeed * dt;
      if (root.position.y <= 0) {
        root.position.y = 0;
        this.verticalSpeed = 0;
        this.grounded = true;
      }
    }

    const state = !this.grounded ? AnimState.Jump : !moving ? AnimState.Idle : intent.run ? AnimState.Run : AnimState.Walk;
    this.state = state;
    this.avatar.play(state);
    this.follow();
  }

  /** Keeps the camera behind and above the avatar, pulled in when a wall is behind it. */
  follow() {
    const target = this.avatar.root.position.clone();
    target.y += CAMERA_TARGET_HEIGHT;
    const horizontal = Math.cos(this.pitch) * CAMERA_DISTANCE;
    const offset = new THREE.Vector3(
      Math.sin(this.yaw) * horizontal,
      Math.sin(this.pitch) * CAMERA_DISTANCE,
      Math.cos(this.yaw) * horizontal,
    );
    const position = target.clone().add(offset);
    const b = this.layout.bounds;
    const margin = 0.15;
    position.x = Math.min(b.maxX - margin, Math.max(b.minX + margin, position.x));
    position.z = Math.min(b.maxZ - margin, Math.max(b.minZ + margin, position.z));
    position.y = Math.max(0.3, position.y);
    this.camera.position.copy(position);
    this.camera.lookAt(target);
  }

  /**
   * Stands the avatar a little to the side of the way to `point` (a picture on a wall), with the
   * camera turned toward it: used by the test hook to look at a spot.
   */
  faceFrom(point: THREE.Vector3) {
    const b = this.layout.bounds;
    const toCentre = new THREE.Vector3((b.minX + b.maxX) / 2 - point.x, 0, (b.minZ + b.maxZ) / 2 - point.z).normalize();
    const side = new THREE.Vector3(-toCentre.z, 0, toCentre.x);
    const at = point.clone().addScaledVector(toCentre, 2.2).addScaledVector(side, 1.1);
    const spot = collide(this.layout, at.x, at.z, RADIUS);
    this.avatar.root.position.set(spot.x, 0, spot.z);
    this.yaw = Math.atan2(toCentre.x, toCentre.z);
    this.pitch = 0.12;
    this.heading = this.yaw + Math.PI;
    this.avatar.root.rotation.set(0, this.heading, 0);
    this.follow();
  }

  /** Stands the avatar at (x, z) with the camera behind it looking along `yaw` (test hook). */
  standAt(x: number, z: number, yaw: number) {
    const spot = collide(this.layout, x, z, RADIUS);
    this.avatar.root.position.set(spot.x, 0, spot.z);
    this.yaw = yaw;
    this.pitch = 0.3;
    this.heading = yaw + Math.PI;
    this.avatar.root.rotation.set(0, this.heading, 0);
    this.follow();
  }

  transform(): Transform {
    const p = this.avatar.root.position;
    const half = this.heading / 2;
    return {
      position: { x: round(p.x, 3), y: round(p.y, 3), z: round(p.z, 3) },
      rotation: { x: 0, y: round(Math.sin(half), 4), z: 0, w: round(Math.cos(half), 4) },
    };
  }
}
