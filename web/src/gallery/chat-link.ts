// The chat on the event server (colyseus.js 0.15, docs/colyseus-protocol.md): join the one
// `gallery_room` with {playerId, nickname}, follow the players state for join/leave notices and
// nicknames, send and receive `clientChatMessage`/`serverChatMessage`. A lost socket is taken back
// with the room's reconnection token (section 10); when that is refused, a fresh join follows, with
// a back-off between tries.
import { Client, type Room } from 'colyseus.js';
import { Backoff } from './backoff';
import { parseChat, type ChatMessage } from './protocol';
import type { LinkStatus } from './world-link';

export interface ChatPlayer {
  sessionId: string;
  playerId: string;
  nickname: string;
}

export interface ChatEvents {
  status(status: LinkStatus): void;
  message(message: ChatMessage): void;
  playerJoined(player: ChatPlayer, initial: boolean): void;
  playerLeft(player: ChatPlayer): void;
}

interface PlayerSchema {
  playerId: string;
  nickname: string;
}
interface RoomState {
  players: {
    onAdd(cb: (player: PlayerSchema, key: string) => void, triggerAll?: boolean): () => void;
    onRemove(cb: (player: PlayerSchema, key: string) => void): () => void;
  };
}

export const ROOM_NAME = 'gallery_room';
const LEAVE_CONSENTED = 4000;

export class ChatLink {
  private readonly client: Client;
  private room: Room<RoomState> | null = null;
  private readonly backoff = new Backoff();
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private closed = false;
  private playerId = '';
  private token = '';
  /** Everyone we have announced, by session id, so a reconnection does not announce them again. */
  private readonly known = new Map<string, ChatPlayer>();
  /** Chats already shown: history is replayed after every (re)join. */
  private readonly seen = new Set<string>();

  constructor(
    url: string,
    private readonly nickname: string,
    private readonly events: ChatEvents,
  ) {
    this.client = new Client(url);
  }

  get sessionId(): string {
    return this.room?.sessionId ?? '';
  }

  /** Joins as `playerId` (the world id, so others can put our chats over our avatar). */
  start(playerId: string) {
    this.playerId = playerId;
    this.token = '';
    void this.connect();
  }

  /** Our world id changed (a new world connection): join again under the new one. */
  rejoin(playerId: string) {
    if (playerId === this.playerId) return;
    this.playerId = playerId;
    this.token = '';
    const room = this.room;
    this.room = null;
    clearTimeout(this.retryTimer);
    if (room) {
      room.removeAllListeners();
      void room.leave(true).catch(() => {});
    }
    void this.connect();
  }

  send(text: string): boolean {
    if (!this.room) return false;
    this.room.send('clientChatMessage', text);
    return true;
  }

  close() {
    this.closed = true;
    clearTimeout(this.retryTimer);
    const room = this.room;
    this.room = null;
    if (room) {
      room.removeAllListeners();
      void room.leave(true).catch(() => {});
    }
  }

  private async connect() {
    if (this.closed) return;
    this.events.status('connecting');
    const playerId = this.playerId;
    let room: Room<RoomState>;
    try {
      room = this.token
        ? await this.client.reconnect<RoomState>(this.token)
        : await this.client.join<RoomState>(ROOM_NAME, { playerId, nickname: this.nickname });
    } catch {
      if (this.closed || playerId !== this.playerId) return;
      this.token = ''; // a refused reconnection (grace over) falls back to a fresh join
      this.events.status('offline');
      this.retry();
      return;
    }
    if (this.closed || playerId !== this.playerId) {
      void room.leave(true).catch(() => {});
      return;
    }
    this.room = room;
    this.token = room.reconnectionToken;
    this.backoff.reset();
    this.listen(room);
    this.events.status('online');
  }

  private listen(room: Room<RoomState>) {
    room.onMessage('__playground_message_types', () => {});
    room.onMessage('serverChatMessage', (data: unknown) => {
      const message = parseChat(data);
      if (!message) return;
      const key = `${message.sessionId}|${message.timestamp}|${message.message}`;
      if (this.seen.has(key)) return;
      this.seen.add(key);
      if (this.seen.size > 2000) this.seen.delete(this.seen.values().next().value as string);
      this.events.message(message);
    });
    let initial = true;
    room.state.players.onAdd((player, sessionId) => {
      if (this.known.has(sessionId)) return;
      const entry = { sessionId, playerId: String(player.playerId), nickname: String(player.nickname) };
      this.known.set(sessionId, entry);
      this.events.playerJoined(entry, initial);
    });
    room.state.players.onRemove((_player, sessionId) => {
      const entry = this.known.get(sessionId);
      if (!entry) return;
      this.known.delete(sessionId);
      this.events.playerLeft(entry);
    });
    room.onStateChange.once(() => (initial = false));
    room.onLeave((code) => {
      if (this.room !== room || this.closed) return;
      this.room = null;
      this.events.status('offline');
      if (code === LEAVE_CONSENTED) this.token = '';
      this.retry(200);
    });
  }

  private retry(delay = this.backoff.next()) {
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => void this.connect(), delay);
  }
}
