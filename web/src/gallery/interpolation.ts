// A remote player's received transforms and where it was between them: the avatar is drawn a
// little in the past so that there are always two transforms around the moment drawn.
import * as THREE from 'three';
import type { Transform } from './protocol';

const MAX_SNAPSHOTS = 20;

interface Snapshot {
  at: number;
  position: THREE.Vector3;
  rotation: THREE.Quaternion;
}

/** The transforms received for one player, and where it was at a given time between them. */
export class SnapshotBuffer {
  private readonly snapshots: Snapshot[] = [];

  push(transform: Transform, now: number) {
    const { position: p, rotation: r } = transform;
    this.snapshots.push({
      at: now,
      position: new THREE.Vector3(p.x, p.y, p.z),
      rotation: new THREE.Quaternion(r.x, r.y, r.z, r.w).normalize(),
    });
    if (this.snapshots.length > MAX_SNAPSHOTS) this.snapshots.shift();
  }

  /**
   * Writes where the player was at `t` into `object`: between the two snapshots around `t`,
   * or the oldest (before it) or newest (after it) one held. Snapshots older than needed go.
   */
  sample(t: number, object: THREE.Object3D) {
    const s = this.snapshots;
    while (s.length > 2 && s[1].at <= t) s.shift();
    if (s.length === 1 || t <= s[0].at) {
      object.position.copy(s[0].position);
      object.quaternion.copy(s[0].rotation);
      return;
    }
    const [a, b] = s;
    const k = Math.min(1, (t - a.at) / Math.max(1, b.at - a.at));
    object.position.lerpVectors(a.position, b.position, k);
    object.quaternion.slerpQuaternions(a.rotation, b.rotation, k);
  }
}
