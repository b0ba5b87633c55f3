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
  var FEED_CACHE_KEY = 'jxj.kiosk.feed';
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
    this.catalogue = new screens.Catalogue();
    this.stack = [];
    this.feed = null;
    this.online = true;
    // Staff preview (?preview=<id>): set, the kiosk is nobody's screen (see startPreview).
    this.preview = screens.preview.fromAddress(window.location.search);
    this.previewNote = '';
    this.places = this.preview ? null : storage.read(PLACES_CACHE_KEY);
    this.settings = this.preview ? null : storage.read(SETTINGS_KEY);
    this.outbox = new kiosk.Outbox(function () { return self.settings ? self.settings.token : ''; },
      function (key, outcome, status, data) { self.answered(key, outcome, status, data); });
    // The launcher on kiosk hardware with a 58 mm printer opens /kiosk/?printer=1.
    this.printer = /[?&]printer=1\b/.test(window.location.search);
    this.idleSeconds = secondsSetting('idle', IDLE_SECONDS);
    this.countdownSeconds = secondsSetting('countdown', COUNTDOWN_SECONDS);
    this.lastTouch = Date.now();
    this.warning = null;
  }

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
      // Kiosks hold only live listings; a withdrawn one shows as 已下架.
      self.catalogue.load(listing.status === 'published' ? [listing] : [], []);
      self.previewListing = listing;
      self.replaceAll(self.previewView());
    });
  };

  App.prototype.previewView = function () {
    return this.preview.view === 'card'
      ? new kiosk.BrowseView(this, { kind: this.previewListing.kind })
      : new kiosk.DetailView(this, this.previewListing.id);
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
    storage.remove(FEED_CACHE_KEY);
    window.location.reload();
  };

  App.prototype.boot = function () {
    var self = this;
    this.showMessage('正在载入……');
    this.loadPlaces();
    if (!this.feed) {
      this.feed = new screens.Feed({
        query: 'site_id=' + this.settings.site.id,
        cacheKey: FEED_CACHE_KEY,
        token: this.settings.token,
        appVersion: APP_VERSION,
        catalogue: this.catalogue,
        onChange: function (change) { self.onChange(change); },
        onReloaded: function () {
          var view = self.current();
          if (view && view.refresh) { view.refresh(); }
          self.renderStatus();
        },
        onStatus: function (online) { self.setOnline(online); },
        onRefused: function (message) { self.refused(message); }
      });
    }
    this.feed.start(function (ready) {
      if (!ready) {
        self.showMessage('网络已断开，正在重连……');
        window.setTimeout(function () { self.boot(); }, 5000);
        return;
      }
      self.flushOutbox();
      self.replaceAll(new kiosk.AttractView(self));
    });
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

  App.prototype.onChange = function (change) {
    var result = this.catalogue.apply(change);
    if (!result) { return; }
    var view = this.current();
    // Only lists someone is reading hold new listings back (behind a notice).
    if (result === 'added' && !(view && view.holdsNewListings)) { this.catalogue.acceptPending(); }
    if (view && view.onChange) { view.onChange(result, change); }
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
    var parts = [];
    if (!this.online) {
      parts.push(h('p', { className: 'badge badge-offline', text: '网络已断开，可以继续浏览' }));
    }
    var queued = this.preview ? 0 : this.outbox.size();
    if (queued) {
      parts.push(h('p', { className: 'badge badge-queued', text: queued + '份登记已保存，网络恢复后自动提交' }));
    }
    var announcements = this.catalogue.activeAnnouncements();
    if (announcements.length) {
      parts.push(h('p', { className: 'banner', text: '通知：' + announcements[0].text }));
    }
    if (this.previewNote) {
      parts.push(h('p', { className: 'badge badge-preview', text: this.previewNote }));
    }
    screens.dom.replace(this.statusEl, parts);
  };

  App.prototype.current = function () { return this.stack[this.stack.length - 1] || null; };

  App.prototype.show = function (view) {
    if (this.preview && REGISTERING_VIEWS[view.name]) {
      // The button works as on a live kiosk up to here; the person is told, not moved.
      this.previewNote = screens.preview.REFUSAL;
      this.renderStatus();
      return;
    }
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
    this.replaceAll(this.preview ? this.previewView() : new kiosk.HomeView(this));
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
    this.catalogue.acceptPending();
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
