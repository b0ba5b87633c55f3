/* Home: the four kinds with their true counts, search, and the newest listings
 * near home, all from one answer of /api/home (app.home). A listing withdrawn
 * or expired while the row shows it stays in its place, 已下架, until the home
 * answer is asked for again; its kind's count drops at once. */
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
    // The newest row as shown: taken from this home answer, changed in place
    // since (app.home itself drops a listing that is gone, for the idle screen).
    this.row = null;
    this.rowOf = null;
  }

  function newestFirst(a, b) {
    if (a.published_at === b.published_at) { return b.id - a.id; }
    return a.published_at < b.published_at ? 1 : -1;
  }

  /* The newest few of all kinds: the top of each kind's newest, merged. */
  HomeView.newest = function (home, count) {
    var all = [];
    for (var i = 0; home && i < KINDS.length; i++) {
      var kind = home.kinds[KINDS[i][0]];
      if (kind) { all = all.concat(kind.newest); }
    }
    return all.sort(newestFirst).slice(0, count);
  };

  /* The listings of the newest row, as held since the home answer came. */
  HomeView.prototype.newestRow = function () {
    var home = this.app.home;
    if (this.rowOf !== home) {
      this.rowOf = home;
      this.row = { items: HomeView.newest(home, NEWEST), cursors: home && home.cursors };
    }
    return this.row.items;
  };

  HomeView.prototype.render = function (container) {
    var app = this.app;
    var tiles = h('div', { className: 'kinds', 'data-focus-container': '' });
    for (var i = 0; i < KINDS.length; i++) {
      tiles.appendChild(this.tile(KINDS[i][0], KINDS[i][1]));
    }
    tiles.appendChild(this.searchTile());
    var newest = this.newestRow();
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
      h('p', { className: 'hints', text: '数字键：1岗位 2培训 3补贴 4活动 5搜索 0首页 · 红键：新信息 · 返回键：退出' })
    ]);
    return tiles.firstChild;
  };

  HomeView.prototype.tile = function (kind, digit) {
    var app = this.app;
    var count = app.home && app.home.kinds[kind] ? app.home.kinds[kind].total : 0;
    var element = tv.cards.button('', 'kind-' + kind, function () { app.openList(kind); }, 'tile tile-' + kind);
    screens.dom.append(element, [
      h('span', { className: 'tile-digit', text: String(digit) }),
      h('span', { className: 'tile-name', text: tv.cards.KIND_NAMES[kind] }),
      h('span', { className: 'tile-count', text: '共' + count + '条' })
    ]);
    return element;
  };

  HomeView.prototype.searchTile = function () {
    var app = this.app;
    var element = tv.cards.button('', 'search', function () { app.openSearch(); }, 'tile tile-search');
    screens.dom.append(element, [
      h('span', { className: 'tile-digit', text: '5' }),
      h('span', { className: 'tile-name', text: '搜索' }),
      h('span', { className: 'tile-count', text: '按拼音首字母' })
    ]);
    return element;
  };

  /* A live change to a listing in the row: an edit shows in place, a withdrawn
   * or expired one stays where it was, 已下架, so no card moves and focus
   * stays. The app applies changes to app.home (the counts), and redraws. */
  HomeView.prototype.onChange = function (change) {
    this.newestRow();
    return !!screens.held.apply(this.row, change, true);
  };

  /* New listings wait behind the notice. */
  HomeView.prototype.refresh = function () {
    this.app.redraw(this);
  };

  HomeView.prototype.reload = function () { this.refresh(); };

  tv.HomeView = HomeView;
})(window);
