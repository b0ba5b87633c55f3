// The client harness of `make bench`: N Socket.IO screens against one server,
// ours (kiosk_server behind gunicorn), the Python floor or the reference
// (bench/reference-server.js), driven the same way.
//
//   node bench/harness.js --target ours|floor|ref --url http://127.0.0.1:5100 --pid 1234 \
//        --n 1000 --tokens tokens.txt --listing listing.json --scope 1,2,3,4 --feed /feed
//
// It connects the N screens, prints {"event": "ready", ...} with what they cost
// at rest, then takes commands on stdin, one a line: `publish` (one publish,
// timed to the last screen), `storm` (all drop and come back) and `finish`.
// Each answer is one JSON line on stdout.
//
// Each screen does what a TV does (shared_ui/live.js): connect to /screens with
// auth {token, app_version}, `sync` its cursors, apply each `change` by the
// protocol's rules (ignore seq <= cursor, sync on a gap), and `ack` 0.5–3 s after
// applying (a random wait, as live.js spreads a crowd's acks). It speaks the
// Socket.IO protocol itself over npm `ws` (see "the wire" below). Transport is
// WebSocket only for every server (a TV starts on polling and upgrades; that
// handshake is left out of all sides alike).
'use strict';

const fs = require('fs');
const readline = require('readline');
const WebSocket = require('ws');

function args() {
  const out = { missed: 3, concurrency: 200, settle: 5 };
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i += 2) { out[argv[i].replace(/^--/, '')] = argv[i + 1]; }
  ['n', 'missed', 'concurrency', 'settle', 'pid'].forEach((k) => { if (out[k] !== undefined) { out[k] = Number(out[k]); } });
  return out;
}

// The same wait as shared_ui/live.js.
const ACK_DELAY_MIN_MS = 500;
const ACK_DELAY_SPREAD_MS = 2500;

const opt = args();
const N = opt.n;
const scope = opt.scope.split(',').map(Number);
const target = scope[scope.length - 1];
const tokens = fs.readFileSync(opt.tokens, 'utf8').split('\n').filter(Boolean).slice(0, N);
const listing = JSON.parse(fs.readFileSync(opt.listing, 'utf8'));
if (tokens.length < N) { throw new Error('only ' + tokens.length + ' tokens for ' + N + ' screens'); }

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const now = () => Number(process.hrtime.bigint()) / 1e6;

function rssKb(pid) {
  const status = fs.readFileSync('/proc/' + pid + '/status', 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)[1]);
}

// ---- publishing, the way each server takes it ----------------------------------

let cookie = '';
let csrf = '';

