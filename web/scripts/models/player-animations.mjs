// The player's clips, in the order the original frontend expects: idle, walk, run, jump. Each is
// a loop (its last key equals its first) with a rotation track on every bone and a position
// track on the hips, so cross-fading between any two never leaves a bone behind. All are in
// place: the client moves the avatar (the jump only crouches, tucks and lands).
//
// Rotations are Euler angles in radians about the bones' own axes, which in the bind pose are the
// world's: about X, a negative angle swings a limb forwards (+Z) and a positive one bends a knee
// back; about Z, a positive angle lifts the left (+X) arm outwards.
import * as THREE from 'three';

const TAU = Math.PI * 2;

// A pose: { bone: [x, y, z] } rotations (missing bones rest) and `lift`: the hips' offset in metres.
function idle(p) {
  const breath = Math.sin(TAU * p);
  return {
    chest: [0.03 * breath, 0, 0],
    head: [-0.02 * breath, 0.12 * Math.sin(TAU * p), 0],
    upperArm_L: [0, 0, 0.07 + 0.015 * breath],
    upperArm_R: [0, 0, -0.07 - 0.015 * breath],
    lowerArm_L: [-0.12, 0, 0],
    lowerArm_R: [-0.12, 0, 0],
    lift: [0, -0.006 * (1 - Math.cos(TAU * p)), 0],
  };
}

// Walking and running differ only in their amplitudes.
function gait(amp) {
  return (p) => {
    const s = Math.sin(TAU * p);
    const swingL = Math.max(0, Math.cos(TAU * p)); // the left leg swings forwards
    const swingR = Math.max(0, -Math.cos(TAU * p));
    const legL = -amp.leg * s;
    const legR = amp.leg * s;
    const kneeL = amp.kneeRest + amp.knee * swingL;
    const kneeR = amp.kneeRest + amp.knee * swingR;
    return {
      hips: [0, amp.twist * s, 0],
      spine: [amp.lean, -amp.twist * s, 0],
      head: [-amp.lean * 0.6, 0, 0],
      upperLeg_L: [legL, 0, 0],
      upperLeg_R: [legR, 0, 0],
      lowerLeg_L: [kneeL, 0, 0],
      lowerLeg_R: [kneeR, 0, 0],
      foot_L: [-0.5 * (legL + kneeL), 0, 0],
      foot_R: [-0.5 * (legR + kneeR), 0, 0],
      upperArm_L: [amp.arm * s, 0, 0.08],
      upperArm_R: [-amp.arm * s, 0, -0.08],
      lowerArm_L: [-amp.elbow, 0, 0],
      lowerArm_R: [-amp.elbow, 0, 0],
      // Lowest when both feet are down (twice a cycle), highest as a leg passes under.
      lift: [0, amp.bob * (Math.cos(2 * TAU * p) - 1) * 0.5 - amp.sink, 0],
    };
  };
}

const walk = gait({
  leg: 0.38, knee: 0.65, kneeRest: 0.08, arm: 0.34, elbow: 0.25, twist: 0.07, lean: 0.04, bob: 0.055, sink: 0.005,
});
const run = gait({
  leg: 0.85, knee: 1.35, kneeRest: 0.3, arm: 0.8, elbow: 1.35, twist: 0.12, lean: 0.18, bob: 0.05, sink: 0.05,
});

// Jump key poses (phase -> pose), eased between: stand, crouch, tuck in the air, reach for the
// ground, land, stand.
const STAND = { upperArm_L: [0, 0, 0.07], upperArm_R: [0, 0, -0.07], lift: [0, 0, 0] };
function legs(thigh, knee, lift) {
  const foot = -(thigh + knee);
  return {
    upperLeg_L: [thigh, 0, 0], upperLeg_R: [thigh, 0, 0],
    lowerLeg_L: [knee, 0, 0], lowerLeg_R: [knee, 0, 0],
    foot_L: [foot, 0, 0], foot_R: [foot, 0, 0],
    lift: [0, lift, 0],
  };
}
function arms(x, elbow) {
  return {
    upperArm_L: [x, 0, 0.15], upperArm_R: [x, 0, -0.15],
    lowerArm_L: [-elbow, 0, 0], lowerArm_R: [-elbow, 0, 0],
  };
}
const JUMP_KEYS = [
  [0, STAND],
  [0.16, { ...legs(-0.75, 1.3, -0.15), ...arms(0.6, 0.3), spine: [0.3, 0, 0], head: [-0.2, 0, 0] }],
  [0.36, { ...legs(-1.0, 1.6, 0), ...arms(-2.5, 0.2), spine: [-0.05, 0, 0] }],
  [0.6, { ...legs(-0.45, 0.7, 0), ...arms(-1.5, 0.3), spine: [0.05, 0, 0] }],
  [0.8, { ...legs(-0.6, 1.05, -0.11), ...arms(-0.3, 0.4), spine: [0.2, 0, 0], head: [-0.12, 0, 0] }],
  [1, STAND],
];

function jump(p) {
  let i = 0;
  while (i < JUMP_KEYS.length - 2 && p >= JUMP_KEYS[i + 1][0]) i++;
  const [p0, a] = JUMP_KEYS[i];
  const [p1, b] = JUMP_KEYS[i + 1];
  const t = (p - p0) / (p1 - p0);
  const eased = t * t * (3 - 2 * t);
  const pose = {};
  for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
    const from = a[key] ?? [0, 0, 0];
    const to = b[key] ?? [0, 0, 0];
    pose[key] = from.map((v, k) => v + (to[k] - v) * eased);
  }
  return pose;
}

// A clip sampled at `keys` + 1 evenly spaced times over `duration` seconds, phase 0 to 1.
function clip(name, duration, keys, pose, bones) {
  const times = Array.from({ length: keys + 1 }, (_, i) => (duration * i) / keys);
  const poses = times.map((_, i) => pose(i / keys));
  const tracks = [];
  const euler = new THREE.Euler();
  const q = new THREE.Quaternion();
  for (const bone of bones) {
    const values = [];
    for (const p of poses) {
      const [x, y, z] = p[bone.name] ?? [0, 0, 0];
      q.setFromEuler(euler.set(x, y, z, 'XYZ'));
      values.push(q.x, q.y, q.z, q.w);
    }
    tracks.push(new THREE.QuaternionKeyframeTrack(`${bone.name}.quaternion`, times, values));
  }
  const hips = bones.find((b) => b.parent === null);
  const positions = poses.flatMap((p) => {
    const lift = p.lift ?? [0, 0, 0];
    return hips.head.map((v, k) => v + lift[k]);
  });
  tracks.push(new THREE.VectorKeyframeTrack(`${hips.name}.position`, times, positions));
  return new THREE.AnimationClip(name, duration, tracks);
}

/** The four clips, in the contract's order: idle, walk, run, jump. */
export function playerAnimations(bones) {
  return [
    clip('idle', 2.4, 12, idle, bones),
    clip('walk', 1.0, 16, walk, bones),
    clip('run', 0.64, 16, run, bones),
    clip('jump', 1.0, 25, jump, bones),
  ];
}
