// How often our transform goes to the world server: at most MAX_UPDATES_PER_SECOND (its tick
// rate; faster only spends its rate-limit bucket) and only when it changed.
import { MAX_UPDATES_PER_SECOND, type Transform } from './protocol';

const SEND_INTERVAL_MS = 1000 / MAX_UPDATES_PER_SECOND;

/**
 * The send policy for our transform: the latest one offered goes out once 50 ms have passed since
 * the last send, and only if it differs from what was last sent.
 */
export class UpdateThrottle {
  private lastSentAt = -Infinity;
  private lastSent = '';
  private pending: Transform | null = null;

  offer(transform: Transform) {
    this.pending = transform;
  }

  /** The transform to send now, or null. */
  take(now: number): Transform | null {
    if (!this.pending || now - this.lastSentAt < SEND_INTERVAL_MS) return null;
    const text = JSON.stringify(this.pending);
    const transform = this.pending;
    this.pending = null;
    if (text === this.lastSent) return null;
    this.lastSent = text;
    this.lastSentAt = now;
    return transform;
  }

  /** A new connection: the next transform goes out whatever was sent before. */
  reset() {
    this.lastSent = '';
  }
}
