/* The live connection of a screen: Socket.IO with catch-up from the change log.
 * Protocol: docs/protocol.md. The server's log is the truth; messages are wake-ups. */
(function (window) {
  'use strict';

  var SAFETY_SYNC_MS = 5 * 60 * 1000;
  // Every screen in a scope applies a change at the same moment; a random wait
  // spreads their acks over a few seconds instead of one burst at the server.
  var ACK_DELAY_MIN_MS = 500;
  var ACK_DELAY_SPREAD_MS = 2500;
  // The ack doubles as a heartbeat: staff see a screen as offline after two missed beats.
  var HEARTBEAT_MS = 60 * 1000;
  var RETRY_MIN_MS = 2000;
  var RETRY_SPREAD_MS = 8000;

  /* options: token, appVersion, onChange(change), onResync(), onStatus(online),
   * onRefused(message) */
  function Live(options) {
    this.options = options;
    this.cursors = {};
    this.applied = {};
    this.socket = null;
    this.syncing = false;
    this.syncAgain = false;
    this.ackTimer = null;
  }

  /* Start from a feed answer: its cursors and the seq of every listing it held. */
  Live.prototype.reset = function (cursors, listings, announcements) {
    this.cursors = {};
    for (var scope in cursors) {
      if (cursors.hasOwnProperty(scope)) { this.cursors[scope] = cursors[scope]; }
    }
    this.applied = {};
    var i;
    for (i = 0; listings && i < listings.length; i++) {
      this.applied['listing:' + listings[i].id] = listings[i].seq;
    }
    for (i = 0; announcements && i < announcements.length; i++) {
      this.applied['announcement:' + announcements[i].id] = announcements[i].seq;
    }
  };

  Live.prototype.connect = function () {
    var self = this;
    var socket = window.io('/screens', {
      auth: { token: this.options.token, app_version: this.options.appVersion || '' },
      // Old TV engines without WebSocket stay on long-polling.
      transports: ['polling', 'websocket'],
      reconnectionDelayMax: 10000
    });
    this.socket = socket;
    socket.on('connect', function () {
      // A sync sent just before a disconnect never gets its answer; start afresh.
      self.syncing = false;
      self.syncAgain = false;
      self.options.onStatus(true);
      self.sync();
    });
    socket.on('disconnect', function () { self.options.onStatus(false); });
    socket.on('connect_error', function (error) {
      self.options.onStatus(false);
      var code = error && error.data && error.data.code;
      if (code === 'unknown_screen') {
        socket.disconnect();
        self.options.onRefused(error.data.message);
      } else if (code) {
        // Refused for now (server busy): the client does not retry a refusal by
        // itself; come back after a random pause so a crowd does not return at once.
        window.setTimeout(function () { socket.connect(); }, RETRY_MIN_MS + Math.random() * RETRY_SPREAD_MS);
      }
    });
    socket.on('change', function (change) { self.receive(change); });
    socket.on('revoked', function (data) {
      socket.disconnect();
      self.options.onRefused(data && data.message);
    });
    window.setInterval(function () { self.sync(); }, SAFETY_SYNC_MS);
    window.setInterval(function () { self.scheduleAck(); }, HEARTBEAT_MS);
  };

  Live.prototype.online = function () { return !!(this.socket && this.socket.connected); };

  /* A pushed change: apply it, skip it, or notice a gap and catch up. */
  Live.prototype.receive = function (change) {
    var scope = String(change.scope);
    if (!this.cursors.hasOwnProperty(scope)) { return; }
    if (change.seq <= this.cursors[scope]) { return; }
    if (change.prev > this.cursors[scope]) {
      this.sync();
      return;
    }
    this.apply(change);
    this.scheduleAck();
  };

  Live.prototype.apply = function (change) {
    var scope = String(change.scope);
    if (change.seq > (this.cursors[scope] || 0)) { this.cursors[scope] = change.seq; }
    var key = change.entity + ':' + change.id;
    // Messages from different server processes may cross; the newer state wins.
    if (this.applied.hasOwnProperty(key) && this.applied[key] >= change.seq) { return; }
    this.applied[key] = change.seq;
    this.options.onChange(change);
  };

  Live.prototype.sync = function () {
    var self = this;
    if (!this.online()) { return; }
    if (this.syncing) { this.syncAgain = true; return; }
    this.syncing = true;
    this.socket.emit('sync', { cursors: this.cursors }, function (reply) {
      self.syncing = false;
      if (reply && reply.error && reply.error.code === 'unknown_screen') {
        self.socket.disconnect();
        self.options.onRefused(reply.error.message);
        return;
      }
      if (reply && reply.error && (reply.error.code === 'server_busy' || reply.error.code === 'server_error')) {
        // The server was busy or failed: ask again later, not in step with the crowd.
        window.setTimeout(function () { self.sync(); }, RETRY_MIN_MS + Math.random() * RETRY_SPREAD_MS);
      } else if (reply && reply.resync) {
        self.options.onResync();
      } else if (reply && reply.changes) {
        for (var i = 0; i < reply.changes.length; i++) { self.apply(reply.changes[i]); }
        for (var scope in reply.cursors) {
          if (reply.cursors.hasOwnProperty(scope) && reply.cursors[scope] > (self.cursors[scope] || 0)) {
            self.cursors[scope] = reply.cursors[scope];
          }
        }
        self.scheduleAck();
      }
      if (self.syncAgain) {
        self.syncAgain = false;
        self.sync();
      }
    });
  };

  /* Tell the server how far this screen has applied changes (staff see delivery). */
  Live.prototype.scheduleAck = function () {
    var self = this;
    if (this.ackTimer) { return; }
    this.ackTimer = window.setTimeout(function () {
      self.ackTimer = null;
      if (self.online()) { self.socket.emit('ack', { cursors: self.cursors }); }
    }, ACK_DELAY_MIN_MS + Math.random() * ACK_DELAY_SPREAD_MS);
  };

  window.screens = window.screens || {};
  window.screens.Live = Live;
})(window);
