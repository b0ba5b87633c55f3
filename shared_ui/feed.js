/* What a screen shows and how it stays current: every listing in its scope,
 * loaded page by page and kept for offline use, then the live connection with
 * catch-up (docs/protocol.md). The TV and the kiosk differ only in the query. */
(function (window) {
  'use strict';

  var screens = window.screens;
  var PER_PAGE = 100;
  var MAX_PAGES = 50;

  /* options: query ('community_id=5' or 'site_id=3'), cacheKey, token, appVersion,
   * catalogue, and the app's onChange(change), onReloaded(), onStatus(online),
   * onRefused(message). */
  function Feed(options) {
    this.options = options;
    this.live = null;
  }

  /* Load (or, offline, take the cached copy), fill the catalogue and go live.
   * done(true) when there is something to show, done(false) when there is not yet. */
  Feed.prototype.start = function (done) {
    var self = this;
    this.load(function (feed) {
      var fresh = !!feed;
      feed = feed || screens.storage.read(self.options.cacheKey);
      if (!feed) { done(false); return; }
      if (!fresh) { self.options.onStatus(false); }
      self.options.catalogue.load(feed.items, feed.announcements);
      self.goLive(feed);
      done(true);
    });
  };

  /* Every page of the feed; done(feed) or done(null) when the server is away. */
  Feed.prototype.load = function (done) {
    var self = this;
    var items = [];
    var first = null;
    function page(n) {
      var url = '/api/feed?' + self.options.query + '&per_page=' + PER_PAGE + '&page=' + n;
      screens.http.getJSON(url, function (status, data) {
        if (status !== 200 || !data) { done(null); return; }
        if (!first) { first = data; }
        items = items.concat(data.items);
        if (n * data.per_page < data.total && n < MAX_PAGES) { page(n + 1); return; }
        var feed = { items: items, announcements: first.announcements, cursors: first.cursors };
        screens.storage.write(self.options.cacheKey, feed);
        done(feed);
      });
    }
    page(1);
  };

  Feed.prototype.goLive = function (feed) {
    var self = this;
    var options = this.options;
    if (!this.live) {
      this.live = new screens.Live({
        token: options.token,
        appVersion: options.appVersion,
        onChange: options.onChange,
        onResync: function () { self.resync(); },
        onStatus: options.onStatus,
        onRefused: options.onRefused
      });
      this.live.reset(feed.cursors, feed.items, feed.announcements);
      this.live.connect();
      return;
    }
    this.live.reset(feed.cursors, feed.items, feed.announcements);
    this.live.sync();
  };

  /* The server says our copy is too far behind: reload it quietly, keep the screen. */
  Feed.prototype.resync = function () {
    var self = this;
    this.load(function (feed) {
      if (!feed) { return; }
      self.options.catalogue.load(feed.items, feed.announcements);
      self.live.reset(feed.cursors, feed.items, feed.announcements);
      self.options.onReloaded();
    });
  };

  window.screens.Feed = Feed;
})(window);
