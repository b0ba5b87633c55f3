// The reference for `make bench`: a minimal Socket.IO server (npm socket.io) that
// speaks the same protocol shape as kiosk_server's /screens namespace, so one
// client harness drives both. It keeps everything in memory: no database, no
// audit, no validation — the floor that our real path is measured against.
//
//   PORT=5101 FEED_FILE=feed.json ITEM_FILE=item.json node bench/reference-server.js
//
// HTTP:   POST /publish  {listing JSON}  → stores a change and broadcasts it to the room;
//                                          its data is ITEM_FILE's listing (as our server
//                                          renders it for screens) with the posted title,
//                                          so both servers send the same bytes per screen
//         GET  /feed                     → FEED_FILE's JSON with a weak ETag (304 on a match)
// Socket: namespace /screens, auth {token}; `sync {cursors}` → {changes, cursors};
//         `ack {cursors}` → {ok: true}; pushes `change` to room place:<scope>.
'use strict';

const http = require('http');
const fs = require('fs');
const { Server } = require('socket.io');

const port = Number(process.env.PORT || 5101);
const scope = (process.env.SCOPE || '1,2,3,4').split(',').map(Number);
const target = scope[scope.length - 1];
const feedBody = process.env.FEED_FILE ? JSON.parse(fs.readFileSync(process.env.FEED_FILE, 'utf8')) : { items: [] };
const item = process.env.ITEM_FILE ? JSON.parse(fs.readFileSync(process.env.ITEM_FILE, 'utf8')) : {};

const changes = []; // the change log, in seq order
const heads = {}; // scope → last seq
const acked = new Map(); // socket id → cursors, as the server keeps them per screen
let seq = 0;
let nextId = 1;

function json(res, status, body, headers) {
  const text = JSON.stringify(body);
  res.writeHead(status, Object.assign({ 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) }, headers || {}));
  res.end(text);
}

function feedTag() {
  return 'W/"feed-' + seq + '"';
}

const server = http.createServer((req, res) => {
  if (req.method === 'POST' && req.url === '/publish') {
    let raw = '';
    req.on('data', (chunk) => { raw += chunk; });
    req.on('end', () => {
      let data;
      try { data = JSON.parse(raw || '{}'); } catch (e) { return json(res, 422, { error: 'bad json' }); }
      seq += 1;
      const change = {
        seq: seq, scope: target, prev: heads[target] || 0, entity: 'listing', id: nextId++,
        op: 'upsert', reason: 'published',
        data: Object.assign({}, item, { id: nextId - 1, seq: seq, title: data.title }),
      };
      heads[target] = seq;
      changes.push(change);
      io.of('/screens').to('place:' + target).emit('change', change);
      return json(res, 201, { id: change.id, change_seq: seq });
    });
    return;
  }
  if (req.method === 'GET' && req.url.startsWith('/feed')) {
    const tag = feedTag();
    if (req.headers['if-none-match'] === tag) {
      res.writeHead(304, { ETag: tag, 'Cache-Control': 'no-cache' });
      return res.end();
    }
    const cursors = {};
    scope.forEach((id) => { cursors[id] = heads[id] || 0; });
    return json(res, 200, Object.assign({}, feedBody, { cursors: cursors }), { ETag: tag, 'Cache-Control': 'no-cache' });
  }
  if (req.url === '/health') { return json(res, 200, { ok: true, pid: process.pid }); }
  json(res, 404, { error: 'not found' });
});

const io = new Server(server, { maxHttpBufferSize: 64 * 1024, cors: { origin: '*' } });

io.of('/screens').use((socket, next) => {
  const token = socket.handshake.auth && socket.handshake.auth.token;
  if (typeof token !== 'string' || !token) {
    const error = new Error('unknown screen');
    error.data = { code: 'unknown_screen' };
    return next(error);
  }
  next();
});

io.of('/screens').on('connection', (socket) => {
  scope.forEach((id) => socket.join('place:' + id));
  socket.on('sync', (data, reply) => {
    const cursors = (data && data.cursors) || {};
    const out = {};
    scope.forEach((id) => { out[id] = Number(cursors[id] || 0); });
    const missed = changes.filter((c) => c.seq > out[c.scope]);
    missed.forEach((c) => { out[c.scope] = Math.max(out[c.scope], c.seq); });
    if (typeof reply === 'function') { reply({ changes: missed, cursors: out }); }
  });
  socket.on('ack', (data, reply) => {
    acked.set(socket.id, (data && data.cursors) || {});
    if (typeof reply === 'function') { reply({ ok: true }); }
  });
  socket.on('disconnect', () => { acked.delete(socket.id); });
});

// The same listen backlog as deploy/gunicorn.conf.py, so a reconnect storm meets the same queue.
server.listen(port, '127.0.0.1', 4096, () => {
  process.stdout.write('reference listening on ' + port + ' pid ' + process.pid + '\n');
});
