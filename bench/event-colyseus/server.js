// The comparison server of `make bench` (scripts/bench_event.sh): the original's stack, Colyseus
// 0.15 with its WebSocket transport, running a gallery room equivalent to ours: a `players` map of
// {playerId, nickname} by session, `clientChatMessage` broadcast to everyone as
// `serverChatMessage` {sessionId, playerId, nickname, message, timestamp}, pings every 3 s.
// Usage: node server.js PORT
const { Server, Room, matchMaker } = require("@colyseus/core");
const { WebSocketTransport } = require("@colyseus/ws-transport");
const { Schema, MapSchema, defineTypes } = require("@colyseus/schema");

class Player extends Schema {}
defineTypes(Player, { playerId: "string", nickname: "string" });

class GalleryState extends Schema {
  constructor() {
    super();
    this.players = new MapSchema();
  }
}
defineTypes(GalleryState, { players: { map: Player } });

class GalleryRoom extends Room {
  onCreate() {
    this.autoDispose = false;
    this.setState(new GalleryState());
    this.onMessage("clientChatMessage", (client, message) => {
      const player = this.state.players.get(client.sessionId);
      if (!player) return;
      this.broadcast("serverChatMessage", {
        sessionId: client.sessionId,
        playerId: player.playerId,
        nickname: player.nickname,
        message,
        timestamp: Date.now(),
      });
    });
  }
  onJoin(client, options) {
    const player = new Player();
    player.playerId = String(options.playerId);
    player.nickname = String(options.nickname);
    this.state.players.set(client.sessionId, player);
  }
  onLeave(client) {
    this.state.players.delete(client.sessionId);
  }
}

const port = Number(process.argv[2] || 2567);
const server = new Server({
  transport: new WebSocketTransport({ pingInterval: 3000, pingMaxRetries: 2 }),
  greet: false,
});
server.define("gallery_room", GalleryRoom);
server.listen(port, "127.0.0.1").then(() => matchMaker.createRoom("gallery_room", {}));
