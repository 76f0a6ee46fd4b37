// Puts the gallery together: loads the models and the spot images, runs the frame loop, and
// wires the local player, the remote avatars, the world connection and the chat. The Svelte side
// (Room.svelte) only gives it a canvas and listens to its callbacks.
import * as THREE from 'three';
import * as api from '../lib/api';
import { Avatar } from './avatar';
import { loadModels } from './assets';
import { ChatLink, type ChatPlayer } from './chat-link';
import { eventServerUrl, worldServerGeckosOptions } from './endpoints';
import { Input } from './input';
import { LocalPlayer } from './local-player';
import { bakeLighting, simplifyMaterials } from './materials';
import type { ChatMessage } from './protocol';
import { RemotePlayers } from './remote';
import { readRoom } from './room';
import { Spots, type HungPhoto } from './spots';
import { LIGHTING, Stage } from './stage';
import { installTestHook } from './test-hook';
import { WorldLink, type LinkStatus } from './world-link';

export interface GalleryCallbacks {
  progress(fraction: number): void;
  worldStatus(status: LinkStatus): void;
  chatStatus(status: LinkStatus): void;
  chat(message: ChatMessage, mine: boolean): void;
  presence(text: string): void;
  openPhoto(photo: HungPhoto): void;
  spotsFailed(): void;
}

// A bubble shows a chat said just now, not the history replayed at join.
const BUBBLE_MAX_AGE_MS = 10_000;

export class Gallery {
  private readonly stage: Stage;
  private readonly input: Input;
  private world!: WorldLink;
  private chatLink!: ChatLink;
  private local!: LocalPlayer;
  private remotes!: RemotePlayers;
  private spots!: Spots;
  private readonly nicknames = new Map<string, string>(); // world player id -> nickname
  private frame = 0;
  private frames = 0;
  private last = 0;
  private disposed = false;
  private firstFrameAt = 0;
  /** The average time a frame spends in our script (the rest is the renderer's). */
  private scriptMs = 0;
  private uninstallHook: () => void = () => {};

  constructor(
    canvas: HTMLCanvasElement,
    private readonly nickname: string,
    private readonly cb: GalleryCallbacks,
  ) {
    this.stage = new Stage(canvas);
    this.input = new Input(canvas, (x, y, mouse) => this.tap(x, y, mouse));
  }

  async start(): Promise<void> {
    const models = await loadModels(this.cb.progress);
    if (this.disposed) return;
    const worldScene = models.world.scene;
    bakeLighting(worldScene, LIGHTING);
    simplifyMaterials(models.player.scene);
    this.stage.scene.add(worldScene);
    const layout = readRoom(worldScene);
    this.spots = new Spots(layout.spots, this.stage.renderer.capabilities.getMaxAnisotropy());
    this.remotes = new RemotePlayers(this.stage.scene, models.player, (id) => this.nicknames.get(id) ?? '');
    const me = new Avatar(models.player, this.nickname);
    this.stage.scene.add(me.root);
    this.local = new LocalPlayer(me, layout, this.stage.camera);
    const b = layout.bounds;
    this.local.place({ position: { x: (b.minX + b.maxX) / 2, y: 0, z: (b.minZ + b.maxZ) / 2 }, rotation: { x: 0, y: 0, z: 0, w: 1 } });

    this.connect();
    this.uninstallHook = installTestHook(this.hookState());
    this.last = performance.now();
    this.loop();
    // The photos come after the room is up: it is usable without them.
    try {
      await this.spots.hang(await api.gallerySpots());
    } catch {
      if (!this.disposed) this.cb.spotsFailed();
    }
  }

  sendChat(text: string): boolean {
    return this.chatLink.send(text);
  }

  setStick(x: number, y: number) {
    this.input.stick.x = x;
    this.input.stick.y = y;
  }

  lockPointer() {
    this.input.requestLock();
  }

  dispose() {
    if (this.disposed) return;
    this.disposed = true;
    cancelAnimationFrame(this.frame);
    this.world?.close();
    this.chatLink?.close();
    this.input.dispose();
    this.uninstallHook();
    this.stage.dispose();
  }

