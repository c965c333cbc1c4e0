// The container forwarder: loopback ports inside the container, every connection multiplexed over the exec's stdio.
//
// It runs as one exec per container (`node -e SOURCE DIR PRELOAD_BASE64 PORT=CHANNEL...`), so it needs no
// network and no shared filesystem: it works the same against a remote engine. Frames both ways are
// [type u8][connection id u32][length u32][payload]; see ../mux.ts for the bridge's end.

export const FRAME = { open: 1, data: 2, end: 3, close: 4, ready: 5, pause: 6, resume: 7 } as const;

export const MUX_FORWARDER_SOURCE = String.raw`'use strict';
var net = require('net'), fs = require('fs'), path = require('path');
var args = process.argv.slice(1);
var dir = args[0];
fs.mkdirSync(dir, { recursive: true });
fs.writeFileSync(path.join(dir, 'preload.cjs'), Buffer.from(args[1], 'base64'));
var OPEN = 1, DATA = 2, END = 3, CLOSE = 4, READY = 5, PAUSE = 6, RESUME = 7;
var out = process.stdout, sockets = new Map(), nextId = 1, blocked = false;
function send(type, id, payload) {
  var head = Buffer.alloc(9);
  head[0] = type; head.writeUInt32BE(id, 1); head.writeUInt32BE(payload ? payload.length : 0, 5);
  var ok = out.write(payload && payload.length ? Buffer.concat([head, payload]) : head);
  if (!ok && !blocked) {
    blocked = true;
    sockets.forEach(function (s) { s.pause(); });
    out.once('drain', function () { blocked = false; sockets.forEach(function (s) { if (!s.held) s.resume(); }); });
  }
}
function accept(channel) {
  return function (socket) {
    var id = nextId++;
    sockets.set(id, socket);
    socket.setNoDelay(true);
    send(OPEN, id, Buffer.from([channel]));
    if (blocked) socket.pause();
    socket.on('data', function (d) { send(DATA, id, d); });
    socket.on('end', function () { send(END, id); });
    socket.on('error', function () {});
    socket.on('close', function () { if (sockets.delete(id)) send(CLOSE, id); });
  };
}
var pairs = args.slice(2), pending = pairs.length;
pairs.forEach(function (pair) {
  var i = pair.indexOf('=');
  var server = net.createServer({ allowHalfOpen: true }, accept(Number(pair.slice(i + 1))));
  server.on('error', function (e) { process.stderr.write('acp-sandbox forwarder: ' + e.message + '\n'); process.exit(125); });
  server.listen(Number(pair.slice(0, i)), '127.0.0.1', function () { if (--pending === 0) send(READY, 0); });
});
function deliver(type, id, payload) {
  var s = sockets.get(id);
  if (!s) return;
  if (type === DATA) {
    if (!s.write(payload) && !s.asked) {
      s.asked = true;
      send(PAUSE, id);
      s.once('drain', function () { s.asked = false; if (sockets.has(id)) send(RESUME, id); });
    }
  } else if (type === END) s.end();
  else if (type === CLOSE) { sockets.delete(id); s.destroy(); }
  else if (type === PAUSE) { s.held = true; s.pause(); }
  else if (type === RESUME) { s.held = false; if (!blocked) s.resume(); }
}
var buffered = Buffer.alloc(0);
process.stdin.on('data', function (chunk) {
  buffered = buffered.length ? Buffer.concat([buffered, chunk]) : chunk;
  while (buffered.length >= 9) {
    var length = buffered.readUInt32BE(5);
    if (buffered.length < 9 + length) break;
    var type = buffered[0], id = buffered.readUInt32BE(1), payload = buffered.subarray(9, 9 + length);
    buffered = buffered.subarray(9 + length);
    deliver(type, id, payload);
  }
});
process.stdin.on('end', function () { process.exit(0); });
process.stdin.on('error', function () { process.exit(0); });
`;