async function http(method, path, body) {
  const headers = { 'Content-Type': 'application/json' };
  if (cookie) { headers.Cookie = cookie; }
  if (csrf) { headers['X-CSRFToken'] = csrf; }
  const res = await fetch(opt.url + path, { method: method, headers: headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const setCookie = res.headers.getSetCookie ? res.headers.getSetCookie() : [];
  if (setCookie.length) { cookie = setCookie.map((c) => c.split(';')[0]).join('; '); }
  const text = await res.text();
  if (!res.ok) { throw new Error(method + ' ' + path + ' → ' + res.status + ' ' + text.slice(0, 300)); }
  return text ? JSON.parse(text) : {};
}

async function login() {
  if (opt.target !== 'ours') { return; }
  csrf = (await http('GET', '/admin/api/session')).csrf_token;
  csrf = (await http('POST', '/admin/api/session', { username: opt.username || 'bench', password: opt.password })).csrf_token;
}

// Staff requests made while screens stampede the database (a mass disconnect)
// can fail with 500; a person would try again, so does the harness, and counts it.
async function retried(what, fn) {
  for (let attempt = 1; ; attempt += 1) {
    try { return await fn(); } catch (error) {
      stats.staffErrors += 1;
      if (attempt >= 10) { throw error; }
      process.stderr.write(what + ' failed (' + String(error.message).slice(0, 120) + '), again in 3 s\n');
      await sleep(3000);
    }
  }
}

let titleNo = 0;
// Returns a function that sends the publish request itself, so only that is timed.
async function preparePublish() {
  titleNo += 1;
  const body = Object.assign({}, listing, { title: listing.title + ' #' + titleNo });
  if (opt.target === 'ours') {
    const draft = await retried('draft', () => http('POST', '/admin/api/listings', body));
    return () => http('POST', '/admin/api/listings/' + draft.id + '/publish', {});
  }
  return () => http('POST', '/publish', body);
}

// ---- screens --------------------------------------------------------------------

const stats = { applied: 0, duplicates: 0, gaps: 0, syncs: 0, syncErrors: 0, connectErrors: 0, refused: 0, acksPending: 0, ackErrors: 0, staffErrors: 0 };
let waiter = null; // {want, resolve}: resolves when stats.applied reaches want
let currentWaiter = null;
let currentCount = 0;

function checkWaiters() {
  if (waiter && stats.applied >= waiter.want) { const w = waiter; waiter = null; w.resolve(now()); }
  if (currentWaiter && currentCount >= currentWaiter.want) { const w = currentWaiter; currentWaiter = null; w.resolve(now()); }
}

// ---- the wire ------------------------------------------------------------------
//
// Each screen speaks Engine.IO 4 / Socket.IO 5 over one WebSocket (npm ws) by
// itself rather than through socket.io-client. A socket.io-client per screen
// cost this harness about 45 µs of CPU per message received: with 10,000 screens
// the harness needed 450 ms of its core to read one change, while the servers had
// sent it to all of them in 100–190 ms, so every server's fan-out measured the
// harness (docs/benchmarks.md). The packets are the ones socket.io-client sends.

const NS = '/screens';
const EIO_OPEN = '0';
const EIO_CLOSE = '1';
const EIO_PING = '2';
const EIO_MESSAGE = '4';
const SIO_CONNECT = '0';
const SIO_DISCONNECT = '1';
const SIO_EVENT = '2';
const SIO_ACK = '3';
const SIO_CONNECT_ERROR = '4';
const ACK_TIMEOUT_MS = 60000;
// socket.io-client's reconnection: 1 s doubling to reconnectionDelayMax, ±50 %.
const RECONNECT_FIRST_MS = 1000;
const RECONNECT_MAX_MS = 10000;
const wsUrl = opt.url.replace(/^http/, 'ws') + '/socket.io/?EIO=4&transport=websocket';

// A Socket.IO packet for /screens: type, namespace, optional ack id, then JSON.
function parseSio(text) {
  let at = 1;
  if (text.startsWith(NS, at)) { at += NS.length + 1; }
  let digits = at;
  while (digits < text.length && text.charCodeAt(digits) >= 48 && text.charCodeAt(digits) <= 57) { digits += 1; }
  const id = digits > at ? Number(text.slice(at, digits)) : null;
  const body = text.slice(digits);
  return { type: text[0], id: id, data: body ? JSON.parse(body) : null };
}

// A pushed change, read only as far as the protocol's rules need: the fields
// before its listing (seq, prev, scope…) are parsed, the listing is left as bytes
// and only measured. Decoding and parsing the listing took 40 % of the harness's
// CPU and is the same work whichever server sent it. Null for any other packet,
// or a change whose listing is not last, which then takes the full parse.
const CHANGE_PREFIX = Buffer.from(EIO_MESSAGE + SIO_EVENT + NS + ',["change",');
const LISTING_KEY = Buffer.from(',"data":');

function readChange(buf) {
  if (buf.length <= CHANGE_PREFIX.length || buf.compare(CHANGE_PREFIX, 0, CHANGE_PREFIX.length, 0, CHANGE_PREFIX.length) !== 0) { return null; }
  const at = buf.indexOf(LISTING_KEY, CHANGE_PREFIX.length);
  if (at < 0) { return null; }
  const change = JSON.parse(buf.toString('latin1', CHANGE_PREFIX.length, at) + '}');
  // The change's bytes as sent: all after the prefix but the closing ']'.
  change.bytes = buf.length - CHANGE_PREFIX.length - 1;
  return change;
}

class Screen {
  constructor(token) {
    this.token = token;
    // A TV loads the feed before it connects and syncs from the feed's cursors.
    this.cursors = Object.assign({}, feedCursors);
    this.ws = null;
    this.connected = false;
    this.attempts = 0; // failed connects in a row, for the back-off
    this.retryTimer = null;
    this.acks = new Map(); // ack id → {callback, timer}
    this.nextAckId = 0;
    this.ackTimer = null;
    this.syncing = false;
    this.synced = false;
    this.storm = null; // {need, applied} during a reconnect storm
    this.closing = false;
  }

  connect() {
    if (this.ws || this.closing) { return; }
    clearTimeout(this.retryTimer);
    this.retryTimer = null;
    const ws = new WebSocket(wsUrl, { perMessageDeflate: false, handshakeTimeout: 60000 });
    this.ws = ws;
    ws.on('message', (data) => {
      if (this.ws !== ws) { return; }
      const change = readChange(data);
      if (change) { this.onChange(change); } else { this.onPacket(data.toString()); }
    });
    ws.on('error', () => {}); // 'close' follows and says what to do
    ws.on('close', () => { if (this.ws === ws) { this.lost(); } });
  }

  send(text) {
    if (this.ws && this.ws.readyState === WebSocket.OPEN) { this.ws.send(text); }
  }

  emit(event, data, callback) {
    const id = this.nextAckId++;
    const timer = setTimeout(() => { this.acks.delete(id); callback(new Error('ack timeout')); }, ACK_TIMEOUT_MS);
    this.acks.set(id, { callback: callback, timer: timer });
    this.send(EIO_MESSAGE + SIO_EVENT + NS + ',' + id + JSON.stringify([event, data]));
  }

  onPacket(text) {
    const kind = text[0];
    if (kind === EIO_MESSAGE) {
      this.onSio(parseSio(text.slice(1)));
    } else if (kind === EIO_PING) {
      this.send('3');
    } else if (kind === EIO_OPEN) {
      this.send(EIO_MESSAGE + SIO_CONNECT + NS + ',' + JSON.stringify({ token: this.token, app_version: 'bench' }));
    } else if (kind === EIO_CLOSE) {
      this.lost();
    }
  }

  onSio(packet) {
    if (packet.type === SIO_EVENT) {
      if (packet.data[0] === 'change') { this.onChange(packet.data[1]); }
    } else if (packet.type === SIO_ACK) {
      const pending = this.acks.get(packet.id);
      if (pending) { this.acks.delete(packet.id); clearTimeout(pending.timer); pending.callback(null, packet.data[0]); }
    } else if (packet.type === SIO_CONNECT) {
      this.connected = true;
      this.attempts = 0;
      this.sync();
    } else if (packet.type === SIO_CONNECT_ERROR) {
      // A refusal by the server is not retried by socket.io-client itself (a TV shows
      // 请联系工作人员 and stops). The harness tries again after a second so the storm
      // can finish, and counts the refusals: for a valid token each one is a fault.
      stats.connectErrors += 1;
      if (packet.data && packet.data.data && packet.data.data.code === 'unknown_screen') { stats.refused += 1; }
      this.drop();
      this.retryIn(1000 + Math.random() * 1000);
    } else if (packet.type === SIO_DISCONNECT) { this.lost(); }
  }

  // The connection is gone (or never came up): reconnect as socket.io-client would.
  lost() {
    const wasConnected = this.connected;
    this.drop();
    if (this.closing) { return; }
    if (!wasConnected) { stats.connectErrors += 1; }
    const delay = Math.min(RECONNECT_MAX_MS, RECONNECT_FIRST_MS * 2 ** this.attempts);
    this.attempts += 1;
    this.retryIn(delay * (0.5 + Math.random()));
  }

  retryIn(ms) {
    if (!this.closing && !this.retryTimer) {
      this.retryTimer = setTimeout(() => { this.retryTimer = null; this.connect(); }, ms);
    }
  }

  // End this connection without reconnecting; answers still awaited fail.
  drop() {
    const ws = this.ws;
    this.ws = null;
    this.connected = false;
    this.syncing = false;
    if (ws) { ws.terminate(); }
    this.acks.forEach((pending) => { clearTimeout(pending.timer); pending.callback(new Error('disconnected')); });
    this.acks.clear();
  }

  // As socket.io-client's disconnect(): tell the server, then close.
  disconnect() {
    clearTimeout(this.retryTimer);
    this.retryTimer = null;
    if (this.ws) {
      this.send(EIO_MESSAGE + SIO_DISCONNECT + NS + ',');
      const ws = this.ws;
      this.ws = null;
      this.drop();
      ws.close();
    }
  }

  apply(change) {
    const key = change.scope;
    if (change.seq <= (this.cursors[key] || 0)) { stats.duplicates += 1; return; }
    this.cursors[key] = change.seq;
    stats.applied += 1;
    if (publishStarted !== null && firstApplied === null) { firstApplied = now(); }
    if (this.storm) {
      this.storm.applied += 1;
      if (this.storm.applied === this.storm.need) { currentCount += 1; }
    }
    this.scheduleAck();
  }

  onChange(change) {
    if (publishStarted !== null && changeBytes === null) { changeBytes = change.bytes || Buffer.byteLength(JSON.stringify(change)); }
    const key = change.scope;
    if (change.seq <= (this.cursors[key] || 0)) { stats.duplicates += 1; return; }
    if (change.prev > (this.cursors[key] || 0)) { stats.gaps += 1; this.sync(); return; }
    this.apply(change);
    checkWaiters();
  }

  sync() {
    if (this.syncing) { return; }
    this.syncing = true;
    stats.syncs += 1;
    this.emit('sync', { cursors: this.cursors }, (err, answer) => {
      this.syncing = false;
      if (err || !answer || answer.error || answer.resync) {
        stats.syncErrors += 1;
        // As a TV's safety-net sync would, only sooner: try again in a second.
        setTimeout(() => { if (this.connected) { this.sync(); } }, 1000 + Math.random() * 1000);
        return;
      }
      answer.changes.forEach((change) => this.apply(change));
      Object.keys(answer.cursors).forEach((k) => { this.cursors[k] = Math.max(this.cursors[k] || 0, answer.cursors[k]); });
      if (!this.synced) { this.synced = true; syncedCount += 1; }
      checkWaiters();
    });
  }

  scheduleAck() {
    if (this.ackTimer) { return; }
    acksScheduled += 1;
    this.ackTimer = setTimeout(() => {
      this.ackTimer = null;
      acksScheduled -= 1;
      if (!this.connected) { return; }
      stats.acksPending += 1;
      this.emit('ack', { cursors: this.cursors }, (err) => {
        stats.acksPending -= 1;
        if (err) { stats.ackErrors += 1; }
      });
    }, ACK_DELAY_MIN_MS + Math.random() * ACK_DELAY_SPREAD_MS);
  }
}

let syncedCount = 0;
// While a publish is timed: when it was sent, and when the first screen applied it.
let publishStarted = null;
let firstApplied = null;
// The size of a published change as it came (UTF-8 JSON), to show that all the
// servers send the same bytes.
let changeBytes = null;
// Acks still on their 0.5–3 s timer: a wait for "the acks have landed" must wait
// for these too, or the storm's drop would catch some in flight (counted as errors).
let acksScheduled = 0;
const acksSettled = () => stats.acksPending === 0 && acksScheduled === 0;
let feedCursors = {};

async function waitFor(test, timeoutMs, what) {
  const end = now() + timeoutMs;
  while (!test()) {
    if (now() > end) { throw new Error('timed out waiting for ' + what); }
    await sleep(20);
  }
}

async function connectAll(screens) {
  // Screens come up a few hundred at a time, as a city's TVs are switched on.
  let next = 0;
  const start = now();
  async function lane() {
    while (next < screens.length) {
      const s = screens[next++];
      s.connect();
      await waitFor(() => s.synced, 120000, 'screen ' + s.token.slice(0, 6) + ' to sync');
    }
  }
  await Promise.all(Array.from({ length: opt.concurrency }, lane));
  return now() - start;
}

function emit(event) { process.stdout.write(JSON.stringify(event) + '\n'); }

let screens = [];

// Connect all N screens and measure what they cost the server at rest.
async function connectAndMeasure() {
  const result = { target: opt.target, n: N };
  await login();
  const feed = await http('GET', opt.feed);
  scope.forEach((id) => { feedCursors[id] = Number(feed.cursors[String(id)] || 0); });
  screens = tokens.map((t) => new Screen(t));
  // Warm up: a few screens connect, sync and leave, so the baseline includes
  // what the first connection loads (imports, caches) rather than charging it to N.
  const warm = screens.slice(0, Math.min(50, N));
  await connectAll(warm);
  warm.forEach((s) => { s.disconnect(); s.synced = false; });
  syncedCount = 0;
  await sleep(3000);
  const rss0 = rssKb(opt.pid);
  result.rss_before_kb = rss0;
  result.connect_ms = await connectAll(screens);
  await sleep(opt.settle * 1000);
  await waitFor(acksSettled, 600000, 'acks');
  const rss1 = rssKb(opt.pid);
  result.rss_connected_kb = rss1;
  result.idle_kb_per_screen = (rss1 - rss0) / N;
  return result;
}

// Publish → last screen, once. `send` was prepared beforehand, so only the
// publish request itself and the fan-out are timed.
async function publishOnce(send) {
  const want = stats.applied + N;
  const done = new Promise((resolve) => { waiter = { want: want, resolve: resolve }; });
  const t0 = now();
  publishStarted = t0;
  firstApplied = null;
  await send();
  const t1 = await Promise.race([done, sleep(120000).then(() => null)]);
  if (t1 === null) { throw new Error('publish: only ' + (stats.applied - want + N) + ' of ' + N + ' screens heard it'); }
  const result = { ms: t1 - t0, first_ms: firstApplied - t0, change_bytes: changeBytes };
  publishStarted = null;
  // Let the acks of this change land before the next one, as they would between edits.
  await sleep(700);
  await waitFor(acksSettled, 600000, 'acks after publish');
  return result;
}

// Reconnect storm: all drop, K changes are published while they are away, all
// come back at once; done when each has synced and applied the K changes.
async function storm() {
  screens.forEach((s) => { s.disconnect(); s.synced = false; s.storm = { need: opt.missed, applied: 0 }; });
  await sleep(2000);
  for (let k = 0; k < opt.missed; k += 1) {
    const send = await preparePublish();
    await retried('publish while away', send);
  }
  await sleep(500);
  currentCount = 0;
  syncedCount = 0;
  const current = new Promise((resolve) => { currentWaiter = { want: N, resolve: resolve }; });
  const s0 = now();
  screens.forEach((s) => s.connect());
  const s1 = await Promise.race([current, sleep(900000).then(() => null)]);
  if (s1 === null) { throw new Error('storm: only ' + currentCount + ' of ' + N + ' screens current after 900 s'); }
  await sleep(1000);
  await waitFor(acksSettled, 600000, 'acks after storm');
  return s1 - s0;
}

// Commands, one a line on stdin; each answer is one JSON line on stdout. The
// conductor (bench/run.py) starts a harness for each block of each server and
// decides when each step is timed.
async function main() {
  emit(Object.assign({ event: 'ready' }, await connectAndMeasure()));
  let next = await preparePublish();
  const commands = readline.createInterface({ input: process.stdin });
  for await (const line of commands) {
    const command = line.trim();
    if (command === 'publish') {
      emit(Object.assign({ event: 'published' }, await publishOnce(next)));
      next = await preparePublish();
    } else if (command === 'storm') {
      emit({ event: 'storm', storm_ms: await storm() });
    } else if (command === 'finish') {
      break;
    } else if (command) {
      throw new Error('unknown command ' + JSON.stringify(command));
    }
  }
  screens.forEach((s) => { s.closing = true; s.disconnect(); });
  emit({ event: 'finished', stats: Object.assign({}, stats) });
  setTimeout(() => process.exit(0), 200);
}

main().catch((error) => {
  emit({ event: 'error', error: String(error && error.message || error), stats: stats });
  process.exit(1);
});
