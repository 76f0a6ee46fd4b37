// The other visitors: one avatar per world player id, moved smoothly by rendering each one a
// little in the past (INTERPOLATION_DELAY_MS) between the two transforms that surround that moment,
// so a packet never makes an avatar jump. Nicknames come from the chat room's players state,
// matched by player id (the world protocol carries none).
import * as THREE from 'three';
import type { GLTF } from 'three/examples/jsm/loaders/GLTFLoader.js';
import { Avatar } from './avatar';
import { SnapshotBuffer } from './interpolation';
import { AnimState, type Transform } from './protocol';

export const INTERPOLATION_DELAY_MS = 100;

export class RemotePlayer {
  readonly avatar: Avatar;
  private readonly buffer = new SnapshotBuffer();

  constructor(
    readonly id: string,
    player: GLTF,
    nickname: string,
    transform: Transform,
    now: number,
  ) {
    this.avatar = new Avatar(player, nickname);
    this.push(transform, now);
    this.sample(now);
  }

  push(transform: Transform, now: number) {
    this.buffer.push(transform, now);
  }

  /** Places the avatar where it was INTERPOLATION_DELAY_MS ago. */
  sample(now: number) {
    this.buffer.sample(now - INTERPOLATION_DELAY_MS, this.avatar.root);
  }
}

export class RemotePlayers {
  readonly players = new Map<string, RemotePlayer>();
  /** Ids that left: a late update on the unordered channel must not bring them back. */
  private readonly gone = new Set<string>();

  constructor(
    private readonly scene: THREE.Scene,
    private readonly player: GLTF,
    private readonly nicknameOf: (playerId: string) => string,
  ) {}

  join(id: string, transform: Transform, now: number) {
    if (this.gone.has(id)) return;
    const known = this.players.get(id);
    if (known) {
      known.push(transform, now);
      return;
    }
    const remote = new RemotePlayer(id, this.player, this.nicknameOf(id), transform, now);
    this.players.set(id, remote);
    this.scene.add(remote.avatar.root);
  }

  move(id: string, transform: Transform, now: number) {
    const remote = this.players.get(id);
    // An update may overtake the unordered channel's join event: treat it as the join.
    if (remote) remote.push(transform, now);
    else if (!this.gone.has(id)) this.join(id, transform, now);
  }

  animate(id: string, state: AnimState) {
    this.players.get(id)?.avatar.play(state);
  }

  leave(id: string) {
    this.gone.add(id);
    if (this.gone.size > 1000) this.gone.delete(this.gone.values().next().value as string);
    const remote = this.players.get(id);
    if (!remote) return;
    remote.avatar.dispose();
    this.players.delete(id);
  }

  /** Removes everyone (the world connection was lost; a new one lists them again). */
  clear() {
    for (const remote of this.players.values()) remote.avatar.dispose();
    this.players.clear();
    this.gone.clear();
  }

  renameAll() {
    for (const remote of this.players.values()) remote.avatar.setNickname(this.nicknameOf(remote.id));
  }

  update(dt: number, now: number) {
    for (const remote of this.players.values()) {
      remote.sample(now);
      remote.avatar.update(dt, now);
    }
  }
}
