/* A list of listings: at most six a screen, each page asked of the server with
 * its filters and order as the listings after the last card of the page before
 * (the next one fetched ahead), true totals. The new listings behind the notice
 * and a staff preview are lists held on the screen. A listing withdrawn while
 * its page is shown stays where it was, 已下架; pages already shown are shown
 * again as they were (held.Pages). */
(function (window) {
  'use strict';

  var tv = window.tv = window.tv || {};
  var screens = window.screens;
  var h = screens.dom.h;
  var held = screens.held;
  var PER_PAGE = 6;
  var COLUMNS = 2;

  // The filters each kind offers; categories are named as the server names them.
  var FILTERS = {
    job: ['', 'piece_rate', 'gig', 'mom_friendly', 'public_welfare', 'full_or_part_time'],
    training: ['', 'free']
  };
  var FILTER_NAMES = { '': '全部', free: '免费培训' };

  function filterName(value) {
    return FILTER_NAMES.hasOwnProperty(value) ? FILTER_NAMES[value] : screens.wording.categoryName(value);
  }
  // Jobs come nearest first: the programme brings work to the doorstep.
  var SORTS = {
    job: ['nearest', 'newest', 'closing'],
    other: ['newest', 'closing']
  };
  var SORT_NAMES = { nearest: '离家近的在前', newest: '新发布的在前', closing: '快截止的在前' };

  /* options: {kind} for a kind's list (asked of the server), {fresh: [listings]}
   * for what is new, {kind, items: [listings]} for a staff preview. */
  function ListView(app, options) {
    this.app = app;
    this.name = 'list';
    this.kind = options.kind || null;
    this.fresh = options.fresh || null;
    // Held on the screen, paged here: the new listings, or a preview's one.
    this.local = this.fresh || options.items || null;
    this.filter = '';
    this.sort = sortsOf(this.kind)[0];
    this.page = 0;
    this.answer = this.local ? { items: this.local, total: this.local.length } : null;
    this.paging = new held.Pages();
    this.offline = false;
  }

  function sortsOf(kind) { return SORTS[kind === 'job' ? 'job' : 'other']; }

  /* The question for a page: the one after `after` (none for the first). */
  ListView.prototype.params = function (after) {
    return {
      kind: this.kind,
      category: this.filter && this.filter !== 'free' ? this.filter : '',
      free: this.filter === 'free' ? 'true' : '',
      sort: this.sort,
      after: after,
      per_page: PER_PAGE
    };
  };

  ListView.prototype.url = function (after) { return this.app.source.feedUrl(this.params(after)); };

  /* The first page of a kind as its list opens, kept for a start without network. */
  ListView.keepFirstPage = function (app, kind) {
    var url = new ListView(app, { kind: kind }).url(null);
    app.source.get(url, function (answer, fresh) {
      if (fresh && answer) { app.source.keep('page', url, answer); }
    });
  };

  /* Show a page: as it was shown before if it is kept, else asked of the server
   * after the last card of the page before it. `paging` is this.paging, or a
   * new one for other filters or another order, taken once its first page
   * comes. done(true) once this.answer holds the page, done(false) when the
   * server is away and no copy was kept, or nothing follows after all (the
   * view stays as it was). */
  ListView.prototype.fetch = function (page, done, paging) {
    var self = this;
    var app = this.app;
    paging = paging || this.paging;
    var kept = paging.get(page);
    if (kept) {
      this.showPage(paging, page, kept, !this.offline);
      done(true);
      return;
    }
    var url = this.url(paging.after(page));
    app.source.latest('list', url, function (answer, fresh) {
      // Everything after the page before was withdrawn meanwhile: it is the last.
      if (answer && page > 0 && !answer.items.length) { paging.end(page - 1); }
      if (!answer || (page > 0 && !answer.items.length)) { done(false); return; }
      paging.put(page, answer, fresh);
      self.showPage(paging, page, answer, fresh);
      if (fresh) {
        if (page === 0 && !self.filter && self.sort === sortsOf(self.kind)[0]) { app.source.keep('page', url, answer); }
        app.noteAnswer(answer);
      }
      done(true);
    });
  };

  ListView.prototype.showPage = function (paging, page, answer, fresh) {
    this.paging = paging;
    this.answer = answer;
    this.page = page;
    this.offline = !fresh;
    // The next page ahead, so a step paints at once.
    if (fresh && paging.hasNext(page) && !paging.get(page + 1)) {
      this.app.source.prefetch(this.url(paging.after(page + 1)));
    }
  };

  /* Before the list is first shown: its first page (app.open). Without network
   * and without a kept copy it still opens, and says so. */
  ListView.prototype.load = function (done) {
    var self = this;
    if (this.local) { done(); return; }
    this.fetch(0, function (ok) {
      if (!ok) {
        self.answer = { items: [], total: 0 };
        self.offline = true;
      }
      done();
    });
  };

  /* The pages of the live listings, and never fewer than the one on screen,
   * which may hold only cards kept as 已下架. A held list pages all it holds. */
  ListView.prototype.pages = function () {
    if (this.local) { return Math.max(1, Math.ceil(this.local.length / PER_PAGE)); }
    return this.paging.count(this.page, PER_PAGE);
  };

  /* The live listings in the list: the newest answer's, moved by changes. */
  ListView.prototype.total = function () {
    return this.local ? this.answer.total : this.paging.total;
  };

  ListView.prototype.shown = function () {
    var items = this.answer ? this.answer.items : [];
    return this.local ? items.slice(this.page * PER_PAGE, (this.page + 1) * PER_PAGE) : items;
  };

  ListView.prototype.title = function (count) {
    if (this.fresh) { return count || this.local.length ? '新信息（' + count + '条）' : '暂时没有新信息'; }
    var title = tv.cards.KIND_NAMES[this.kind] + '（共' + count + '条';
    return title + (this.local ? '' : '，' + SORT_NAMES[this.sort]) + '）';
  };

  ListView.prototype.render = function (container) {
    var app = this.app;
    var pages = this.pages();
    var shown = this.shown();
    var grid = h('div', { className: 'grid grid-cards', 'data-focus-container': '' });
    for (var i = 0; i < shown.length; i++) {
      grid.appendChild(tv.cards.card(shown[i], app.settings.community, function (listing) {
        app.openDetail(listing);
      }));
    }
    if (!shown.length) {
      grid.appendChild(this.emptyButton());
    }
    var hints = '确定键：看详情 · ' + (this.local ? '' : '黄键：换排序 · ') + '返回键：上一步 · 0：首页';
    screens.dom.append(container, [
      h('h1', { className: 'title', text: this.title(this.total()) }),
      this.filters(),
      grid,
      h('p', { className: 'pager', text: pages > 1
        ? '第' + (this.page + 1) + '/' + pages + '页 · 上下键或翻页键翻页' : '' }),
      h('p', { className: 'hints', text: hints })
    ]);
    return grid.firstChild;
  };

  ListView.prototype.emptyButton = function () {
    var app = this.app;
    if (this.offline) {
      return tv.cards.button('网络已断开，这一页暂时看不到，按确定回首页', 'empty', function () { app.goHome(); }, 'empty');
    }
    if (this.filter) {
      return tv.cards.button('没有符合的信息，按确定看全部', 'empty', this.chooser(''), 'empty');
    }
    return tv.cards.button('暂时没有信息，按确定回首页', 'empty', function () { app.goHome(); }, 'empty');
  };

  ListView.prototype.filters = function () {
    var options = this.kind && !this.local && FILTERS[this.kind];
    if (!options) { return null; }
    var row = h('div', { className: 'filters', 'data-focus-container': '', role: 'group', 'aria-label': '筛选' });
    for (var i = 0; i < options.length; i++) {
      var chosen = options[i] === this.filter;
      var chip = tv.cards.button(filterName(options[i]), 'filter-' + (options[i] || 'all'), this.chooser(options[i]),
        'chip' + (chosen ? ' is-chosen' : ''));
      chip.setAttribute('aria-pressed', chosen ? 'true' : 'false');
      row.appendChild(chip);
    }
    return row;
  };

  /* A filter chosen: its first page from the server, focus kept on the chip. */
  ListView.prototype.chooser = function (value) {
    var self = this;
    return function () {
      var before = self.filter;
      var resume = self.app.hold();
      self.filter = value;
      self.fetch(0, function (ok) {
        if (!ok) {
          self.filter = before;
        } else if (self.app.current() === self) {
          self.app.render(self, 'filter-' + (value || 'all'));
        }
        resume();
      }, new held.Pages());
    };
  };

  /* The yellow key: the next order (jobs: nearest, newest, closing soon). */
  ListView.prototype.nextSort = function () {
    var self = this;
    var sorts = sortsOf(this.kind);
    var before = this.sort;
    var focused = this.app.focus.current;
    var key = focused ? focused.getAttribute('data-key') : null;
    var resume = this.app.hold();
    this.sort = sorts[(sorts.indexOf(this.sort) + 1) % sorts.length];
    this.fetch(0, function (ok) {
      if (!ok) {
        self.sort = before;
      } else if (self.app.current() === self) {
        self.app.render(self, key && key.indexOf('filter-') === 0 ? key : null);
      }
      resume();
    }, new held.Pages());
  };

  ListView.prototype.turn = function (delta, column) {
    var self = this;
    var next = this.page + delta;
    if (next < 0 || next >= this.pages()) { return false; }
    if (delta > 0 && !this.local && !this.paging.hasNext(this.page)) { return false; }
    function land() {
      self.app.render(self);
      // Land in the same column: top row going forward, bottom row going back.
      var cards = self.app.screenEl.querySelectorAll('.grid-cards .card');
      var index = delta > 0 ? column : Math.min(cards.length - 1, (Math.ceil(cards.length / COLUMNS) - 1) * COLUMNS + column);
      if (cards[index] || cards[0]) { self.app.focus.focus(cards[index] || cards[0]); }
    }
    if (this.local) {
      this.page = next;
      land();
    } else {
      var resume = this.app.hold();
      this.fetch(next, function (ok) {
        if (self.app.current() === self) {
          // Not turned: the pager says so (nothing follows after all).
          if (ok) { land(); } else { self.refresh(); }
        }
        resume();
      });
    }
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
    if (action === 'yellow' && !this.local) { this.nextSort(); return true; }
    if (action === 'pageDown') { this.turn(1, at ? at.column : 0); return true; }
    if (action === 'pageUp') { this.turn(-1, at ? at.column : 0); return true; }
    if (!at) { return false; }
    var lastRow = Math.ceil(this.app.screenEl.querySelectorAll('.grid-cards .card').length / COLUMNS) - 1;
    if (action === 'down' && at.row === lastRow) { this.turn(1, at.column); return true; }
    if (action === 'up' && at.row === 0 && this.page > 0) { return this.turn(-1, at.column); }
    return false;
  };

  /* A live change to the page held: an edit shows in place; a withdrawn or
   * expired listing stays in its place, 已下架, and leaves the count; nothing
   * moves, focus included. New listings wait behind the notice. Returns whether
   * the page holds it. */
  ListView.prototype.onChange = function (change, onScreen) {
    var result = this.local ? held.apply(this.answer, change, true) : this.paging.apply(change);
    if (result && onScreen) { this.refresh(); }
    return !!result;
  };

  ListView.prototype.refresh = function () {
    this.app.redraw(this);
  };

  /* After a resync: the page on screen asked for again. */
  ListView.prototype.reload = function () {
    var self = this;
    if (this.local) { this.refresh(); return; }
    this.paging.forget();
    this.fetch(this.page, function (ok) { if (ok) { self.refresh(); } });
  };

  tv.ListView = ListView;
})(window);