  private connect() {
    let chatStarted = false;
    let spawned = false;
    this.chatLink = new ChatLink(eventServerUrl(), this.nickname, {
      status: (s) => this.cb.chatStatus(s),
      message: (m) => this.chatMessage(m),
      playerJoined: (p, initial) => this.playerJoined(p, initial),
      playerLeft: (p) => this.playerLeft(p),
    });
    // The chat's player id is our world id, so others can match our chats to our avatar. When
    // the world is unreachable (or slow) the chat opens anyway under a provisional id, and joins
    // again under the world id once the world connects.
    const guestId = () => `guest-${Math.random().toString(36).slice(2, 12)}`;
    const startChat = (playerId: string) => {
      chatStarted = true;
      clearTimeout(fallback);
      this.chatLink.start(playerId);
    };
    const fallback = setTimeout(() => !chatStarted && startChat(guestId()), 10_000);
    this.world = new WorldLink(worldServerGeckosOptions(), {
      status: (status, selfId) => {
        this.cb.worldStatus(status);
        if (status !== 'online') {
          this.remotes.clear();
          if (status === 'offline' && !chatStarted) startChat(guestId());
          return;
        }
        if (!selfId) return;
        if (!chatStarted) startChat(selfId);
        else this.chatLink.rejoin(selfId);
      },
      // The first spawn places us; after a reconnection we stay where we walked to.
      spawned: (transform) => {
        if (spawned) return;
        spawned = true;
        this.local.place(transform);
      },
      joined: (p) => this.remotes.join(p.playerId, p.transform, performance.now()),
      moved: (p) => this.remotes.move(p.playerId, p.transform, performance.now()),
      animated: (id, state) => this.remotes.animate(id, state),
      left: (id) => this.remotes.leave(id),
    });
    this.world.start();
  }

  private chatMessage(message: ChatMessage) {
    const mine = message.sessionId === this.chatLink.sessionId;
    this.cb.chat(message, mine);
    if (Date.now() - message.timestamp > BUBBLE_MAX_AGE_MS) return;
    const now = performance.now();
    if (mine || message.playerId === this.world.id) {
      this.local.avatar.say(message.message, now);
    } else this.remotes.players.get(message.playerId)?.avatar.say(message.message, now);
  }

  private playerJoined(player: ChatPlayer, initial: boolean) {
    this.nicknames.set(player.playerId, player.nickname);
    this.remotes.renameAll();
    if (!initial && player.sessionId !== this.chatLink.sessionId) this.cb.presence(`${player.nickname} joined`);
  }

  private playerLeft(player: ChatPlayer) {
    if (player.sessionId === this.chatLink.sessionId) return;
    this.cb.presence(`${player.nickname} left`);
  }

  /** A click or tap: opens the photo under it; a mouse click elsewhere takes the pointer lock. */
  private tap(clientX: number, clientY: number, mouse: boolean) {
    const rect = this.stage.canvas.getBoundingClientRect();
    const ndc = new THREE.Vector2(((clientX - rect.left) / rect.width) * 2 - 1, -((clientY - rect.top) / rect.height) * 2 + 1);
    const photo = this.spots?.pick(ndc, this.stage.camera);
    if (photo) {
      if (this.input.locked) document.exitPointerLock();
      this.cb.openPhoto(photo);
    } else if (mouse) this.input.requestLock();
  }

  private loop = () => {
    if (this.disposed) return;
    this.frame = requestAnimationFrame(this.loop);
    const now = performance.now();
    const dt = Math.min(0.1, (now - this.last) / 1000);
    this.last = now;
    this.local.update(dt, this.input.intent(), this.input.look());
    this.local.avatar.update(dt, now);
    this.world.setTransform(this.local.transform(), now);
    this.world.setAnimation(this.local.state);
    this.remotes.update(dt, now);
    this.stage.render(now);
    this.scriptMs += (performance.now() - now - this.scriptMs) * 0.05;
    this.frames++;
    if (!this.firstFrameAt) this.firstFrameAt = performance.now();
  };

  private hookState() {
    return {
      selfId: () => this.world.id,
      chatSession: () => this.chatLink.sessionId,
      frames: () => this.frames,
      firstFrameAt: () => this.firstFrameAt,
      photos: () => this.spots.count,
      renderInfo: () => ({ ...this.stage.renderer.info.render, scale: this.stage.scale, scriptMs: this.scriptMs }),
      self: () => ({ ...this.local.avatar.root.position, state: this.local.state, bubble: this.local.avatar.bubbleText }),
      avatars: () =>
        [...this.remotes.players.values()].map((r) => ({
          id: r.id,
          nickname: r.avatar.nickname,
          x: r.avatar.root.position.x,
          y: r.avatar.root.position.y,
          z: r.avatar.root.position.z,
          state: r.avatar.state,
          bubble: r.avatar.bubbleText,
          head: this.stage.project(r.avatar.headPosition()),
        })),
      spotOnScreen: (name: string) => {
        const centre = this.spots.centre(name);
        return centre ? this.stage.project(centre) : null;
      },
      standAt: (x: number, z: number, yaw: number) => this.local.standAt(x, z, yaw),
      lookAtSpot: (name: string) => {
        const centre = this.spots.centre(name);
        if (centre) this.local.faceFrom(centre);
      },
    };
  }
}
