// The connection to the world server (@geckos.io/client, docs/geckos-protocol.md). It sends our
// transform and animation state as the original game does (plain emits, section 5.6), at most
// 20 times a second and only when something changed, and reports the others' events. A lost
// connection is replaced by a fresh one after a back-off: geckos never reconnects by itself, and
// a new connection is a new player id.
import geckos, { type ClientChannel } from '@geckos.io/client';
import { Backoff } from './backoff';
import {
  AnimState,
  parseAnimState,
  parsePlayer,
  type PlayerTransform,
  type Transform,
} from './protocol';
import { UpdateThrottle } from './throttle';

export type LinkStatus = 'connecting' | 'online' | 'offline';

export interface WorldEvents {
  status(status: LinkStatus, selfId: string | null): void;
  /** The server's spawn point for us (serverNewPlayer about ourselves). */
  spawned(transform: Transform): void;
  joined(player: PlayerTransform): void;
  moved(player: PlayerTransform): void;
  animated(playerId: string, state: AnimState): void;
  left(playerId: string): void;
}

// The game gives onConnect 5 s; a software-rendered page under load may need a little more.
const CONNECT_TIMEOUT_MS = 8000;

export class WorldLink {
  private channel: ClientChannel | null = null;
  private selfId: string | null = null;
  private readonly backoff = new Backoff();
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private closed = false;
  private readonly throttle = new UpdateThrottle();
  private lastState: AnimState | null = null;
  private generation = 0;

  constructor(
    private readonly server: { url: string; port: number },
    private readonly events: WorldEvents,
  ) {}

  get id(): string | null {
    return this.selfId;
  }

  start() {
    this.connect();
  }

  /** Queues our transform; it goes out on the next free 50 ms slot if it differs from the last. */
  setTransform(transform: Transform, now: number) {
    this.throttle.offer(transform);
    this.flush(now);
  }

  /** Sends the animation state at once when it changes (and again after a reconnection). */
  setAnimation(state: AnimState) {
    if (state === this.lastState || !this.channel || !this.selfId) {
      if (!this.selfId) this.lastState = null;
      return;
    }
    this.lastState = state;
    this.channel.emit('clientAnimationUpdate', { playerId: this.selfId, state });
  }

  flush(now: number) {
    if (!this.channel || !this.selfId) return;
    const transform = this.throttle.take(now);
    if (transform) this.channel.emit('clientPlayerUpdate', transform);
  }

  close() {
    this.closed = true;
    clearTimeout(this.retryTimer);
    this.drop();
  }

  private connect() {
    if (this.closed) return;
    const generation = ++this.generation;
    this.events.status('connecting', null);
    const channel = geckos({ url: this.server.url, port: this.server.port });
    this.channel = channel;
    const timeout = setTimeout(() => this.fail(generation), CONNECT_TIMEOUT_MS);
    channel.onConnect((error) => {
      clearTimeout(timeout);
      if (generation !== this.generation) return;
      if (error) return this.fail(generation);
      this.selfId = channel.id ?? null;
      this.throttle.reset();
      this.lastState = null;
      this.backoff.reset();
      this.listen(channel, generation);
      this.events.status('online', this.selfId);
    });
  }

  private listen(channel: ClientChannel, generation: number) {
    const live = () => generation === this.generation;
    channel.on('serverNewPlayer', (data) => {
      const player = parsePlayer(data);
      if (!live() || !player) return;
      if (player.playerId === this.selfId) this.events.spawned(player.transform);
      else this.events.joined(player);
    });
    channel.on('serverExistingPlayers', (data) => {
      if (!live() || !Array.isArray(data)) return;
      for (const item of data) {
        const player = parsePlayer(item);
        if (player && player.playerId !== this.selfId) this.events.joined(player);
      }
    });
    channel.on('serverPlayerUpdate', (data) => {
      const player = parsePlayer(data);
      if (live() && player && player.playerId !== this.selfId) this.events.moved(player);
    });
    channel.on('serverPlayerAnimation', (data) => {
      const { playerId, state } = (data ?? {}) as { playerId?: unknown; state?: unknown };
      const anim = parseAnimState(state);
      if (live() && typeof playerId === 'string' && anim !== null && playerId !== this.selfId) {
        this.events.animated(playerId, anim);
      }
    });
    channel.on('serverPlayerDisconnected', (data) => {
      if (live() && typeof data === 'string' && data !== this.selfId) this.events.left(data);
    });
    channel.onDisconnect(() => live() && this.fail(generation));
  }

  private fail(generation: number) {
    if (generation !== this.generation || this.closed) return;
    this.drop();
    this.events.status('offline', null);
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => this.connect(), this.backoff.next());
  }

  private drop() {
    this.generation++;
    const channel = this.channel;
    this.channel = null;
    this.selfId = null;
    try {
      channel?.close();
    } catch {
      // a channel that never connected has nothing to close
    }
  }
}
