/* Home: the four kinds, and the newest listings near home. */
(function (window) {
  'use strict';

  var tv = window.tv = window.tv || {};
  var screens = window.screens;
  var h = screens.dom.h;
  var format = window.screens.format;
  var KINDS = [['job', 1], ['training', 2], ['subsidy', 3], ['event', 4]];
  var NEWEST = 3;

  function HomeView(app) {
    this.app = app;
    this.name = 'home';
  }

  HomeView.prototype.render = function (container) {
    var app = this.app;
    var tiles = h('div', { className: 'kinds', 'data-focus-container': '' });
    for (var i = 0; i < KINDS.length; i++) {
      tiles.appendChild(this.tile(KINDS[i][0], KINDS[i][1]));
    }
    var newest = app.catalogue.list().slice(0, NEWEST);
    var row = h('div', { className: 'row-cards', 'data-focus-container': '' });
    for (var j = 0; j < newest.length; j++) {
      row.appendChild(tv.cards.card(newest[j], app.settings.community, function (listing) {
        app.openDetail(listing);
      }));
    }
    screens.dom.append(container, [
      h('header', { className: 'topbar' }, [
        h('h1', { className: 'brand', text: '就享家 · ' + app.settings.community.name }),
        h('p', { className: 'today', text: '今天 ' + format.dateTime(new Date().toISOString(), false) })
      ]),
      tiles,
      h('h2', { className: 'section', text: newest.length ? '家门口的新信息' : '暂时还没有新信息' }),
      row,
      h('p', { className: 'hints', text: '数字键：1岗位 2培训 3补贴 4活动 0首页 · 红键：新信息 · 返回键：退出' })
    ]);
    return tiles.firstChild;
  };

  HomeView.prototype.tile = function (kind, digit) {
    var app = this.app;
    var count = app.catalogue.list({ kind: kind }).length;
    var element = tv.cards.button('', 'kind-' + kind, function () { app.openList(kind); }, 'tile tile-' + kind);
    screens.dom.append(element, [
      h('span', { className: 'tile-digit', text: String(digit) }),
      h('span', { className: 'tile-name', text: tv.cards.KIND_NAMES[kind] }),
      h('span', { className: 'tile-count', text: '共' + count + '条' })
    ]);
    return element;
  };

  /* New listings wait behind the notice; changes and removals show at once. */
  HomeView.prototype.onChange = function (result) {
    if (result === 'updated' || result === 'removed') { this.refresh(); }
  };

  HomeView.prototype.refresh = function () {
    var focused = this.app.focus.current;
    this.app.render(this, focused ? focused.getAttribute('data-key') : null);
  };

  tv.HomeView = HomeView;
})(window);
