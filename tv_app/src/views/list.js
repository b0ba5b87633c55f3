/* A list of listings: at most six a screen, paged, with filters. */
(function (window) {
  'use strict';

  var tv = window.tv = window.tv || {};
  var screens = window.screens;
  var h = screens.dom.h;
  var PER_PAGE = 6;
  var COLUMNS = 2;

  var FILTERS = {
    job: [['', '全部'], ['piece_rate', '计件'], ['gig', '零工'], ['mom_friendly', '妈妈岗'],
      ['public_welfare', '公益性岗位'], ['full_or_part_time', '全职/兼职']],
    training: [['', '全部'], ['free', '免费培训']]
  };

  /* options: {kind} for a kind's list, or {fresh: [listings]} for what is new. */
  function ListView(app, options) {
    this.app = app;
    this.name = 'list';
    this.kind = options.kind || null;
    this.fresh = options.fresh || null;
    this.filter = '';
    this.page = 0;
  }

  ListView.prototype.items = function () {
    if (this.fresh) {
      var catalogue = this.app.catalogue;
      var kept = [];
      for (var i = 0; i < this.fresh.length; i++) {
        var current = catalogue.get(this.fresh[i].id);
        if (current) { kept.push(current); }
      }
      return kept;
    }
    var filter = { kind: this.kind };
    if (this.filter === 'free') { filter.free = true; } else if (this.filter) { filter.category = this.filter; }
    return this.app.catalogue.list(filter);
  };

  ListView.prototype.title = function (count) {
    if (this.fresh) { return count ? '新信息（' + count + '条）' : '暂时没有新信息'; }
    return tv.cards.KIND_NAMES[this.kind] + '（共' + count + '条）';
  };

  ListView.prototype.render = function (container) {
    var app = this.app;
    var items = this.items();
    var pages = Math.max(1, Math.ceil(items.length / PER_PAGE));
    this.page = Math.min(this.page, pages - 1);
    var shown = items.slice(this.page * PER_PAGE, (this.page + 1) * PER_PAGE);
    var grid = h('div', { className: 'grid grid-cards', 'data-focus-container': '' });
    for (var i = 0; i < shown.length; i++) {
      grid.appendChild(tv.cards.card(shown[i], app.settings.community, function (listing) {
        app.openDetail(listing);
      }));
    }
    if (!shown.length) {
      grid.appendChild(tv.cards.button(this.filter ? '没有符合的信息，按确定看全部' : '暂时没有信息，按确定回首页',
        'empty', this.filter ? this.chooser('') : function () { app.goHome(); }, 'empty'));
    }
    screens.dom.append(container, [
      h('h1', { className: 'title', text: this.title(items.length) }),
      this.filters(),
      grid,
      h('p', { className: 'pager', text: pages > 1
        ? '第' + (this.page + 1) + '/' + pages + '页 · 上下键或翻页键翻页' : '' }),
      h('p', { className: 'hints', text: '确定键：看详情 · 返回键：上一步 · 0：首页' })
    ]);
    return grid.firstChild;
  };

  ListView.prototype.filters = function () {
    var options = this.kind && FILTERS[this.kind];
    if (!options) { return null; }
    var row = h('div', { className: 'filters', 'data-focus-container': '', role: 'group', 'aria-label': '筛选' });
    for (var i = 0; i < options.length; i++) {
      var chosen = options[i][0] === this.filter;
      var chip = tv.cards.button(options[i][1], 'filter-' + (options[i][0] || 'all'), this.chooser(options[i][0]),
        'chip' + (chosen ? ' is-chosen' : ''));
      chip.setAttribute('aria-pressed', chosen ? 'true' : 'false');
      row.appendChild(chip);
    }
    return row;
  };

  ListView.prototype.chooser = function (value) {
    var self = this;
    return function () {
      self.filter = value;
      self.page = 0;
      self.app.render(self, 'filter-' + (value || 'all'));
    };
  };

  ListView.prototype.turn = function (delta, column) {
    var pages = Math.ceil(this.items().length / PER_PAGE);
    var next = this.page + delta;
    if (next < 0 || next >= pages) { return false; }
    this.page = next;
    this.app.render(this);
    // Land in the same column: top row going forward, bottom row going back.
    var cards = this.app.screenEl.querySelectorAll('.grid-cards .card');
    var index = delta > 0 ? column : Math.min(cards.length - 1, (Math.ceil(cards.length / COLUMNS) - 1) * COLUMNS + column);
    if (cards[index] || cards[0]) { this.app.focus.focus(cards[index] || cards[0]); }
    return true;
  };

  ListView.prototype.position = function () {
    var focused = this.app.focus.current;
    var cards = this.app.screenEl.querySelectorAll('.grid-cards .card');
    for (var i = 0; i < cards.length; i++) {
      if (cards[i] === focused) { return { index: i, column: i % COLUMNS, row: Math.floor(i / COLUMNS) }; }
    }
    return null;
  };

  ListView.prototype.handleKey = function (action) {
    var at = this.position();
    if (action === 'pageDown') { this.turn(1, at ? at.column : 0); return true; }
    if (action === 'pageUp') { this.turn(-1, at ? at.column : 0); return true; }
    if (!at) { return false; }
    var lastRow = Math.ceil(this.app.screenEl.querySelectorAll('.grid-cards .card').length / COLUMNS) - 1;
    if (action === 'down' && at.row === lastRow) { this.turn(1, at.column); return true; }
    if (action === 'up' && at.row === 0 && this.page > 0) { return this.turn(-1, at.column); }
    return false;
  };

  /* Waiting listings stay behind the notice; edits and removals show in place,
   * and focus stays on the same listing or its nearest neighbour. */
  ListView.prototype.onChange = function (result) {
    if (result === 'updated' || result === 'removed') { this.refresh(); }
  };

  ListView.prototype.refresh = function () {
    var focused = this.app.focus.current;
    var key = focused ? focused.getAttribute('data-key') : null;
    var rect = this.app.focus.lastRect;
    this.app.render(this, key);
    if (key && !this.app.stage.querySelector('[data-key="' + key + '"]')) {
      this.app.focus.current = null;
      this.app.focus.lastRect = rect;
      this.app.focus.ensure();
    }
  };

  tv.ListView = ListView;
})(window);
