// One avatar: a clone of player.glb's skinned character scaled to a person's height, its four
// animations (idle, walk, run, jump, in the file's order, as the wire's states 0-3) cross-faded,
// a nickname tag and a speech bubble above the head.
import * as THREE from 'three';
import type { GLTF } from 'three/examples/jsm/loaders/GLTFLoader.js';
import { clone as cloneSkinned } from 'three/examples/jsm/utils/SkeletonUtils.js';
import { AnimState } from './protocol';
import { TextSprite } from './labels';

const HEIGHT = 1.7;
const FADE_S = 0.2;
const BUBBLE_MS = 5000;

export class Avatar {
  readonly root = new THREE.Group();
  private readonly mixer: THREE.AnimationMixer;
  private readonly actions: THREE.AnimationAction[];
  private readonly tag = new TextSprite('tag');
  private readonly bubble = new TextSprite('bubble', 60); // just over the tag (52 canvas pixels high)
  private bubbleUntil = 0;
  state: AnimState = AnimState.Idle;
  nickname = '';

  constructor(player: GLTF, nickname: string) {
    const body = cloneSkinned(player.scene);
    const box = new THREE.Box3().setFromObject(body);
    const height = box.max.y - box.min.y;
    const scale = height > 0 ? HEIGHT / height : 1;
    body.scale.multiplyScalar(scale);
    body.position.y = -box.min.y * scale;
    body.traverse((node) => {
      node.frustumCulled = false; // skinned bounds do not follow the animation
    });
    this.root.add(body);
    this.mixer = new THREE.AnimationMixer(body);
    this.actions = player.animations.slice(0, 4).map((clip) => this.mixer.clipAction(clip));
    const jump = this.actions[AnimState.Jump];
    if (jump) {
      jump.setLoop(THREE.LoopOnce, 1);
      jump.clampWhenFinished = true;
    }
    this.actions[AnimState.Idle]?.play();

    this.tag.sprite.position.y = HEIGHT + 0.12;
    this.bubble.sprite.position.y = HEIGHT + 0.12;
    this.root.add(this.tag.sprite, this.bubble.sprite);
    this.setNickname(nickname);
  }

  setNickname(nickname: string) {
    this.nickname = nickname;
    this.tag.set(nickname);
  }

  play(state: AnimState) {
    if (state === this.state) return;
    const from = this.actions[this.state];
    const to = this.actions[state];
    this.state = state;
    if (!to) return;
    to.reset().play();
    if (from && from !== to) to.crossFadeFrom(from, FADE_S, false);
  }

  say(text: string, now: number) {
    this.bubble.set(text);
    this.bubbleUntil = now + BUBBLE_MS;
  }

  get bubbleText(): string {
    return this.bubble.value;
  }

  /** The bubble's anchor in world space (for the tests' screen checks). */
  headPosition(): THREE.Vector3 {
    return this.root.localToWorld(new THREE.Vector3(0, HEIGHT + 0.2, 0));
  }

  update(dt: number, now: number) {
    this.mixer.update(dt);
    if (this.bubbleUntil && now > this.bubbleUntil) {
      this.bubbleUntil = 0;
      this.bubble.set('');
    }
  }

  dispose() {
    this.mixer.stopAllAction();
    this.tag.dispose();
    this.bubble.dispose();
    this.root.removeFromParent();
  }
}
