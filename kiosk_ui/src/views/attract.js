/* The attract loop: public listings, one after another, until someone touches
 * the screen. Never a name or a phone number. */
(function (window) {
  'use strict';

  var kiosk = window.kiosk;
  var screens = window.screens;
  var h = screens.dom.h;
  var wording = screens.wording;
  var SLIDE_MS = 8000;
  var SLIDES = 12;

  function AttractView(app) {
    this.app = app;
    this.name = 'attract';
    this.index = 0;
    this.timer = null;
    this.slideEl = null;
  }

  AttractView.prototype.render = function () {
    var app = this.app;
    var site = app.settings.site;
    this.slideEl = h('div', { className: 'slide', 'aria-live': 'off' });
    this.showSlide();
    var start = kiosk.ui.button([
      h('span', { className: 'start-big', text: '点一下，开始找工作' }),
      h('span', { className: 'start-small', text: '岗位 · 培训 · 补贴 · 现场登记，全部免费' })
    ], function () { app.home(); }, 'start');
    return {
      top: h('div', { className: 'heading' }, [
        h('p', { className: 'brand', text: '就享家 · 家门口的工作' }),
        h('h1', { text: site.name }),
        site.opening_hours ? h('p', { className: 'lead', text: '开放时间：' + site.opening_hours }) : null
      ]),
      main: h('div', { className: 'attract' }, [this.slideEl, start])
    };
  };

  /* The newest of each kind from the home answer, newest first. */
  AttractView.prototype.listings = function () {
    var kinds = (this.app.homeAnswer && this.app.homeAnswer.kinds) || {};
    var found = [];
    for (var kind in kinds) {
      if (kinds.hasOwnProperty(kind)) { found = found.concat(kinds[kind].newest || []); }
    }
    found.sort(function (a, b) {
      if (a.published_at === b.published_at) { return b.id - a.id; }
      return a.published_at < b.published_at ? 1 : -1;
    });
    return found.slice(0, SLIDES);
  };

  AttractView.prototype.showSlide = function () {
    var listings = this.listings();
    if (!listings.length) {
      screens.dom.replace(this.slideEl, h('p', { className: 'slide-title', text: '欢迎来到就享家' }));
      return;
    }
    var listing = listings[this.index % listings.length];
    screens.dom.replace(this.slideEl, [
      h('p', { className: 'slide-tag', text: wording.KIND_NAMES[listing.kind] + ' · ' + wording.tag(listing) }),
      h('p', { className: 'slide-title', text: listing.title }),
      h('p', { className: 'slide-key', text: wording.keyLine(listing) }),
      h('p', { className: 'slide-place', text: kiosk.ui.place(listing, this.app.settings.site) })
    ]);
  };

  AttractView.prototype.mounted = function () {
    var self = this;
    this.timer = window.setInterval(function () {
      self.index++;
      self.showSlide();
    }, SLIDE_MS);
  };

  AttractView.prototype.leave = function () { window.clearInterval(this.timer); };

  AttractView.prototype.onChange = function (change, current) {
    if (current) { this.showSlide(); }
    return false;
  };
  AttractView.prototype.refresh = function () { this.showSlide(); };

  kiosk.AttractView = AttractView;
})(window);
