// What the visitor asks for, whatever the device: a move direction (keyboard WASD/arrows, or the
// on-screen stick), run (Shift), jump (Space), and look deltas (mouse under pointer lock, a mouse
// drag, or a finger dragged on the canvas). Keys typed into a text field are not ours.
export interface MoveIntent {
  /** -1…1 sideways (right positive) and forward. */
  x: number;
  y: number;
  run: boolean;
  jump: boolean;
}

const KEYS: Record<string, [number, number]> = {
  KeyW: [0, 1],
  ArrowUp: [0, 1],
  KeyS: [0, -1],
  ArrowDown: [0, -1],
  KeyA: [-1, 0],
  ArrowLeft: [-1, 0],
  KeyD: [1, 0],
  ArrowRight: [1, 0],
};

// Radians per CSS pixel of mouse or finger movement.
const LOOK_SPEED = 0.005;

function typing(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  return !!el && (el.isContentEditable || el.tagName === 'INPUT' || el.tagName === 'TEXTAREA');
}

export class Input {
  private readonly held = new Set<string>();
  private jumpQueued = false;
  private lookX = 0;
  private lookY = 0;
  /** Set by the touch stick: -1…1 each way, y forward. */
  stick = { x: 0, y: 0 };
  private drag: { id: number; x: number; y: number; moved: number } | null = null;
  private readonly cleanup: (() => void)[] = [];

  constructor(
    private readonly canvas: HTMLCanvasElement,
    private readonly onTap: (clientX: number, clientY: number, mouse: boolean) => void,
  ) {
    this.on(window, 'keydown', (e) => this.key(e as KeyboardEvent, true));
    this.on(window, 'keyup', (e) => this.key(e as KeyboardEvent, false));
    this.on(window, 'blur', () => this.held.clear());
    this.on(document, 'mousemove', (e) => {
      if (document.pointerLockElement !== canvas) return;
      const m = e as MouseEvent;
      this.lookX += m.movementX;
      this.lookY += m.movementY;
    });
    this.on(canvas, 'pointerdown', (e) => this.pointerDown(e as PointerEvent));
    this.on(canvas, 'pointermove', (e) => this.pointerMove(e as PointerEvent));
    this.on(canvas, 'pointerup', (e) => this.pointerUp(e as PointerEvent));
    this.on(canvas, 'pointercancel', () => (this.drag = null));
  }

  get locked(): boolean {
    return document.pointerLockElement === this.canvas;
  }

  /** The wanted movement this frame; a jump press is reported once. */
  intent(): MoveIntent {
    let x = this.stick.x;
    let y = this.stick.y;
    for (const code of this.held) {
      const dir = KEYS[code];
      if (dir) {
        x += dir[0];
        y += dir[1];
      }
    }
    const length = Math.hypot(x, y);
    if (length > 1) {
      x /= length;
      y /= length;
    }
    const jump = this.jumpQueued;
    this.jumpQueued = false;
    const run = this.held.has('ShiftLeft') || this.held.has('ShiftRight') || Math.hypot(this.stick.x, this.stick.y) > 0.9;
    return { x, y, run, jump };
  }

  /** The look movement since the last call, in radians (yaw right, pitch down positive). */
  look(): { yaw: number; pitch: number } {
    const out = { yaw: this.lookX * LOOK_SPEED, pitch: this.lookY * LOOK_SPEED };
    this.lookX = 0;
    this.lookY = 0;
    return out;
  }

  dispose() {
    for (const off of this.cleanup) off();
    if (this.locked) document.exitPointerLock();
  }

  private on(target: EventTarget, type: string, handler: (e: Event) => void) {
    target.addEventListener(type, handler);
    this.cleanup.push(() => target.removeEventListener(type, handler));
  }

  private key(e: KeyboardEvent, down: boolean) {
    if (typing(e.target)) return;
    const code = e.code;
    if (!(code in KEYS) && code !== 'Space' && code !== 'ShiftLeft' && code !== 'ShiftRight') return;
    e.preventDefault(); // arrows and Space would scroll the page
    if (down) {
      if (code === 'Space' && !e.repeat) this.jumpQueued = true;
      this.held.add(code);
    } else this.held.delete(code);
  }

  private pointerDown(e: PointerEvent) {
    if (this.locked) {
      // Under pointer lock the crosshair is the canvas centre.
      const r = this.canvas.getBoundingClientRect();
      this.onTap(r.left + r.width / 2, r.top + r.height / 2, false);
      return;
    }
    this.drag = { id: e.pointerId, x: e.clientX, y: e.clientY, moved: 0 };
    this.canvas.setPointerCapture?.(e.pointerId);
  }

  private pointerMove(e: PointerEvent) {
    if (!this.drag || this.drag.id !== e.pointerId) return;
    const dx = e.clientX - this.drag.x;
    const dy = e.clientY - this.drag.y;
    this.drag.x = e.clientX;
    this.drag.y = e.clientY;
    this.drag.moved += Math.abs(dx) + Math.abs(dy);
    this.lookX += dx;
    this.lookY += dy;
  }

  private pointerUp(e: PointerEvent) {
    const drag = this.drag;
    this.drag = null;
    if (!drag || drag.id !== e.pointerId || drag.moved > 8) return;
    // A click or tap that did not drag: a photo if one is there, else (mouse) take the pointer.
    this.onTap(e.clientX, e.clientY, e.pointerType === 'mouse');
  }

  requestLock() {
    if (!this.locked) void this.canvas.requestPointerLock?.()?.catch?.(() => {});
  }
}
