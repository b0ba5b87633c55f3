/* Listings by touch: kind, the filters people ask for and the order, a page at
 * a time (no drag-only scrolling), each page asked of the server with exactly
 * the cards that fit and true totals; new listings held behind a notice while
 * someone reads, and withdrawn ones kept in their place, 已下架. */
(function (window) {
  'use strict';

  var kiosk = window.kiosk;
  var screens = window.screens;
  var h = screens.dom.h;
  var ui = kiosk.ui;

  var KINDS = [['', '全部'], ['job', '岗位'], ['training', '培训'], ['subsidy', '补贴'], ['event', '活动']];
  var CATEGORIES = [
    ['', '全部岗位'], ['full_or_part_time', '全职/兼职'], ['piece_rate', '计件'],
    ['gig', '零工'], ['mom_friendly', '妈妈岗'], ['public_welfare', '公益岗']
  ];

  // Jobs come nearest the station first: the programme brings work to the doorstep.
  var SORTS = {
    job: [['nearest', '离本站近的在前'], ['newest', '新发布的在前'], ['closing', '快截止的在前']],
    other: [['newest', '新发布的在前'], ['nearest', '离本站近的在前'], ['closing', '快截止的在前']]
  };

  // At most four cards a page; fewer when long titles or the filters leave less
  // room above the pager and the bar (see mounted): nothing ever needs a drag.
  // The server is asked for exactly the cards that fit.
  var PAGE_SIZE = 4;

  function sortsOf(kind) { return SORTS[kind === 'job' ? 'job' : 'other']; }

  /* filter: {kind, category, free, sort, query}, each optional; local: a list
   * held on the screen (the new listings, a staff preview), paged here. */
  function BrowseView(app, filter, local) {
    this.app = app;
    this.name = 'browse';
    this.filter = filter || {};
    if (!this.filter.sort) { this.filter.sort = sortsOf(this.filter.kind)[0][0]; }
    this.local = local || null;
    this.fresh = !!(local && this.filter.fresh);
    this.page = 0;
    this.perPage = PAGE_SIZE;
    // The answer on hand: {items, total, page, per_page}.
    this.answer = this.local ? { items: this.local, total: this.local.length, page: 1, per_page: this.local.length } : null;
    this.offline = false;
    this.loading = false;
    this.holdsNewListings = !this.local;
  }

  BrowseView.prototype.params = function (page, perPage) {
    var filter = this.filter;
    return {
      kind: filter.kind,
      category: filter.category,
      free: filter.free ? 'true' : '',
      q: filter.query,
      sort: filter.query ? '' : filter.sort,
      page: page + 1,
      per_page: perPage
    };
  };

  BrowseView.prototype.url = function (page, perPage) {
    return this.app.source.feedUrl(this.params(page, perPage || this.perPage));
  };

  /* The first page of a kind as its list opens, kept for a start without network. */
  BrowseView.keepFirstPage = function (app, kind) {
    var url = new BrowseView(app, { kind: kind }).url(0);
    app.source.get(url, function (answer, fresh) {
      if (fresh && answer) { app.source.keep('page', url, answer); }
    });
  };

  /* Whether the answer on hand holds the cards of this.page. */
  BrowseView.prototype.covers = function () {
    var answer = this.answer;
    if (!answer) { return false; }
    if (this.local) { return true; }
    var from = (answer.page - 1) * answer.per_page;
    var want = this.page * this.perPage;
    var end = Math.min(want + this.perPage, answer.total);
    return want >= from && end <= from + answer.per_page;
  };

  /* The cards of this.page out of the answer on hand. */
  BrowseView.prototype.shown = function () {
    if (!this.answer) { return []; }
    var from = this.local ? 0 : (this.answer.page - 1) * this.answer.per_page;
    var want = this.page * this.perPage - from;
    return this.answer.items.slice(want, want + this.perPage);
  };

  /* Ask the server for this.page (the newest question wins), then show it. */
  BrowseView.prototype.fetch = function () {
    var self = this;
    var app = this.app;
    var page = this.page;
    var perPage = this.perPage;
    var url = this.url(page, perPage);
    // A list opened afresh (or with other filters) comes with what arrived
    // until now: the notice is for what comes while it is read.
    if (!this.answer) { app.arrivals.clear(); }
    this.loading = true;
    app.source.latest('browse', url, function (answer, fresh) {
      self.loading = false;
      if (!answer) {
        self.answer = self.answer || { items: [], total: 0, page: 1, per_page: perPage };
        self.offline = true;
      } else {
        self.answer = answer;
        self.offline = !fresh;
        if (fresh) {
          var first = !self.filter.category && !self.filter.free && !self.filter.query &&
            self.filter.sort === sortsOf(self.filter.kind)[0][0];
          if (page === 0 && perPage === PAGE_SIZE && first && self.filter.kind) { app.source.keep('page', url, answer); }
          app.noteAnswer(answer);
          if ((page + 1) * perPage < answer.total) { app.source.prefetch(self.url(page + 1, perPage)); }
        }
      }
      if (app.current() === self) { app.refresh(); }
    });
  };

  /* Reload what is on screen (a resync): the same page asked again. */
  BrowseView.prototype.reload = function () {
    if (this.local) { this.app.refresh(); return; }
    this.fetch();
  };

  BrowseView.prototype.title = function () {
    var filter = this.filter;
    var names = { job: '找工作', training: '学技能', subsidy: '补贴政策', event: '招聘活动' };
    var title = names[filter.kind] || '全部信息';
    if (filter.query) { title = '搜索“' + filter.query + '”'; }
    if (this.fresh) { title = '新信息'; }
    return title;
  };

  BrowseView.prototype.set = function (change) {
    for (var name in change) { if (change.hasOwnProperty(name)) { this.filter[name] = change[name]; } }
    if (!this.filter.sort) { this.filter.sort = sortsOf(this.filter.kind)[0][0]; }
    this.page = 0;
    this.perPage = PAGE_SIZE;
    this.answer = null;
    this.fetch();
    this.app.refresh();
  };

  BrowseView.prototype.filters = function () {
    var self = this;
    var filter = this.filter;
    var choices = kiosk.choices.choices;
    if (this.local) { return null; }
    return h('div', { className: 'filters' }, [
      choices('类型', KINDS, filter.kind || '', false, function (kind) {
        self.set({ kind: kind || undefined, category: undefined, free: undefined, sort: undefined });
      }),
      filter.kind === 'job' ? choices('岗位类别', CATEGORIES, filter.category || '', false, function (category) {
        self.set({ category: category || undefined });
      }) : null,
      filter.kind === 'training' ? choices('筛选', [['free', '只看免费']], filter.free ? ['free'] : [], true,
        function (selected) { self.set({ free: selected.indexOf('free') >= 0 }); }) : null,
      filter.query ? null : choices('排序', sortsOf(filter.kind), filter.sort, false, function (sort) {
        self.set({ sort: sort });
      })
    ]);
  };

  BrowseView.prototype.lead = function () {
    if (!this.answer) { return '正在载入……'; }
    var names = {};
    sortsOf(this.filter.kind).forEach(function (sort) { names[sort[0]] = sort[1]; });
    var order = this.local || this.filter.query ? '' : '，' + names[this.filter.sort];
    return '共' + this.answer.total + '条' + order + (this.offline ? '（网络已断开，这是保存的信息）' : '');
  };

  BrowseView.prototype.render = function () {
    var app = this.app;
    return {
      top: h('div', { className: 'heading' }, [
        h('h1', { text: this.title() }),
        h('p', { className: 'lead', text: this.lead() })
      ]),
      main: [
        h('div', { className: 'browse' }, [this.filters(), this.notice(), this.results()]),
        ui.nav(app, { extra: ui.button('搜索', function () { app.show(new kiosk.SearchView(app)); }, 'nav-search') })
      ]
    };
  };

  /* Listings published since the person came: a button in a slot kept for it
   * whether or not there is news, so its coming moves no card (and never makes
   * the page too long, which would take a card off it). */
  BrowseView.prototype.notice = function () {
    var app = this.app;
    if (!this.holdsNewListings) { return null; }
    var waiting = app.arrivals.count;
    return h('div', { className: 'notice-slot' }, waiting ? ui.button('有' + waiting + '条新信息，点这里查看', function () {
      app.show(new BrowseView(app, { fresh: true }, app.arrivals.take()));
    }, 'notice-new') : null);
  };

  BrowseView.prototype.results = function () {
    var self = this;
    var app = this.app;
    var size = this.perPage;
    var total = this.answer ? this.answer.total : 0;
    var pages = Math.max(1, Math.ceil(total / size));
    var shown = this.covers() ? this.shown() : [];
    function open(listing) { app.show(new kiosk.DetailView(app, listing)); }
    function turn(step) {
      self.page += step;
      if (!self.covers()) { self.fetch(); }
      app.refresh();
    }
    var body;
    if (!shown.length && (!this.answer || this.loading)) {
      body = h('p', { className: 'empty', text: '正在载入……' });
    } else if (shown.length) {
      body = h('div', { className: 'cards' }, shown.map(function (listing) {
        return ui.card(listing, app.settings.site, open);
      }));
    } else {
      body = h('p', { className: 'empty', text: '暂时没有符合条件的信息，换个条件试试，或者登记求职，工作人员会帮您找。' });
    }
    return h('div', { className: 'results' }, [
      body,
      pages > 1 ? h('div', { className: 'pager' }, [
        ui.button('上一页', function () { turn(-1); }, 'secondary',
          { disabled: this.page === 0 ? 'disabled' : null }),
        h('p', { className: 'pager-where', text: '第' + (this.page + 1) + '页，共' + pages + '页' }),
        ui.button('下一页', function () { turn(1); }, 'secondary',
          { disabled: this.page >= pages - 1 ? 'disabled' : null })
      ]) : null
    ]);
  };

  /* Shown first: the first page asked for. Too long for the screen: one card
   * fewer a page, keeping the first card shown (asked again if not on hand). */
  BrowseView.prototype.mounted = function () {
    if (!this.answer && !this.loading) {
      this.fetch();
      return;
    }
    if (this.covers() && this.perPage > 1 && this.app.overflows()) {
      var first = this.page * this.perPage;
      this.perPage--;
      this.page = Math.floor(first / this.perPage);
      if (!this.covers()) { this.fetch(); }
      this.app.refresh();
    }
  };

  /* A live change: the page on screen changes in place (a withdrawn or expired
   * listing stays where it was, 已下架, and leaves the count); a new one waits
   * behind the notice. Returns whether this view holds the listing. */
  BrowseView.prototype.onChange = function (change, current) {
    var result = screens.held.apply(this.answer, change, true);
    if (current) { this.app.refresh(); }
    return !!result;
  };

  BrowseView.prototype.refresh = function () { this.app.refresh(); };

  kiosk.BrowseView = BrowseView;
})(window);
