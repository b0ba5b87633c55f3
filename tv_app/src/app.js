/* The TV app: boot, the stack of screens, remote keys, live updates, idle. */
(function (window) {
  'use strict';

  var document = window.document;
  var screens = window.screens;
  var tv = window.tv = window.tv || {};
  var h = screens.dom.h;

  var APP_VERSION = 'tv-1';
  var STORAGE_KEY = 'jxj.tv.screen';
  // The bounded copy for a start without network (screens.Source).
  var COPY_KEY = 'jxj.tv.copy';
  // Where versions before #21 kept the whole scope: dropped at start.
  var OLD_FEED_KEY = 'jxj.tv.feed';
  var IDLE_MS = 10 * 60 * 1000;
  var KIND_BY_DIGIT = { 1: 'job', 2: 'training', 3: 'subsidy', 4: 'event' };
  var SEARCH_DIGIT = 5;
  // Keys kept while the next screen loads, and how long they wait at most.
  var HELD_KEYS = 8;
  var HOLD_MAX_MS = 8000;
  // The newest listings of each kind the home screen asks for.
  var HOME_NEWEST = 3;
  // A home whose counts a change could not move is asked again after a random
  // pause, so the screens of a scope do not all ask at once.
  var RECOUNT_MIN_MS = 2000;
  var RECOUNT_SPREAD_MS = 8000;
  // The 1280×720 design (tv.css): its bottom safe margin, the gap kept above the
  // hint line, and the least a stretchy part keeps (two lines of text).
  var STAGE_HEIGHT = 720;
  var SAFE_Y = 36;
  var FIT_GAP = 8;
  var FIT_MIN = 64;

  var storage = screens.storage;
  // In preview nothing may lead to a form that registers someone.
  var REGISTERING_VIEWS = { callback: true };

  function App() {
    this.stage = document.getElementById('stage');
    this.screenEl = document.getElementById('screen');
    this.overlayEl = document.getElementById('overlay');
    this.statusEl = document.getElementById('status');
    this.focus = new screens.Focus(this.stage);
    this.source = null;
    this.live = null;
    // The home answer (counts and newest of each kind), kept current by changes.
    this.home = null;
    this.arrivals = new screens.held.Arrivals();
    this.announcements = new screens.held.Announcements();
    this.loadTicket = 0;
    // Keys pressed while the server is asked for the next screen, replayed once it shows.
    this.holding = 0;
    this.heldKeys = [];
    this.recountTimer = null;
    this.stack = [];
    this.dialog = null;
    this.idle = null;
    this.idleTimer = null;
    this.online = true;
    // Staff preview (?preview=<id>): set, the TV is nobody's screen (see startPreview).
    this.preview = screens.preview.fromAddress(window.location.search);
    this.previewNote = '';
    this.settings = this.preview ? null : storage.read(STORAGE_KEY);
    this.idleMs = idleSetting();
  }

  screens.appBase.install(App.prototype, {
    copyKey: COPY_KEY, oldCopyKey: OLD_FEED_KEY, home: 'home', newest: HOME_NEWEST,
    appVersion: APP_VERSION, registering: REGISTERING_VIEWS, everyHomeFirst: true
  });

  /* A home answer taken: its counts are the server's, none is stale. */
  App.prototype.homeLoaded = function () { this.homeStale = false; };

  function idleSetting() {
    var match = /[?&]idle=(\d+)/.exec(window.location.search);
    return match ? parseInt(match[1], 10) * 1000 : IDLE_MS;
  }

  App.prototype.start = function () {
    var self = this;
    this.scale();
    window.onresize = function () { self.scale(); };
    screens.keys.registerPlatformKeys();
    document.addEventListener('keydown', function (event) { self.onKey(event); }, true);
    if (this.preview) {
      this.startPreview();
      return;
    }
    this.restartIdle();
    if (this.settings && this.settings.token) {
      this.boot();
    } else {
      this.show(new tv.SetupView(this));
    }
  };

  /* One listing for staff, through the same views residents use: no registration
   * as a screen, no feed or live connection, no idle carousel, nothing stored. */
  App.prototype.startPreview = function () {
    var self = this;
    var preview = this.preview;
    this.focus.quiet = true;
    this.stage.appendChild(screens.preview.mark());
    this.showMessage(screens.preview.LOADING);
    screens.preview.load(preview.id, function (listing, message) {
      if (!listing) {
        self.showMessage(message);
        return;
      }
      // A TV of the listing's own place; without coordinates, distances are left out.
      self.settings = { community: { id: listing.target.id, name: listing.target.name } };
      // No home answer in a preview: the listing names its kind and category.
      screens.wording.learnFrom([listing]);
      self.previewListing = listing;
      self.stack = [];
      self.show(self.previewView());
    });
  };

  App.prototype.previewView = function () {
    return this.preview.view === 'card'
      // Screens hold only live listings; a withdrawn one is in no list.
      ? new tv.ListView(this, {
        kind: this.previewListing.kind,
        items: this.previewListing.status === 'published' ? [this.previewListing] : []
      })
      : new tv.DetailView(this, this.previewListing);
  };

  /* Designed at 1280×720; a 1080p screen gets the same layout, half as large again. */
  App.prototype.scale = function () {
    var factor = Math.min(window.innerWidth / 1280, window.innerHeight / 720) || 1;
    var transform = factor === 1 ? '' : 'scale(' + factor + ')';
    this.stage.style.webkitTransform = transform;
    this.stage.style.transform = transform;
  };

  App.prototype.registered = function (settings) {
    this.settings = settings;
    storage.write(STORAGE_KEY, settings);
    this.boot();
  };

  App.prototype.forget = function () {
    storage.remove(STORAGE_KEY);
    storage.remove(COPY_KEY);
    window.location.reload();
  };

  /* The home screen from the server (or, without network, the kept copy), then
   * live. Lists, searches and listings are asked for when they are opened. */
  App.prototype.boot = function () {
    var self = this;
    this.openHome('community_id=' + this.settings.community.id, function () {
      self.stack = [];
      self.show(new tv.HomeView(self));
      self.goLive();
      self.keepFirstPages();
    });
  };

  /* The first page of each kind, as a list opens with it, for the offline copy;
   * after the home screen is painted, and never in the way of what is shown. */
  App.prototype.keepFirstPages = function () {
    var self = this;
    window.setTimeout(function () {
      for (var digit in KIND_BY_DIGIT) {
        if (KIND_BY_DIGIT.hasOwnProperty(digit)) { tv.ListView.keepFirstPage(self, KIND_BY_DIGIT[digit]); }
      }
    }, 3000);
  };

  /* A change from the live connection: applied to the home answer and to every
   * view's answers in place; a listing published meanwhile waits among the arrivals. */
  App.prototype.onChange = function (change) {
    this.source.noteChange();
    if (this.announcements.apply(change)) {
      this.renderStatus();
      this.focus.ensure();
      return;
    }
    var view = this.current();
    var kind = change.op === 'remove' ? this.kindOf(change.id) : null;
    var onHome = screens.held.apply(this.home, change);
    var counted = onHome || screens.held.count(this.home, change, kind);
    var held = !!onHome;
    for (var i = 0; i < this.stack.length; i++) {
      if (this.stack[i].onChange && this.stack[i].onChange(change, this.stack[i] === view)) { held = true; }
    }
    var arrived = held && this.arrivals.indexOf(change.id) < 0 ? null : this.arrivals.apply(change);
    if (!counted && !arrived && change.op === 'remove' && !this.homeStale) {
      // A remove logged before removes said their kind, of a listing the screen
      // does not hold: the count is asked again.
      this.homeStale = true;
      if (view && view.name === 'home') { this.recountSoon(); }
    }
    if (view && view.name === 'home' && (onHome || counted)) { view.refresh(); }
    this.renderStatus();
    this.focus.ensure();
    this.labelNotice();
  };

  App.prototype.recountSoon = function () {
    var self = this;
    if (this.recountTimer) { return; }
    this.recountTimer = window.setTimeout(function () {
      self.recountTimer = null;
      self.loadHome(function (ready) {
        var view = self.current();
        if (ready && view && view.name === 'home') { view.refresh(); }
      });
    }, RECOUNT_MIN_MS + Math.random() * RECOUNT_SPREAD_MS);
  };

  /* After a resync (app_base.js): focus and the notice as the new answers say. */
  App.prototype.resynced = function () {
    this.focus.ensure();
    this.labelNotice();
  };

  App.prototype.refreshAll = function () {
    var view = this.current();
    if (view && view.refresh) { view.refresh(); }
    this.renderStatus();
    this.focus.ensure();
    this.labelNotice();
  };

  App.prototype.setOnline = function (online) {
    this.online = online;
    this.renderStatus();
  };

  App.prototype.refused = function (message) {
    this.stack = [];
    this.show(new tv.RefusedView(this, message));
  };

  /* The top strip: offline badge, waiting new listings, announcements. */
  App.prototype.renderStatus = function () {
    var common = screens.appBase.strip(this, '网络已断开，正在重连');
    var notice = this.newListingsNotice();
    var parts = [common.offline, notice, common.preview, common.banner];
    // The notice is built afresh: a person standing on it stays on it.
    var focused = this.focus.current;
    var onNotice = focused && focused.getAttribute('data-key') === 'new-listings';
    screens.dom.replace(this.statusEl, parts);
    if (onNotice && notice) { this.focus.focus(notice); }
    this.labelNotice();
    this.fit();
  };

  /* Waiting listings: a button on the strip, reached with the arrows (up, as far
   * as it goes) and opened with OK; the red key is a shortcut to the same. Its
   * coming never moves focus. What it says changes once it has focus. */
  App.prototype.newListingsNotice = function () {
    var self = this;
    var waiting = this.arrivals.count;
    if (!waiting || !this.settings || !this.settings.token) { return null; }
    var notice = h('p', {
      className: 'badge badge-new', 'data-focusable': '', 'data-key': 'new-listings',
      role: 'button', tabindex: '-1'
    });
    notice.waiting = waiting;
    notice.activate = function () { self.openNew(); };
    return notice;
  };

  /* The notice says how to reach it, and once reached, what OK does. */
  App.prototype.labelNotice = function () {
    var notice = this.statusEl.querySelector('[data-key="new-listings"]');
    if (!notice) { return; }
    var text = notice.waiting + '条新信息' +
      (this.focus.current === notice ? '，按OK查看' : '：按上键选这里，再按OK查看');
    if (notice.textContent !== text) { screens.dom.replace(notice, text); }
  };

  /* Whatever the strip holds, every control stays above the hint line and inside
   * the safe area: the view's one stretchy part (data-fit, long text that scrolls
   * with the arrows) gives up the room. Offsets are in the 1280×720 design
   * whatever the stage's scale, so the sums below are too. */
  App.prototype.fit = function () {
    var stretchy = this.screenEl.querySelector('[data-fit]');
    if (!stretchy) { return; }
    stretchy.style.maxHeight = '';
    var hints = this.screenEl.querySelector('.hints');
    var floor = hints ? hints.offsetTop - FIT_GAP : STAGE_HEIGHT - SAFE_Y;
    var lowest = 0;
    var controls = this.screenEl.querySelectorAll('[data-focusable]');
    for (var i = 0; i < controls.length; i++) {
      lowest = Math.max(lowest, this.offsetTop(controls[i]) + controls[i].offsetHeight);
    }
    var over = lowest - floor;
    if (over > 0) {
      stretchy.style.maxHeight = Math.max(FIT_MIN, stretchy.offsetHeight - over) + 'px';
    }
  };

  App.prototype.offsetTop = function (element) {
    var top = 0;
    for (var node = element; node && node !== this.stage; node = node.offsetParent) { top += node.offsetTop; }
    return top;
  };

  App.prototype.current = function () { return this.stack[this.stack.length - 1] || null; };

  App.prototype.show = function (view) {
    if (this.refusedInPreview(view)) { return; }
    this.stack.push(view);
    this.render(view, null);
  };

  App.prototype.render = function (view, focusKey) {
    this.previewNote = '';
    screens.dom.clear(this.screenEl);
    var preferred = view.render(this.screenEl);
    this.renderStatus();
    // The stage: the focus may have been on the strip's notice.
    var remembered = focusKey ? this.stage.querySelector('[data-key="' + focusKey + '"]') : null;
    this.focus.current = null;
    this.focus.lastRect = null;
    // What had focus may have become something nobody can press (a withdrawn
    // listing's 请工作人员联系我): then the view's own choice, its way out.
    this.focus.ensure(remembered && this.focus.inside(remembered) ? remembered : preferred);
    this.labelNotice();
  };

  /* Draw the view on screen again as it now is: focus stays on the same item,
   * or, when that item is gone, moves to its nearest neighbour (UX.md). */
  App.prototype.redraw = function (view) {
    var focused = this.focus.current;
    var key = focused ? focused.getAttribute('data-key') : null;
    var rect = this.focus.lastRect;
    this.render(view, key);
    if (key && !this.stage.querySelector('[data-key="' + key + '"]')) {
      this.focus.current = null;
      this.focus.lastRect = rect;
      this.focus.ensure();
    }
  };

  App.prototype.back = function () {
    if (this.stack.length <= 1) {
      var view = this.current();
      if (view && view.name === 'home') { this.openDialog(new tv.ExitDialog(this)); }
      return;
    }
    var leaving = this.stack.pop();
    if (leaving.destroy) { leaving.destroy(); }
    var view2 = this.current();
    this.render(view2, view2.focusKey || null);
  };

  /* Fresh navigation (not Back) takes in waiting listings: the person asked for
   * a new view, which the server answers with them in. A view that asks the
   * server (view.load) is shown once its answer is in; a later key press wins. */
  App.prototype.navigate = function (view, replaceStack) {
    var self = this;
    this.open(view, function () {
      self.arrivals.clear();
      if (replaceStack) {
        var home = self.stack[0];
        self.stack = home && home.name === 'home' && view.name !== 'home' ? [home] : [];
      }
    });
  };

  /* Show a view once it has what it shows; before() runs just before. */
  App.prototype.open = function (view, before) {
    var self = this;
    var ticket = ++this.loadTicket;
    var resume = view.load ? this.hold() : null;
    function ready() {
      if (ticket === self.loadTicket) {
        if (before) { before(); }
        self.rememberFocus();
        self.show(view);
      }
      if (resume) { resume(); }
    }
    if (view.load) { view.load(ready); } else { ready(); }
  };

  /* While the server is asked for what comes next, keys wait: pressed ahead
   * (a digit, then right), they act on the screen they were meant for. Returns
   * the function to call once it is shown. */
  App.prototype.hold = function () {
    var self = this;
    var done = false;
    this.holding++;
    function resume() {
      if (done) { return; }
      done = true;
      self.holding--;
      if (self.holding) { return; }
      var keys = self.heldKeys;
      self.heldKeys = [];
      for (var i = 0; i < keys.length; i++) { self.handle(keys[i].action, keys[i].digit); }
    }
    window.setTimeout(resume, HOLD_MAX_MS);
    return resume;
  };

  App.prototype.rememberFocus = function () {
    var view = this.current();
    var focused = this.focus.current;
    if (view && focused) { view.focusKey = focused.getAttribute('data-key'); }
  };

  App.prototype.openList = function (kind) {
    this.navigate(new tv.ListView(this, { kind: kind }), true);
  };

  App.prototype.openSearch = function () {
    var view = this.current();
    if (view && view.name === 'search') { return; }
    this.navigate(new tv.SearchView(this), true);
  };

  App.prototype.openDetail = function (listing) {
    this.open(new tv.DetailView(this, listing));
  };

  App.prototype.openNew = function () {
    var fresh = this.arrivals.take();
    this.open(new tv.ListView(this, { fresh: fresh }));
  };

  /* The home screen asked for again (its counts and newest, with the ETag). */
  App.prototype.goHome = function () {
    var self = this;
    if (this.preview) {
      // A preview has no home screen (nor its "退出吗？"): back to the listing.
      this.stack = [];
      this.show(this.previewView());
      return;
    }
    var ticket = ++this.loadTicket;
    var resume = this.hold();
    this.loadHome(function () {
      if (ticket === self.loadTicket) {
        self.arrivals.clear();
        var home = self.stack[0];
        self.stack = [];
        self.show(home && home.name === 'home' ? home : new tv.HomeView(self));
      }
      resume();
    });
  };

  App.prototype.openDialog = function (dialog) {
    this.dialog = dialog;
    this.dialogReturn = this.focus.current;
    screens.dom.replace(this.overlayEl, dialog.render());
    this.overlayEl.className = 'overlay is-open';
    this.focus.current = null;
    this.focus.ensure(dialog.initialFocus);
  };

  App.prototype.closeDialog = function () {
    this.dialog = null;
    screens.dom.clear(this.overlayEl);
    this.overlayEl.className = 'overlay';
    this.focus.current = null;
    this.focus.ensure(this.dialogReturn);
  };

  App.prototype.showMessage = function (text) {
    var message = h('p', { className: 'message-text', text: text, tabindex: '-1', 'data-focusable': '' });
    screens.dom.replace(this.screenEl, h('div', { className: 'message' }, [message]));
    this.focus.current = null;
    this.focus.ensure(message);
  };

  App.prototype.restartIdle = function () {
    var self = this;
    if (this.preview) { return; }
    if (this.idleTimer) { window.clearTimeout(this.idleTimer); }
    this.idleTimer = window.setTimeout(function () { self.startIdle(); }, this.idleMs);
  };

  App.prototype.startIdle = function () {
    if (this.idle || !this.settings || !this.settings.token) { return; }
    this.idleReturn = this.focus.current;
    this.idle = new tv.IdleView(this);
    this.idle.start(this.overlayEl);
  };

  App.prototype.stopIdle = function () {
    this.idle.stop();
    this.idle = null;
    if (this.dialog) {
      screens.dom.replace(this.overlayEl, this.dialog.render());
      this.overlayEl.className = 'overlay is-open';
    } else {
      screens.dom.clear(this.overlayEl);
      this.overlayEl.className = 'overlay';
    }
    this.focus.current = null;
    this.focus.ensure(this.dialog ? this.dialog.initialFocus : this.idleReturn);
  };

  App.prototype.onKey = function (event) {
    var key = screens.keys.normalise(event);
    this.restartIdle();
    if (this.idle) {
      // Any key only wakes the screen; the person is back where they were.
      event.preventDefault();
      this.stopIdle();
      return;
    }
    if (!key) { return; }
    event.preventDefault();
    if (this.holding) {
      if (this.heldKeys.length < HELD_KEYS) { this.heldKeys.push(key); }
      return;
    }
    this.handle(key.action, key.digit);
  };

  App.prototype.handle = function (action, digit) {
    var handler = this.dialog || this.current();
    if (!(handler && handler.handleKey && handler.handleKey(action, digit))) {
      this.globalKey(action, digit);
    }
    this.focus.ensure();
    this.labelNotice();
  };

  App.prototype.globalKey = function (action, digit) {
    if (action === 'up' || action === 'down' || action === 'left' || action === 'right') {
      this.focus.move(action);
    } else if (action === 'ok') {
      var target = this.focus.current;
      if (target && target.activate) { target.activate(); }
    } else if (action === 'back') {
      if (this.dialog) { this.closeDialog(); } else { this.back(); }
    } else if (this.dialog || !this.settings || !this.settings.token) {
      return;
    } else if (action === 'digit' && digit === 0) {
      this.goHome();
    } else if (action === 'digit' && KIND_BY_DIGIT[digit]) {
      this.openList(KIND_BY_DIGIT[digit]);
    } else if ((action === 'digit' && digit === SEARCH_DIGIT) || action === 'green') {
      this.openSearch();
    } else if (action === 'red') {
      this.openNew();
    }
  };

  App.prototype.exit = function () {
    try {
      if (window.tizen && window.tizen.application) {
        window.tizen.application.getCurrentApplication().exit();
        return;
      }
    } catch (ignored) { /* not Tizen */ }
    window.close();
    if (window.history.length > 1) { window.history.back(); }
  };

  tv.App = App;
  tv.storage = storage;
  tv.start = function () {
    tv.app = new App();
    tv.app.start();
  };
})(window);
