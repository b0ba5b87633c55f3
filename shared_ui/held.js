/* What a screen holds between answers, and how a live change reaches it
 * (docs/protocol.md, "Applying a change to what a screen holds"): the answers on
 * screen are changed in place, new listings wait among the arrivals until the
 * person asks for them, and the announcements follow the log. */
(function (window) {
  'use strict';

  // Arrivals keep their data (from the change messages) for at most this many.
  var ARRIVALS = 50;

  /* The listings an answer holds: a feed or search page's items, the home
   * screen's newest of each kind, or the one listing it is. */
  function listsOf(answer) {
    var lists = [];
    if (!answer) { return lists; }
    if (answer.items) { lists.push(answer.items); }
    if (answer.kinds) {
      for (var kind in answer.kinds) {
        if (answer.kinds.hasOwnProperty(kind)) { lists.push(answer.kinds[kind].newest); }
      }
    }
    return lists;
  }

  /* Where an answer holds a listing: {list, index} or null. */
  function find(answer, id) {
    var lists = listsOf(answer);
    for (var i = 0; i < lists.length; i++) {
      for (var j = 0; j < lists[i].length; j++) {
        if (lists[i][j].id === id) { return { list: lists[i], index: j, listing: lists[i][j] }; }
      }
    }
    return null;
  }

  /* Whether the answer was built after this change (its cursors say so). */
  function reflects(answer, change) {
    var cursors = answer && answer.cursors;
    var scope = String(change.scope);
    return !!(cursors && cursors.hasOwnProperty(scope) && cursors[scope] >= change.seq);
  }

  /* A listing no longer live, as a screen keeps it where it was: its status
   * says why (withdrawn or expired; moved out of scope reads as withdrawn), and
   * its seq is the change's, so an older message does not bring it back. */
  function goneCopy(listing, change) {
    var copy = {};
    for (var name in listing) {
      if (listing.hasOwnProperty(name)) { copy[name] = listing[name]; }
    }
    copy.status = change.reason === 'expired' ? 'expired' : 'withdrawn';
    copy.seq = change.seq;
    return copy;
  }

  /* Apply a listing change to an answer on hand: returns 'updated', 'removed' or
   * null (nothing it holds). A removed listing leaves the page, or with `keep`
   * stays in its place marked gone (status not 'published'), and leaves its
   * count either way; a new one does not join (it waits among the arrivals). */
  function apply(answer, change, keep) {
    if (!answer || change.entity !== 'listing' || reflects(answer, change)) { return null; }
    var at = find(answer, change.id);
    if (!at || (at.listing.seq && at.listing.seq >= change.seq)) { return null; }
    // Only a listing kept in its place can be gone already: it counts once.
    var wasGone = gone(at.listing);
    if (change.op === 'upsert') {
      at.list[at.index] = change.data;
      if (wasGone && !gone(change.data)) { recount(answer, at.listing.kind, 1); }
      return 'updated';
    }
    if (keep) {
      at.list[at.index] = goneCopy(at.listing, change);
    } else {
      at.list.splice(at.index, 1);
    }
    if (!wasGone) { recount(answer, at.listing.kind, -1); }
    return 'removed';
  }

  /* Whether a listing a screen holds is no longer live. */
  function gone(listing) { return !!(listing.status && listing.status !== 'published'); }

  /* An answer's total, and its count of the kind, moved by `by` (never below 0). */
  function recount(answer, kind, by) {
    if (typeof answer.total === 'number') { answer.total = Math.max(0, answer.total + by); }
    if (answer.kinds && answer.kinds[kind]) {
      answer.kinds[kind].total = Math.max(0, answer.kinds[kind].total + by);
    }
  }

  /* Whether an upsert brings a listing the scope did not have: published, or
   * moved in from elsewhere. */
  function arriving(change) {
    return change.op === 'upsert' && (change.reason === 'published' || change.reason === 'moved');
  }

  /* Counts of a home answer for a change to a listing it does not show: one
   * arriving in scope adds one to its kind, one removed takes one away. The
   * remove message says the kind (`data.kind`); `kind` is what the screen
   * holds of it, for a change logged before removes said so. Returns whether a
   * count moved. */
  function count(home, change, kind) {
    if (!home || !home.kinds || change.entity !== 'listing' || reflects(home, change)) { return false; }
    if (arriving(change) && change.data && home.kinds[change.data.kind]) {
      home.kinds[change.data.kind].total++;
      return true;
    }
    kind = (change.data && change.data.kind) || kind;
    if (change.op === 'remove' && kind && home.kinds[kind] && home.kinds[kind].total > 0) {
      home.kinds[kind].total--;
      return true;
    }
    return false;
  }

  /* Listings published since the person last looked, newest first, bounded:
   * `count` stays true past the bound. */
  function Arrivals(limit) {
    this.limit = limit || ARRIVALS;
    this.items = [];
    this.count = 0;
  }

  Arrivals.prototype.indexOf = function (id) {
    for (var i = 0; i < this.items.length; i++) { if (this.items[i].id === id) { return i; } }
    return -1;
  };

  /* Returns 'added', 'updated', 'removed' or null. */
  Arrivals.prototype.apply = function (change) {
    if (change.entity !== 'listing') { return null; }
    var at = this.indexOf(change.id);
    if (change.op === 'remove') {
      if (at < 0) { return null; }
      this.items.splice(at, 1);
      this.count = Math.max(0, this.count - 1);
      return 'removed';
    }
    if (at >= 0) {
      this.items[at] = change.data;
      return 'updated';
    }
    if (!arriving(change)) { return null; }
    this.items.unshift(change.data);
    this.count++;
    if (this.items.length > this.limit) { this.items.pop(); }
    return 'added';
  };

  /* Take the waiting listings (the person asked for them); newest first. */
  Arrivals.prototype.take = function () {
    var taken = this.items;
    this.items = [];
    this.count = 0;
    return taken;
  };

  Arrivals.prototype.clear = function () { this.take(); };

  /* The active announcements, from an answer and then the change log. */
  function Announcements() { this.byId = {}; }

  Announcements.prototype.load = function (list) {
    this.byId = {};
    for (var i = 0; list && i < list.length; i++) { this.byId[list[i].id] = list[i]; }
  };

  /* Returns whether the change was an announcement's. */
  Announcements.prototype.apply = function (change) {
    if (change.entity !== 'announcement') { return false; }
    if (change.op === 'upsert') { this.byId[change.id] = change.data; } else { delete this.byId[change.id]; }
    return true;
  };

  Announcements.prototype.active = function () {
    var found = [];
    for (var id in this.byId) {
      if (this.byId.hasOwnProperty(id)) { found.push(this.byId[id]); }
    }
    return found.sort(function (a, b) { return b.id - a.id; });
  };

  /* Whether any of an answer's cursors is past the ones a screen holds. */
  function ahead(cursors, held) {
    for (var scope in cursors) {
      if (cursors.hasOwnProperty(scope) && cursors[scope] > (held[scope] || 0)) { return true; }
    }
    return false;
  }

  /* The pages of one list as a screen steps through them (docs/protocol.md,
   * "Paging"). Page n+1 is asked as the listings after the last card page n
   * showed (`after`), kept there or gone since, so a listing withdrawn or
   * published meanwhile neither hides one from the person nor shows one twice.
   * The pages shown are kept (those within KEPT_AROUND of the one on screen),
   * changes applied, so going back shows them as they were; one no longer kept
   * is asked again from where it started. `total` is the newest answer's,
   * moved by the changes it does not reflect. */
  var KEPT_AROUND = 5;

  function Pages() {
    // starts[n]: the id page n comes after; null for the first page, and
    // undefined past the last page known to follow.
    this.starts = [null];
    this.kept = {};
    this.shown = {};
    this.total = 0;
    this.counted = null;
  }

  Pages.prototype.after = function (n) { return this.starts[n]; };

  Pages.prototype.get = function (n) { return this.kept.hasOwnProperty(n) ? this.kept[n] : null; };

  /* The cards page n shows: its answer's first `shown`. */
  Pages.prototype.items = function (n) {
    var answer = this.get(n);
    return answer ? answer.items.slice(0, this.shown[n]) : [];
  };

  Pages.prototype.hasNext = function (n) {
    return this.starts[n + 1] !== undefined && this.starts[n + 1] !== null;
  };

  /* How many pages to say there are, standing on page n: the live total's
   * pages, never fewer than those shown and the next, none past the last
   * (while page n is being asked for, its answer will say). */
  Pages.prototype.count = function (n, perPage) {
    var pages = Math.ceil(this.total / perPage);
    if (!this.get(n)) { return Math.max(n + 1, pages); }
    return this.hasNext(n) ? Math.max(n + 2, pages) : n + 1;
  };

  /* An answer for page n came (`fresh` from the server, or a kept copy). */
  Pages.prototype.put = function (n, answer, fresh) {
    this.kept[n] = answer;
    if (fresh || !this.counted) {
      this.total = answer.total;
      this.counted = answer;
    }
    this.show(n, answer.items.length);
  };

  /* Page n shows its answer's first `count` cards: the next page starts after
   * the last of them. A page after it that started elsewhere is forgotten. */
  Pages.prototype.show = function (n, count) {
    var answer = this.kept[n];
    this.shown[n] = count;
    var last = count ? answer.items[count - 1] : null;
    var next = last && (answer.more || count < answer.items.length) ? last.id : undefined;
    if (this.starts[n + 1] !== next) {
      this.end(n);
      if (next !== undefined) { this.starts.push(next); }
    }
    this.forgetFar(n);
  };

  /* Nothing follows page n after all: what came after its last card is gone. */
  Pages.prototype.end = function (n) {
    this.starts.length = n + 1;
    this.forgetFrom(n + 1);
  };

  Pages.prototype.forgetFrom = function (n) {
    for (var k in this.kept) {
      if (this.kept.hasOwnProperty(k) && +k >= n) { delete this.kept[k]; delete this.shown[k]; }
    }
  };

  Pages.prototype.forgetFar = function (n) {
    for (var k in this.kept) {
      if (this.kept.hasOwnProperty(k) && Math.abs(+k - n) > KEPT_AROUND) { delete this.kept[k]; delete this.shown[k]; }
    }
  };

  /* A resync: every page kept may have missed changes; they are asked again. */
  Pages.prototype.forget = function () {
    this.kept = {};
    this.shown = {};
  };

  /* A live change applied to every page kept (see apply, with keep); returns
   * 'updated', 'removed' or null. */
  Pages.prototype.apply = function (change) {
    var result = null;
    for (var k in this.kept) {
      if (!this.kept.hasOwnProperty(k)) { continue; }
      var answer = this.kept[k];
      var before = answer.total;
      var applied = apply(answer, change, true);
      if (!applied) { continue; }
      result = applied;
      // Counted once: not again when the newest answer already left it out.
      if (answer.total !== before && (answer === this.counted || !reflects(this.counted, change))) {
        this.total = Math.max(0, this.total + answer.total - before);
      }
    }
    return result;
  };

  window.screens.held = {
    Pages: Pages,
    apply: apply,
    gone: gone,
    count: count,
    find: find,
    ahead: ahead,
    Arrivals: Arrivals,
    Announcements: Announcements
  };
})(window);
