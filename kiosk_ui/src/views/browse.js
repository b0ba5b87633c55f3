/* Listings by touch: kind, the filters people ask for and the order, a page at
 * a time (no drag-only scrolling), each page asked of the server with exactly
 * the cards that fit and true totals, as the listings after the last card of
 * the page before (held.Pages: pages already shown come back as they were);
 * new listings held behind a notice while someone reads, and withdrawn ones
 * kept in their place, 已下架. */
(function (window) {
  'use strict';

  var kiosk = window.kiosk;
  var screens = window.screens;
  var h = screens.dom.h;
  var ui = kiosk.ui;

  // The kinds and job categories offered, named as the server names them.
  var KINDS = ['job', 'training', 'subsidy', 'event'];
  var CATEGORIES = ['full_or_part_time', 'piece_rate', 'gig', 'mom_friendly', 'public_welfare'];

  function kindChoices() {
    return [['', '全部']].concat(KINDS.map(function (kind) { return [kind, screens.wording.KIND_NAMES[kind]]; }));
  }

  function categoryChoices() {
    return [['', '全部岗位']].concat(CATEGORIES.map(function (category) {
      return [category, screens.wording.categoryName(category)];
    }));
  }

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
    // The answer of the page on screen; a held list is one answer paged here.
    this.answer = this.local ? { items: this.local, total: this.local.length } : null;
    this.paging = new screens.held.Pages();
    this.offline = false;
    this.loading = false;
    this.holdsNewListings = !this.local;
  }

  /* The question for a page: the `perPage` listings after `after` (none for
   * the first page). */
  BrowseView.prototype.params = function (after, perPage) {
    var filter = this.filter;
    return {
      kind: filter.kind,
      category: filter.category,
      free: filter.free ? 'true' : '',
      q: filter.query,
      sort: filter.query ? '' : filter.sort,
      after: after,
      per_page: perPage
    };
  };

  BrowseView.prototype.url = function (after, perPage) {
    return this.app.source.feedUrl(this.params(after, perPage || this.perPage));
  };

  /* The first page of a kind as its list opens, kept for a start without network. */
  BrowseView.keepFirstPage = function (app, kind) {
    var url = new BrowseView(app, { kind: kind }).url(null);
    app.source.get(url, function (answer, fresh) {
      if (fresh && answer) { app.source.keep('page', url, answer); }
    });
  };

  /* Whether the cards of this.page are on hand. */
  BrowseView.prototype.covers = function () {
    return this.local ? !!this.answer : !!this.paging.get(this.page);
  };

  /* The cards of this.page. */
  BrowseView.prototype.shown = function () {
    if (!this.local) { return this.paging.items(this.page); }
    return this.local.slice(this.page * this.perPage, (this.page + 1) * this.perPage);
  };

  /* The live listings in the list: the newest answer's, moved by changes. */
  BrowseView.prototype.total = function () {
    if (this.local) { return this.answer.total; }
    return this.answer ? this.paging.total : 0;
  };

  /* Ask the server for this.page, the listings after the last card of the page
   * before (the newest question wins), then show it. */
  BrowseView.prototype.fetch = function () {
    var self = this;
    var app = this.app;
    var paging = this.paging;
    var page = this.page;
    var perPage = this.perPage;
    var url = this.url(paging.after(page), perPage);
    // A list opened afresh (or with other filters) comes with what arrived
    // until now: the notice is for what comes while it is read.
    if (!this.answer) { app.arrivals.clear(); }
    this.loading = true;
    app.source.latest('browse', url, function (answer, fresh) {
      self.loading = false;
      if (answer && page > 0 && !answer.items.length) {
        // Everything after the page before was withdrawn meanwhile: it is the last.
        paging.end(page - 1);
        if (self.page === page) { self.page = page - 1; }
      } else if (!answer) {
        self.answer = self.answer || { items: [], total: 0 };
        self.offline = true;
      } else {
        paging.put(page, answer, fresh);
        self.answer = answer;
        self.offline = !fresh;
        if (fresh) {
          var first = !self.filter.category && !self.filter.free && !self.filter.query &&
            self.filter.sort === sortsOf(self.filter.kind)[0][0];
          if (page === 0 && perPage === PAGE_SIZE && first && self.filter.kind) { app.source.keep('page', url, answer); }
          app.noteAnswer(answer);
          if (paging.hasNext(page)) { app.source.prefetch(self.url(paging.after(page + 1), perPage)); }
        }
      }
      if (app.current() === self) { app.refresh(); }
    });
  };

  /* Reload what is on screen (a resync): the same page asked again, from where
   * it started; the other pages kept are asked again when turned to. */
  BrowseView.prototype.reload = function () {
    if (this.local) { this.app.refresh(); return; }
    this.paging.forget();
    this.fetch();
  };

  BrowseView.prototype.title = function () {
    var filter = this.filter;
    // As the home screen's tiles say it; a kind without a phrase of its own by its name.
    var names = { job: '找工作', training: '学技能', event: '招聘活动' };
    var title = names[filter.kind] || screens.wording.KIND_NAMES[filter.kind] || '全部信息';
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
    this.paging = new screens.held.Pages();
    this.fetch();
    this.app.refresh();
  };

  BrowseView.prototype.filters = function () {
    var self = this;
    var filter = this.filter;
    var choices = kiosk.choices.choices;
    if (this.local) { return null; }
    return h('div', { className: 'filters' }, [
      choices('类型', kindChoices(), filter.kind || '', false, function (kind) {
        self.set({ kind: kind || undefined, category: undefined, free: undefined, sort: undefined });
      }),
      filter.kind === 'job' ? choices('岗位类别', categoryChoices(), filter.category || '', false, function (category) {
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
    return '共' + this.total() + '条' + order + (this.offline ? '（网络已断开，这是保存的信息）' : '');
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
    var pages = this.local ? Math.max(1, Math.ceil(this.local.length / size)) : this.paging.count(this.page, size);
    var last = this.local ? this.page >= pages - 1 : !this.paging.hasNext(this.page);
    var shown = this.covers() ? this.shown() : [];
    function open(listing) { app.show(new kiosk.DetailView(app, listing)); }
    function turn(step) {
      if (step > 0 && !self.local && !self.paging.hasNext(self.page)) { return; }
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
          { disabled: last ? 'disabled' : null })
      ]) : null
    ]);
  };

  /* Shown first: the first page asked for. Too long for the screen: one card
   * fewer, keeping the first card shown; the next page starts after the last
   * card left, and asks for as many. */
  BrowseView.prototype.mounted = function () {
    if (!this.answer && !this.loading) {
      this.fetch();
      return;
    }
    var count = this.shown().length;
    if (!this.covers() || count < 2 || !this.app.overflows()) { return; }
    if (this.local) {
      var first = this.page * this.perPage;
      this.perPage--;
      this.page = Math.floor(first / this.perPage);
    } else {
      this.perPage = Math.min(this.perPage, count - 1);
      this.paging.show(this.page, count - 1);
    }
    this.app.refresh();
  };

  /* A live change: the page on screen changes in place (a withdrawn or expired
   * listing stays where it was, 已下架, and leaves the count); a new one waits
   * behind the notice. Returns whether this view holds the listing. */
  BrowseView.prototype.onChange = function (change, current) {
    var result = this.local ? screens.held.apply(this.answer, change, true) : this.paging.apply(change);
    if (current) { this.app.refresh(); }
    return !!result;
  };

  BrowseView.prototype.refresh = function () { this.app.refresh(); };

  kiosk.BrowseView = BrowseView;
})(window);
