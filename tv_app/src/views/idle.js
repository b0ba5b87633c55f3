/* After ten minutes without a key: the newest listings, one at a time, large
 * and slow, with no flashing. Any key brings the person back where they were. */
(function (window) {
  'use strict';

  var tv = window.tv = window.tv || {};
  var screens = window.screens;
  var h = screens.dom.h;
  var SHOW_MS = 12000;
  var COUNT = 8;

  function IdleView(app) {
    this.app = app;
    this.index = 0;
    this.timer = null;
    this.container = null;
  }

  IdleView.prototype.start = function (container) {
    var self = this;
    this.container = container;
    this.items = tv.HomeView.newest(this.app.home, COUNT);
    container.className = 'overlay is-open is-idle';
    this.show();
    this.timer = window.setInterval(function () {
      self.index = (self.index + 1) % Math.max(1, self.items.length);
      self.show();
    }, SHOW_MS);
  };

  IdleView.prototype.show = function () {
    var listing = this.items[this.index];
    var slide = listing
      ? h('div', { className: 'idle-slide', 'data-focus-layer': '' }, [
        h('p', { className: 'card-tag', text: tv.cards.KIND_NAMES[listing.kind] }),
        h('h1', { className: 'idle-title', text: listing.title }),
        h('p', { className: 'idle-key', text: tv.cards.keyLine(listing) }),
        h('p', { className: 'idle-place', text: tv.cards.place(listing, this.app.settings.community) }),
        h('p', { className: 'idle-hint', 'data-focusable': '', tabindex: '-1', text: '按遥控器任意键返回' })
      ])
      : h('div', { className: 'idle-slide', 'data-focus-layer': '' }, [
        h('p', { className: 'idle-hint', 'data-focusable': '', tabindex: '-1', text: '按遥控器任意键返回' })
      ]);
    screens.dom.replace(this.container, slide);
    this.app.focus.ensure();
  };

  IdleView.prototype.stop = function () {
    window.clearInterval(this.timer);
  };

  tv.IdleView = IdleView;
})(window);
