/* The listings and announcements a screen holds, kept current by live changes.
 * New listings wait in `pending` until the person asks for them, so nothing
 * moves under their focus. */
(function (window) {
  'use strict';

  function Catalogue() {
    this.listings = {};
    this.pending = {};
    this.announcements = {};
  }

  Catalogue.prototype.load = function (listings, announcements) {
    this.listings = {};
    this.pending = {};
    this.announcements = {};
    var i;
    for (i = 0; i < listings.length; i++) { this.listings[listings[i].id] = listings[i]; }
    for (i = 0; i < announcements.length; i++) { this.announcements[announcements[i].id] = announcements[i]; }
  };

  /* Apply one change; returns what happened: 'added' (now pending), 'updated',
   * 'removed', 'announced', 'unannounced' or null. */
  Catalogue.prototype.apply = function (change) {
    var id = change.id;
    if (change.entity === 'announcement') {
      if (change.op === 'upsert') {
        this.announcements[id] = change.data;
        return 'announced';
      }
      delete this.announcements[id];
      return 'unannounced';
    }
    if (change.op === 'remove') {
      var had = this.listings.hasOwnProperty(id) || this.pending.hasOwnProperty(id);
      delete this.listings[id];
      delete this.pending[id];
      return had ? 'removed' : null;
    }
    if (this.listings.hasOwnProperty(id)) {
      this.listings[id] = change.data;
      return 'updated';
    }
    this.pending[id] = change.data;
    return 'added';
  };

  Catalogue.prototype.pendingCount = function () {
    var count = 0;
    for (var id in this.pending) { if (this.pending.hasOwnProperty(id)) { count++; } }
    return count;
  };

  /* Take the waiting listings in; returns them, newest first. */
  Catalogue.prototype.acceptPending = function () {
    var taken = [];
    for (var id in this.pending) {
      if (this.pending.hasOwnProperty(id)) {
        this.listings[id] = this.pending[id];
        taken.push(this.pending[id]);
      }
    }
    this.pending = {};
    return taken.sort(newestFirst);
  };

  Catalogue.prototype.get = function (id) {
    return this.listings[id] || this.pending[id] || null;
  };

  function newestFirst(a, b) {
    if (a.published_at === b.published_at) { return b.id - a.id; }
    return a.published_at < b.published_at ? 1 : -1;
  }

  /* filter: {kind, category, free} — each optional. */
  Catalogue.prototype.list = function (filter) {
    var found = [];
    filter = filter || {};
    for (var id in this.listings) {
      if (!this.listings.hasOwnProperty(id)) { continue; }
      var item = this.listings[id];
      if (filter.kind && item.kind !== filter.kind) { continue; }
      if (filter.category && !(item.job && matchesCategory(item.job.category, filter.category))) { continue; }
      if (filter.free && !(item.training && item.training.free)) { continue; }
      found.push(item);
    }
    return found.sort(newestFirst);
  };

  /* "全职/兼职" is one filter on screens for two categories. */
  function matchesCategory(category, wanted) {
    if (wanted === 'full_or_part_time') { return category === 'full_time' || category === 'part_time'; }
    return category === wanted;
  }

  Catalogue.prototype.activeAnnouncements = function () {
    var found = [];
    for (var id in this.announcements) {
      if (this.announcements.hasOwnProperty(id)) { found.push(this.announcements[id]); }
    }
    return found.sort(function (a, b) { return b.id - a.id; });
  };

  window.screens = window.screens || {};
  window.screens.Catalogue = Catalogue;
})(window);
