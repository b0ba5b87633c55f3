/* The kiosk app: enrolment, boot, the stack of screens, live updates, the queue
 * of registrations waiting for the server, and the idle reset. */
(function (window) {
  'use strict';

  var document = window.document;
  var screens = window.screens;
  var kiosk = window.kiosk;
  var h = screens.dom.h;
  var storage = screens.storage;

  var APP_VERSION = 'kiosk-1';
  var SETTINGS_KEY = 'jxj.kiosk.screen';
  // The bounded copy for a start without network (screens.Source).
  var COPY_KEY = 'jxj.kiosk.copy';
  // Where versions before #21 kept the whole scope: dropped at start.
  var OLD_FEED_KEY = 'jxj.kiosk.feed';
  // The newest listings of each kind the home answer brings (the attract loop's slides).
  var HOME_NEWEST = 3;
  var KINDS = ['job', 'training', 'subsidy', 'event'];
  var PLACES_CACHE_KEY = 'jxj.kiosk.places';
  var IDLE_SECONDS = 60;
  var COUNTDOWN_SECONDS = 20;
  var OUTBOX_RETRY_MS = 15000;
  // In preview nothing may lead to a form that registers someone.
  var REGISTERING_VIEWS = { register: true };

  function secondsSetting(name, fallback) {
    var match = new RegExp('[?&]' + name + '=(\\d+)').exec(window.location.search);
    return match ? parseInt(match[1], 10) : fallback;
  }

  function App() {
    var self = this;
    this.topEl = document.getElementById('top');
    this.screenEl = document.getElementById('screen');
    this.overlayEl = document.getElementById('overlay');
    this.printEl = document.getElementById('print');
    this.statusEl = h('div', { className: 'status', role: 'status', 'aria-live': 'polite' });
    this.stack = [];
    this.source = null;
    this.live = null;
    // The home answer (true counts and the newest of each kind), kept current by changes.
    this.homeAnswer = null;
    this.arrivals = new screens.held.Arrivals();
    this.announcements = new screens.held.Announcements();
    this.online = true;
    // Staff preview (?preview=<id>): set, the kiosk is nobody's screen (see startPreview).
    this.preview = screens.preview.fromAddress(window.location.search);
    this.previewNote = '';
    this.places = this.preview ? null : storage.read(PLACES_CACHE_KEY);
    this.settings = this.preview ? null : storage.read(SETTINGS_KEY);
    this.outbox = new kiosk.Outbox(function () { return self.settings ? self.settings.token : ''; },
      function (key, outcome, status, data) { self.answered(key, outcome, status, data); },
      // A registration outranks the offline copy: when storage is full the copy goes.
      function () {
        if (self.source) { self.source.forget(); } else { storage.remove(COPY_KEY); }
      });
    // The launcher on kiosk hardware with a 58 mm printer opens /kiosk/?printer=1.
    this.printer = /[?&]printer=1\b/.test(window.location.search);
    this.idleSeconds = secondsSetting('idle', IDLE_SECONDS);
    this.countdownSeconds = secondsSetting('countdown', COUNTDOWN_SECONDS);
    this.lastTouch = Date.now();
    this.warning = null;
  }

  screens.appBase.install(App.prototype, {
    copyKey: COPY_KEY, oldCopyKey: OLD_FEED_KEY, home: 'homeAnswer', newest: HOME_NEWEST,
    appVersion: APP_VERSION, registering: REGISTERING_VIEWS
  });

  App.prototype.start = function () {
    var self = this;
    if (this.preview) {
      this.startPreview();
      return;
    }
    ['pointerdown', 'touchstart', 'keydown'].forEach(function (type) {
      document.addEventListener(type, function () { self.touched(); }, true);
    });
    window.setInterval(function () { self.idleTick(); }, 1000);
    window.setInterval(function () { self.flushOutbox(); }, OUTBOX_RETRY_MS);
    if (window.navigator.serviceWorker) {
      window.navigator.serviceWorker.register('/kiosk/sw.js', { scope: '/kiosk/' }).catch(function () {
        // Without it the kiosk still works; it just cannot start up offline.
      });
    }
    if (this.settings && this.settings.token) {
      this.boot();
    } else {
      this.replaceAll(new kiosk.EnrolView(this));
    }
  };

  /* One listing for staff, through the same views people use: no enrolment, no
   * feed or live connection, no idle reset or attract loop, no service worker,
   * nothing stored. Orientation follows the frame's shape, as on a kiosk. */
  App.prototype.startPreview = function () {
    var self = this;
    var preview = this.preview;
    document.getElementById('kiosk').appendChild(screens.preview.mark());
    this.showMessage(screens.preview.LOADING);
    screens.preview.load(preview.id, function (listing, message) {
      if (!listing) {
        self.showMessage(message);
        return;
      }
      // A station without coordinates: directions say "请按地址前往", no distance.
      self.settings = { site: { id: null, name: '本站' } };
      self.homeAnswer = { kinds: {} };
      // No home answer in a preview: the listing names its kind and category.
      screens.wording.learnFrom([listing]);
      self.previewListing = listing;
      self.replaceAll(self.previewView());
    });
  };

  App.prototype.previewView = function () {
    var listing = this.previewListing;
    return this.preview.view === 'card'
      // Kiosks hold only live listings; a withdrawn one is in no list.
      ? new kiosk.BrowseView(this, { kind: listing.kind }, listing.status === 'published' ? [listing] : [])
      : new kiosk.DetailView(this, listing);
  };

  App.prototype.enrolled = function (settings) {
    this.settings = settings;
    storage.write(SETTINGS_KEY, settings);
    this.boot();
  };

  /* Staff start enrolment again (after a revocation): forget the old token, keep
   * any queued registrations, which go out under the new one. */
  App.prototype.unenrol = function () {
    storage.remove(SETTINGS_KEY);
    storage.remove(COPY_KEY);
    window.location.reload();
  };

  /* The home answer from the server (or, without network, the kept copy), then
   * live. Lists, searches and listings are asked for when they are shown. */
  App.prototype.boot = function () {
    var self = this;
    this.loadPlaces();
    this.openHome('site_id=' + this.settings.site.id, function () {
      self.goLive();
      self.flushOutbox();
      self.replaceAll(new kiosk.AttractView(self));
      self.keepFirstPages();
    });
  };

  /* The first page of each kind, as its list opens, for the offline copy; after
   * the attract loop is painted, never in the way of what is shown. */
  App.prototype.keepFirstPages = function () {
    var self = this;
    window.setTimeout(function () {
      KINDS.forEach(function (kind) { kiosk.BrowseView.keepFirstPage(self, kind); });
    }, 3000);
  };

  /* Communities for the picker in registration forms; the cached tree serves offline. */
  App.prototype.loadPlaces = function () {
    var self = this;
    screens.http.getJSON('/api/places', function (status, data) {
      if (status !== 200 || !data) { return; }
      self.places = data.places;
      storage.write(PLACES_CACHE_KEY, data.places);
    });
  };

  /* A change from the live connection: applied to the home answer and to every
   * view's answer in place; a listing published meanwhile waits among the
   * arrivals, behind the notice of the list being read. */
  App.prototype.onChange = function (change) {
    this.source.noteChange();
    if (this.announcements.apply(change)) {
      this.renderStatus();
      return;
    }
    var view = this.current();
    var onHome = screens.held.apply(this.homeAnswer, change);
    var counted = onHome || screens.held.count(this.homeAnswer, change, this.kindOf(change.id));
    var held = !!onHome;
    for (var i = 0; i < this.stack.length; i++) {
      if (this.stack[i].onChange && this.stack[i].onChange(change, this.stack[i] === view)) { held = true; }
    }
    var arrived = held && this.arrivals.indexOf(change.id) < 0 ? null : this.arrivals.apply(change);
    // The notice of the list being read counts the arrivals.
    if (arrived && view && view.holdsNewListings) { this.refresh(); }
    this.renderStatus();
  };

  App.prototype.setOnline = function (online) {
    var wasOffline = !this.online;
    this.online = online;
    this.renderStatus();
    if (online && wasOffline) { this.flushOutbox(); }
  };

  App.prototype.flushOutbox = function () {
    var self = this;
    if (!this.settings || !this.outbox.size()) { return; }
    this.outbox.flush(function () { self.renderStatus(); });
  };

  /* A queued form has been sent (or refused). Only the person who saved it, still
   * on its "已保存" screen, sees the answer; after a reset nothing of theirs shows. */
  App.prototype.answered = function (key, outcome, status, data) {
    var view = this.current();
    if (view && view.name === 'saved' && view.key === key) { view.answered(outcome, status, data); }
  };

  App.prototype.refused = function (message) {
    this.replaceAll(new kiosk.RefusedView(this, message));
  };

  /* The strip above every screen: offline badge, queued forms, announcements. */
  App.prototype.renderStatus = function () {
    var common = screens.appBase.strip(this, '网络已断开，可以继续浏览');
    var queued = this.preview ? 0 : this.outbox.size();
    screens.dom.replace(this.statusEl, [
      common.offline,
      queued ? h('p', { className: 'badge badge-queued', text: queued + '份登记已保存，网络恢复后自动提交' }) : null,
      common.banner,
      common.preview
    ]);
  };

  App.prototype.current = function () { return this.stack[this.stack.length - 1] || null; };

  App.prototype.show = function (view) {
    if (this.refusedInPreview(view)) { return; }
    this.leaveCurrent();
    this.stack.push(view);
    this.render(view);
  };

  /* Replace the top of the stack (a flow moving on to its outcome). */
  App.prototype.swap = function (view) {
    this.leaveCurrent();
    forget([this.stack.pop()]);
    this.stack.push(view);
    this.render(view);
  };

  App.prototype.replaceAll = function (view) {
    this.leaveCurrent();
    forget(this.stack);
    this.stack = [view];
    this.render(view);
  };

  App.prototype.back = function () {
    if (this.stack.length <= 1) { this.home(); return; }
    this.leaveCurrent();
    forget([this.stack.pop()]);
    this.render(this.current());
  };

  /* In preview, home and the reset lead back to the listing: no attract loop, and
   * the console's session storage (same origin) is not the kiosk's to clear. */
  App.prototype.home = function () {
    var self = this;
    if (this.preview) {
      this.replaceAll(this.previewView());
      return;
    }
    // Shown at once from the answer held; the counts follow the server's answer.
    this.arrivals.clear();
    this.replaceAll(new kiosk.HomeView(this));
    this.loadHome(function () {
      var view = self.current();
      if (view && view.name === 'home') { self.refresh(); }
    });
  };

  /* leave(): the view's page is taken down (it may be rendered again);
   * forget(): the view is dropped for good. */
  function forget(views) {
    views.forEach(function (view) { if (view && view.forget) { view.forget(); } });
  }

  App.prototype.leaveCurrent = function () {
    var view = this.current();
    if (view && view.leave) { view.leave(); }
  };

  App.prototype.render = function (view) {
    this.previewNote = '';
    var parts = view.render();
    screens.dom.replace(this.topEl, [this.statusEl, parts.top]);
    screens.dom.replace(this.screenEl, parts.main);
    this.screenEl.className = 'screen screen-' + view.name;
    this.screenEl.scrollTop = 0;
    this.renderStatus();
    if (view.mounted) { view.mounted(); }
  };

  /* Re-render the current view in place (its own state changed). */
  App.prototype.refresh = function () {
    var view = this.current();
    if (!view) { return; }
    var scroll = this.screenEl.scrollTop;
    if (view.leave) { view.leave(); }
    this.render(view);
    this.screenEl.scrollTop = scroll;
  };

  /* The screen holds more than it shows: views that list things show fewer. */
  App.prototype.overflows = function () {
    return this.screenEl.scrollHeight > this.screenEl.clientHeight + 1;
  };

  App.prototype.showMessage = function (text) {
    screens.dom.replace(this.topEl, this.statusEl);
    screens.dom.replace(this.screenEl, h('div', { className: 'message' }, h('p', { text: text })));
  };

  /* Idle: a warning after idleSeconds without a touch, then a full reset. */
  App.prototype.touched = function () { this.lastTouch = Date.now(); };

  App.prototype.idleTick = function () {
    var view = this.current();
    if (!view || view.name === 'attract' || view.name === 'enrol' || view.name === 'refused') { return; }
    if (this.warning) {
      this.warning.tick();
      return;
    }
    if (Date.now() - this.lastTouch >= this.idleSeconds * 1000) {
      this.warning = new kiosk.IdleWarning(this, this.countdownSeconds);
      this.overlayEl.hidden = false;
      screens.dom.replace(this.overlayEl, this.warning.render());
      this.warning.focus();
    }
  };

  App.prototype.stayActive = function () {
    this.closeWarning();
    this.touched();
  };

  App.prototype.closeWarning = function () {
    this.warning = null;
    this.overlayEl.hidden = true;
    screens.dom.clear(this.overlayEl);
  };

  /* Back to the attract loop with nothing of the last person left: views and their
   * form state are dropped, the keyboard's buffer goes with its view, the session's
   * storage and anything printed or shown are cleared. Only queued forms stay. */
  App.prototype.reset = function () {
    if (this.preview) {
      this.home();
      return;
    }
    this.closeWarning();
    this.leaveCurrent();
    forget(this.stack);
    this.stack = [];
    try { window.sessionStorage.clear(); } catch (ignored) { /* disabled */ }
    screens.dom.clear(this.printEl);
    this.arrivals.clear();
    this.touched();
    this.replaceAll(new kiosk.AttractView(this));
  };

  /* Print the 58 mm ticket: the launcher runs Chromium with --kiosk-printing,
   * so window.print() goes straight to the receipt printer. */
  App.prototype.printTicket = function (reference, done) {
    var self = this;
    this.privateImage(reference, 'ticket.png', function (blob) {
      if (!blob) { done(false); return; }
      var url = window.URL.createObjectURL(blob);
      var image = h('img', { src: url, alt: '登记回执' });
      image.onload = function () {
        image.onload = null;
        window.print();
        window.URL.revokeObjectURL(url);
        done(true);
      };
      screens.dom.replace(self.printEl, image);
    });
  };

  /* A registration's ticket or QR code: only this kiosk may fetch it, just after. */
  App.prototype.privateImage = function (reference, name, done) {
    var url = '/api/registrations/' + encodeURIComponent(reference) + '/' + name;
    screens.http.getBlob(url, { 'X-Screen-Token': this.settings.token }, function (status, blob) {
      done(blob);
    });
  };

  window.kiosk.App = App;
  window.kiosk.start = function () {
    window.kiosk.app = new App();
    window.kiosk.app.start();
  };
})(window);
