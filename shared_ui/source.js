/* What a screen shows, asked of the server when it is about to show it: the
 * home screen, one page of a list, a search, one listing (docs/protocol.md,
 * "A screen's answers"). Answers are revalidated with their ETag, only the newest
 * answer to each question reaches the view, and a bounded copy (the home screen,
 * the first pages, the listings opened last) is kept for a start without network.
 * Shared by the TV and the kiosk: they differ only in `place`. */
(function (window) {
  'use strict';

  var screens = window.screens;
  // Answers kept in memory, to revalidate with If-None-Match or to turn to a
  // prefetched page at once.
  var MEMORY = 40;
  // A prefetched answer is used without asking again while this fresh, unless
  // a change has arrived since it was fetched.
  var FRESH_MS = 30 * 1000;
  // The offline copy, per group: the newest answers of each are kept.
  var KEEP = { home: 1, page: 8, listing: 20 };

  /* options: place ('community_id=5' or 'site_id=3'), cacheKey (localStorage),
   * onStatus(online) told when an answer comes or fails. */
  function Source(options) {
    this.place = options.place;
    this.cacheKey = options.cacheKey;
    this.onStatus = options.onStatus || function () {};
    this.memory = {};
    this.memoryOrder = [];
    this.tickets = {};
    this.nextTicket = 1;
    this.changed = 0;
    this.copy = normalCopy(screens.storage.read(this.cacheKey));
  }

  function normalCopy(copy) {
    copy = copy && typeof copy === 'object' ? copy : {};
    for (var group in KEEP) {
      if (KEEP.hasOwnProperty(group)) {
        if (!copy[group] || typeof copy[group] !== 'object') { copy[group] = {}; }
        if (!copy[group + 'Order'] || !copy[group + 'Order'].length) { copy[group + 'Order'] = []; }
      }
    }
    return copy;
  }

  /* params: {name: value}; empty values are left out, the order is fixed so the
   * same question is the same address (and the same ETag). */
  function query(params) {
    var parts = [];
    var names = [];
    for (var name in params) {
      if (params.hasOwnProperty(name) && params[name] !== '' && params[name] !== null &&
          params[name] !== undefined && params[name] !== false) {
        names.push(name);
      }
    }
    names.sort();
    for (var i = 0; i < names.length; i++) {
      parts.push(names[i] + '=' + encodeURIComponent(String(params[names[i]])));
    }
    return parts.join('&');
  }

  Source.prototype.homeUrl = function (newest) {
    return '/api/home?' + this.place + '&newest=' + newest;
  };

  Source.prototype.feedUrl = function (params) {
    var rest = query(params);
    return '/api/feed?' + this.place + (rest ? '&' + rest : '');
  };

  Source.prototype.listingUrl = function (id) { return '/api/listings/' + id; };

  /* done(data, fresh): fresh false for an answer from the offline copy; data
   * null when the server is away and nothing was kept. */
  Source.prototype.get = function (url, done) {
    var self = this;
    var held = this.memory[url];
    if (held && held.changed === this.changed && new Date().getTime() - held.at < FRESH_MS) {
      done(held.data, true);
      return;
    }
    var headers = held && held.etag ? { 'If-None-Match': held.etag } : {};
    screens.http.getJSON(url, function (status, data, xhr) {
      if (status === 304 && held) {
        self.remember(url, held.data, held.etag);
        self.onStatus(true);
        done(held.data, true);
        return;
      }
      if (status === 200 && data) {
        self.remember(url, data, xhr.getResponseHeader('ETag'));
        self.onStatus(true);
        done(data, true);
        return;
      }
      if (status === 0 || status >= 500) { self.onStatus(false); }
      var kept = self.kept(url);
      done(kept, false);
    }, headers);
  };

  /* Like get, but a later question on the same channel (the next key press of a
   * search, another page) makes this answer stale: it is dropped, not shown. */
  Source.prototype.latest = function (channel, url, done) {
    var self = this;
    var ticket = this.nextTicket++;
    this.tickets[channel] = ticket;
    this.get(url, function (data, fresh) {
      if (self.tickets[channel] !== ticket) { return; }
      delete self.tickets[channel];
      done(data, fresh);
    });
  };

  Source.prototype.cancel = function (channel) { delete this.tickets[channel]; };

  /* Fetch now so that turning to it later paints at once. */
  Source.prototype.prefetch = function (url) { this.get(url, function () {}); };

  /* A live change arrived: answers fetched before it are asked for again. */
  Source.prototype.noteChange = function () { this.changed++; };

  Source.prototype.remember = function (url, data, etag) {
    if (!this.memory.hasOwnProperty(url)) {
      this.memoryOrder.push(url);
      if (this.memoryOrder.length > MEMORY) { delete this.memory[this.memoryOrder.shift()]; }
    }
    this.memory[url] = { data: data, etag: etag || null, at: new Date().getTime(), changed: this.changed };
  };

  /* Keep an answer for a start without network, in group 'home', 'page' or
   * 'listing'; each group keeps only its newest few. */
  Source.prototype.keep = function (group, url, data) {
    var copy = this.copy;
    var order = copy[group + 'Order'];
    for (var i = order.length - 1; i >= 0; i--) {
      if (order[i] === url) { order.splice(i, 1); }
    }
    order.push(url);
    copy[group][url] = data;
    while (order.length > KEEP[group]) { delete copy[group][order.shift()]; }
    screens.storage.write(this.cacheKey, copy);
  };

  /* The answer kept for an address, or null. */
  Source.prototype.kept = function (url) {
    for (var group in KEEP) {
      if (KEEP.hasOwnProperty(group) && this.copy[group].hasOwnProperty(url)) { return this.copy[group][url]; }
    }
    return null;
  };

  Source.prototype.forget = function () {
    this.copy = normalCopy(null);
    screens.storage.remove(this.cacheKey);
  };

  window.screens.Source = Source;
  window.screens.Source.query = query;
})(window);
