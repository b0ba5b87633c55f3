/* What the TV's and the kiosk's apps do alike, written once: the home answer and
 * going live from its cursors, the announcements an answer brings, the kind of a
 * listing held anywhere, the staff preview's guard, and the parts of the status
 * strip both show. Each App installs these on its prototype (install). */
(function (window) {
  'use strict';

  var screens = window.screens;
  var h = screens.dom.h;
  var BOOT_RETRY_MS = 5000;

  /* options:
   *   home: the property holding the home answer ('home' on the TV; the kiosk's
   *     home is a method, so 'homeAnswer'),
   *   copyKey: where the bounded copy for a start without network is kept,
   *   oldCopyKey: where versions before #21 kept the whole scope (dropped),
   *   newest: the newest listings of each kind the home answer brings,
   *   appVersion: what the live connection says the app is,
   *   registering: {view name: true} for what a preview must not open,
   *   everyHomeFirst: every home answer's announcements are taken (the TV), not
   *     only the first one's before the app is live (the kiosk).
   * An App may have homeLoaded(answer), called as each home answer is taken. */
  function install(proto, options) {
    var home = options.home;

    /* Boot's common part: "正在载入……", the source of answers for `place` (made
     * once), the home answer, then shown(). With neither the server nor a kept
     * copy, boot is tried again a little later. */
    proto.openHome = function (place, shown) {
      var self = this;
      this.showMessage('正在载入……');
      if (!this.source) {
        screens.storage.remove(options.oldCopyKey);
        this.source = new screens.Source({
          place: place,
          cacheKey: options.copyKey,
          onStatus: function (online) { self.setOnline(online); }
        });
      }
      this.loadHome(function (ready) {
        if (!ready) {
          self.showMessage('网络已断开，正在重连……');
          window.setTimeout(function () { self.boot(); }, BOOT_RETRY_MS);
          return;
        }
        shown();
      });
    };

    /* done(true) once the home answer is held (fresh or kept), done(false) if none. */
    proto.loadHome = function (done) {
      var self = this;
      var url = this.source.homeUrl(options.newest);
      this.source.latest('home', url, function (answer, fresh) {
        if (!answer) { done(false); return; }
        if (fresh) { self.source.keep('home', url, answer); }
        self[home] = answer;
        screens.wording.learn(answer);
        if (self.homeLoaded) { self.homeLoaded(answer); }
        self.noteAnswer(answer, options.everyHomeFirst || !self.live);
        done(true);
      });
    };

    /* Catch-up starts from the cursors of the first answer shown (docs/protocol.md). */
    proto.goLive = function () {
      var self = this;
      if (this.live) { return; }
      this.live = new screens.Live({
        token: this.settings.token,
        appVersion: options.appVersion,
        onChange: function (change) { self.onChange(change); },
        onResync: function () { self.resync(); },
        onStatus: function (online) { self.setOnline(online); },
        onRefused: function (message) { self.refused(message); }
      });
      this.live.reset(this[home].cursors, [], this[home].announcements);
      this.live.connect();
    };

    /* The server says the screen is too far behind: every answer held may have
     * missed changes, so none is shown again unasked; the home answer (for the
     * cursors) and what is on screen are loaded again, nothing else. An App may
     * have resynced(), called once they are. */
    proto.resync = function () {
      var self = this;
      this.source.noteChange();
      this.loadHome(function (ready) {
        if (!ready) { return; }
        self.live.reset(self[home].cursors, [], self[home].announcements);
        var view = self.current();
        if (view && view.reload) {
          view.reload();
        } else if (view && view.refresh) {
          view.refresh();
        }
        self.renderStatus();
        if (self.resynced) { self.resynced(); }
      });
    };

    /* An answer came: its announcements are the newest when it is ahead of the
     * cursors held, and then a sync brings the changes in between, so what was
     * loaded earlier catches up too (the changes apply once, by seq). */
    proto.noteAnswer = function (answer, first) {
      if (!answer || !answer.cursors) { return; }
      var held = this.live ? this.live.cursors : {};
      if (first || screens.held.ahead(answer.cursors, held)) {
        this.announcements.load(answer.announcements);
        if (this.live) { this.live.sync(); }
        if (this.stack.length) { this.renderStatus(); }
      }
    };

    /* The kind of a listing the screen holds anywhere, or null. */
    proto.kindOf = function (id) {
      var answers = [this[home], { items: this.arrivals.items }];
      for (var i = 0; i < this.stack.length; i++) {
        if (this.stack[i].answer) { answers.push(this.stack[i].answer); }
        if (this.stack[i].listing) { answers.push({ items: [this.stack[i].listing] }); }
      }
      for (var j = 0; j < answers.length; j++) {
        var at = screens.held.find(answers[j], id);
        if (at) { return at.listing.kind; }
      }
      return null;
    };

    /* In preview a view that registers someone is not opened: the button works as
     * on a live screen up to here, and the person is told, not moved. */
    proto.refusedInPreview = function (view) {
      if (!this.preview || !options.registering[view.name]) { return false; }
      this.previewNote = screens.preview.REFUSAL;
      this.renderStatus();
      return true;
    };
  }

  /* The status strip's parts both apps show, each null when not due: the offline
   * badge (in the app's words), the first announcement, and the preview's note. */
  function strip(app, offlineText) {
    var announcements = app.announcements.active();
    return {
      offline: app.online ? null : h('p', { className: 'badge badge-offline', text: offlineText }),
      banner: announcements.length ? h('p', { className: 'banner', text: '通知：' + announcements[0].text }) : null,
      preview: app.previewNote ? h('p', { className: 'badge badge-preview', text: app.previewNote }) : null
    };
  }

  screens.appBase = { install: install, strip: strip };
})(window);
