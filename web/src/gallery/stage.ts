// The renderer, the scene with its lights, and the camera. Kept cheap for software renderers
// (SwiftShader): no shadows, pixel ratio capped, one directional light plus ambient fill.
import * as THREE from 'three';

const MAX_PIXEL_RATIO = 1.5;

export class Stage {
  readonly renderer: THREE.WebGLRenderer;
  readonly scene = new THREE.Scene();
  readonly camera = new THREE.PerspectiveCamera(60, 1, 0.1, 200);
  private readonly observer: ResizeObserver;

  constructor(readonly canvas: HTMLCanvasElement) {
    this.renderer = new THREE.WebGLRenderer({ canvas, antialias: false, powerPreference: 'high-performance' });
    this.renderer.setPixelRatio(Math.min(window.devicePixelRatio || 1, MAX_PIXEL_RATIO));
    this.renderer.outputColorSpace = THREE.SRGBColorSpace;
    this.scene.background = new THREE.Color(0xdfe3ea);
    this.scene.fog = new THREE.Fog(0xdfe3ea, 30, 80);

    this.scene.add(new THREE.HemisphereLight(0xffffff, 0xb3aa9a, 1.6));
    const sun = new THREE.DirectionalLight(0xfff4e0, 1.4);
    sun.position.set(6, 12, 4);
    this.scene.add(sun);
    const fill = new THREE.DirectionalLight(0xdde6ff, 0.6);
    fill.position.set(-8, 6, -6);
    this.scene.add(fill);

    this.observer = new ResizeObserver(() => this.resize());
    this.observer.observe(canvas);
    this.resize();
  }

  resize() {
    const width = Math.max(1, this.canvas.clientWidth);
    const height = Math.max(1, this.canvas.clientHeight);
    this.renderer.setSize(width, height, false);
    this.camera.aspect = width / height;
    this.camera.updateProjectionMatrix();
  }

  render() {
    this.renderer.render(this.scene, this.camera);
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
