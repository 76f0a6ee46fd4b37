// The world server's messages as the original game sends and receives them
// (docs/geckos-protocol.md, section 5.6), and the chat room's (docs/colyseus-protocol.md, 7.2).

export interface Vec3 {
  x: number;
  y: number;
  z: number;
}
export interface Quat {
  x: number;
  y: number;
  z: number;
  w: number;
}
export interface Transform {
  position: Vec3;
  rotation: Quat;
}
export interface PlayerTransform {
  playerId: string;
  transform: Transform;
}

/** Animation states on the wire, in player.glb's animation order. */
export enum AnimState {
  Idle = 0,
  Walk = 1,
  Run = 2,
  Jump = 3,
}

export interface ChatMessage {
  sessionId: string;
  playerId: string;
  nickname: string;
  message: string;
  timestamp: number;
}

/** The event server's default EVENT_MAX_MESSAGE_CHARS: longer chats are dropped silently. */
export const MAX_CHAT_CHARS = 500;

/** The world server's tick is 20 Hz; sending faster only fills its rate-limit bucket. */
export const MAX_UPDATES_PER_SECOND = 20;

const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

export function parseTransform(value: unknown): Transform | null {
  const t = value as Transform | null;
  if (!t || typeof t !== 'object' || !t.position || !t.rotation) return null;
  const { position: p, rotation: r } = t;
  if (![p.x, p.y, p.z, r.x, r.y, r.z, r.w].every(isNumber)) return null;
  return { position: { x: p.x, y: p.y, z: p.z }, rotation: { x: r.x, y: r.y, z: r.z, w: r.w } };
}

export function parsePlayer(value: unknown): PlayerTransform | null {
  const v = value as PlayerTransform | null;
  if (!v || typeof v !== 'object' || typeof v.playerId !== 'string') return null;
  const transform = parseTransform(v.transform);
  return transform ? { playerId: v.playerId, transform } : null;
}

export function parseAnimState(value: unknown): AnimState | null {
  return Number.isInteger(value) && (value as number) >= 0 && (value as number) <= 3 ? (value as AnimState) : null;
}

export function parseChat(value: unknown): ChatMessage | null {
  const m = value as ChatMessage | null;
  if (!m || typeof m !== 'object' || typeof m.message !== 'string' || typeof m.nickname !== 'string') return null;
  return {
    sessionId: String(m.sessionId ?? ''),
    playerId: String(m.playerId ?? ''),
    nickname: m.nickname,
    message: m.message,
    timestamp: isNumber(m.timestamp) ? m.timestamp : Date.now(),
  };
}
