// Text over avatars: the nickname tag and the speech bubble, each a sprite with a canvas texture,
// redrawn only when the text changes. They keep one size on screen whatever the distance, so a
// name across the room stays readable.
import * as THREE from 'three';

const FONT = '600 28px system-ui, sans-serif';
/** CSS pixels on screen per pixel of the label's canvas. */
const DISPLAY = 0.55;

/**
 * The sprite scale of one CSS pixel: without size attenuation a sprite of scale 1 spans the view's
 * height at distance 1 (2 tan(fov/2)); the stage sets it on every resize.
 */
export const labelScale = { perPixel: 1 / 600 };
const sprites = new Set<TextSprite>();

export function setLabelViewport(fovDegrees: number, heightCss: number) {
  labelScale.perPixel = (2 * Math.tan(THREE.MathUtils.degToRad(fovDegrees) / 2)) / Math.max(1, heightCss);
  for (const sprite of sprites) sprite.rescale();
}

function roundRect(g: CanvasRenderingContext2D, x: number, y: number, w: number, h: number, r: number) {
  g.beginPath();
  g.moveTo(x + r, y);
  g.arcTo(x + w, y, x + w, y + h, r);
  g.arcTo(x + w, y + h, x, y + h, r);
  g.arcTo(x, y + h, x, y, r);
  g.arcTo(x, y, x + w, y, r);
  g.closePath();
}

/** Splits text into at most `maxLines` lines of at most `width` pixels, with an ellipsis. */
function wrap(g: CanvasRenderingContext2D, text: string, width: number, maxLines: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const char of Array.from(text.replace(/\s+/g, ' ').trim())) {
    if (g.measureText(line + char).width > width && line) {
      lines.push(line);
      line = '';
      if (lines.length === maxLines) break;
    }
    line += char;
  }
  if (lines.length < maxLines && line) lines.push(line);
  else if (line) lines[maxLines - 1] = lines[maxLines - 1].slice(0, -1) + '…';
  return lines;
}

export class TextSprite {
  readonly sprite: THREE.Sprite;
  private readonly canvas = document.createElement('canvas');
  private readonly texture: THREE.CanvasTexture;
  private text = '';

  /** `lift`: canvas pixels between the anchor and the label's bottom (the bubble sits over the tag). */
  constructor(
    private readonly style: 'tag' | 'bubble',
    private readonly lift = 0,
  ) {
    this.texture = new THREE.CanvasTexture(this.canvas);
    this.texture.colorSpace = THREE.SRGBColorSpace;
    const material = new THREE.SpriteMaterial({
      map: this.texture,
      depthWrite: false,
      transparent: true,
      sizeAttenuation: false,
    });
    this.sprite = new THREE.Sprite(material);
    this.sprite.center.set(0.5, 0);
    this.sprite.renderOrder = 10;
    this.sprite.visible = false;
    sprites.add(this);
  }

  rescale() {
    const k = labelScale.perPixel * DISPLAY;
    this.sprite.scale.set(this.canvas.width * k, this.canvas.height * k, 1);
  }

  get value(): string {
    return this.text;
  }

  set(text: string) {
    if (text === this.text) return;
    this.text = text;
    this.sprite.visible = text !== '';
    if (text) this.draw();
  }

  private draw() {
    const g = this.canvas.getContext('2d')!;
    g.font = FONT;
    const bubble = this.style === 'bubble';
    const lines = bubble ? wrap(g, this.text, 420, 3) : wrap(g, this.text, 360, 1);
    const textWidth = Math.max(...lines.map((l) => g.measureText(l).width));
    const pad = 16;
    const lineHeight = 36;
    const tail = bubble ? 14 : 0;
    const w = Math.ceil(textWidth + pad * 2);
    const h = lines.length * lineHeight + pad + tail;
    this.canvas.width = w;
    this.canvas.height = h;
    this.sprite.center.set(0.5, -this.lift / h);
    g.font = FONT;
    g.textBaseline = 'middle';
    g.textAlign = 'center';
    g.fillStyle = bubble ? 'rgba(255,255,255,0.95)' : 'rgba(29,31,36,0.72)';
    roundRect(g, 0, 0, w, h - tail, 14);
    g.fill();
    if (bubble) {
      g.beginPath();
      g.moveTo(w / 2 - 10, h - tail);
      g.lineTo(w / 2, h);
      g.lineTo(w / 2 + 10, h - tail);
      g.fill();
    }
    g.fillStyle = bubble ? '#1d1f24' : '#ffffff';
    lines.forEach((line, i) => g.fillText(line, w / 2, pad / 2 + lineHeight * (i + 0.5)));
    this.texture.dispose(); // the canvas changed size: let three allocate a texture of the new size
    this.texture.needsUpdate = true;
    this.rescale();
  }

  dispose() {
    sprites.delete(this);
    this.texture.dispose();
    this.sprite.material.dispose();
  }
}
