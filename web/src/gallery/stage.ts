// The renderer, the scene with its lights, and the camera. Kept cheap for software renderers
// (SwiftShader): no shadows, baked or Lambert lighting (materials.ts), the pixel ratio capped, and the
// drawing resolution lowered while frames take longer than 1/30 s (raised again when they are
// fast), since a software renderer's cost is mostly per pixel.
import * as THREE from 'three';
import { setLabelViewport } from './labels';
import type { Lighting } from './materials';

/** The scene's lights: live for the avatars, baked into the room (materials.ts). */
export const LIGHTING: Lighting = {
  sky: 0xffffff,
  ground: 0xb3aa9a,
  hemisphere: 1.6,
  directional: [
    { color: 0xfff4e0, intensity: 1.4, position: [6, 12, 4] },
    { color: 0xdde6ff, intensity: 0.6, position: [-8, 6, -6] },
  ],
};

const MAX_PIXEL_RATIO = 1.5;
const MIN_SCALE = 0.6;
const SLOW_MS = 1000 / 30;
const FAST_MS = 1000 / 50;

export class Stage {
  readonly renderer: THREE.WebGLRenderer;
  readonly scene = new THREE.Scene();
  readonly camera = new THREE.PerspectiveCamera(60, 1, 0.1, 200);
  /** The drawing resolution relative to the capped device pixel ratio (MIN_SCALE…1). */
  scale = 1;
  private readonly observer: ResizeObserver;
  private frameMs = 16;
  private lastFrame = 0;
  private settleUntil = 0;

  constructor(readonly canvas: HTMLCanvasElement) {
    this.renderer = new THREE.WebGLRenderer({ canvas, antialias: false, powerPreference: 'high-performance' });
    this.renderer.outputColorSpace = THREE.SRGBColorSpace;
    this.scene.background = new THREE.Color(0xdfe3ea);

    this.scene.add(new THREE.HemisphereLight(LIGHTING.sky, LIGHTING.ground, LIGHTING.hemisphere));
    for (const d of LIGHTING.directional) {
      const light = new THREE.DirectionalLight(d.color, d.intensity);
      light.position.set(...d.position);
      this.scene.add(light);
    }

    this.observer = new ResizeObserver(() => this.resize());
    this.observer.observe(canvas);
    this.resize();
  }

  resize() {
    const width = Math.max(1, this.canvas.clientWidth);
    const height = Math.max(1, this.canvas.clientHeight);
    this.renderer.setPixelRatio(Math.min(window.devicePixelRatio || 1, MAX_PIXEL_RATIO) * this.scale);
    this.renderer.setSize(width, height, false);
    this.camera.aspect = width / height;
    this.camera.updateProjectionMatrix();
    setLabelViewport(this.camera.fov, height);
  }

  render(now: number) {
    if (this.lastFrame) this.adapt(now - this.lastFrame, now);
    this.lastFrame = now;
    this.renderer.render(this.scene, this.camera);
  }

  private adapt(elapsed: number, now: number) {
    this.frameMs += (Math.min(elapsed, 250) - this.frameMs) * 0.1;
    if (now < this.settleUntil) return;
    let scale = this.scale;
    if (this.frameMs > SLOW_MS && scale > MIN_SCALE) scale = Math.max(MIN_SCALE, scale * 0.85);
    else if (this.frameMs < FAST_MS && scale < 1) scale = Math.min(1, scale / 0.9);
    if (scale === this.scale) return;
    this.scale = scale;
    this.settleUntil = now + 1000; // let the average follow the new size before judging again
    this.resize();
  }

  /** Where a world point lands on the canvas, in CSS pixels from its top-left; null behind us. */
  project(point: THREE.Vector3): { x: number; y: number } | null {
    const v = point.clone().project(this.camera);
    if (v.z > 1 || v.z < -1) return null;
    return { x: ((v.x + 1) / 2) * this.canvas.clientWidth, y: ((1 - v.y) / 2) * this.canvas.clientHeight };
  }

  dispose() {
    this.observer.disconnect();
    this.renderer.dispose();
  }
}
