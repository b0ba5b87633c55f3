/* Listings by touch: kind, the filters people ask for, a page at a time (no
 * drag-only scrolling), new listings held behind a notice while someone reads. */
(function (window) {
  'use strict';

  var kiosk = window.kiosk;
  var screens = window.screens;
  var h = screens.dom.h;
  var ui = kiosk.ui;
  var format = screens.format;
  var NEAR_METRES = 3000;

  var KINDS = [['', '全部'], ['job', '岗位'], ['training', '培训'], ['subsidy', '补贴'], ['event', '活动']];
  var CATEGORIES = [
    ['', '全部岗位'], ['full_or_part_time', '全职/兼职'], ['piece_rate', '计件'],
    ['gig', '零工'], ['mom_friendly', '妈妈岗'], ['public_welfare', '公益岗']
  ];

  // At most four cards a page; fewer when long titles or the filters leave less
  // room above the pager and the bar (see mounted): nothing ever needs a drag.
  var PAGE_SIZE = 4;

  /* The text a keyword is looked for in. */
  function searchable(listing) {
    var parts = [listing.title, listing.summary, listing.body, listing.site && listing.site.name,
      listing.target && listing.target.name];
    if (listing.job) { parts.push(listing.job.employer, listing.job.category_name, listing.job.requirements); }
    if (listing.training) { parts.push(listing.training.provider, listing.training.certificate); }
    if (listing.subsidy) { parts.push(listing.subsidy.eligibility, listing.subsidy.amount); }
    if (listing.event) { parts.push(listing.event.event_type_name); }
    return parts.join(' ').toLowerCase();
  }

  /* filter: {kind, category, free, near, query}; near sorts by distance too. */
  function find(app, filter) {
    var site = app.settings.site;
    var found = app.catalogue.list({ kind: filter.kind, category: filter.category, free: filter.free });
    if (filter.query) {
      var words = filter.query.toLowerCase().split(/\s+/);
      found = found.filter(function (listing) {
        var text = searchable(listing);
        return words.every(function (word) { return text.indexOf(word) >= 0; });
      });
    }
    if (filter.near) {
      found = found.filter(function (listing) {
        var metres = format.metres(site, listing.site);
        return metres !== null && metres <= NEAR_METRES;
      }).sort(function (a, b) { return format.metres(site, a.site) - format.metres(site, b.site); });
    }
    return found;
  }

  function BrowseView(app, filter) {
    this.app = app;
    this.name = 'browse';
    this.filter = filter || {};
    this.page = 0;
    this.perPage = PAGE_SIZE;
    this.holdsNewListings = true;
  }

  BrowseView.prototype.title = function () {
    var filter = this.filter;
    var names = { job: '找工作', training: '学技能', subsidy: '补贴政策', event: '招聘活动' };
    var title = names[filter.kind] || '全部信息';
    if (filter.query) { title = '搜索“' + filter.query + '”'; }
    return title;
  };

  BrowseView.prototype.set = function (change) {
    for (var name in change) { if (change.hasOwnProperty(name)) { this.filter[name] = change[name]; } }
    this.page = 0;
    this.perPage = PAGE_SIZE;
    this.app.refresh();
  };

  BrowseView.prototype.filters = function () {
    var self = this;
    var filter = this.filter;
    var choices = kiosk.choices.choices;
    var toggles = [['near', '离本站近（3公里内）']];
    if (filter.kind === 'training') { toggles.push(['free', '只看免费']); }
    var on = toggles.filter(function (t) { return filter[t[0]]; }).map(function (t) { return t[0]; });
    return h('div', { className: 'filters' }, [
      choices('类型', KINDS, filter.kind || '', false, function (kind) {
        self.set({ kind: kind || undefined, category: undefined, free: undefined });
      }),
      filter.kind === 'job' ? choices('岗位类别', CATEGORIES, filter.category || '', false, function (category) {
        self.set({ category: category || undefined });
      }) : null,
      choices('筛选', toggles, on, true, function (selected) {
        self.set({ near: selected.indexOf('near') >= 0, free: selected.indexOf('free') >= 0 });
      })
    ]);
  };

  BrowseView.prototype.render = function () {
    var app = this.app;
    var found = find(app, this.filter);
    return {
      top: h('div', { className: 'heading' }, [
        h('h1', { text: this.title() }),
        h('p', { className: 'lead', text: '共' + found.length + '条' + (this.filter.near ? '，近的在前' : '，新的在前') })
      ]),
      main: [
        h('div', { className: 'browse' }, [this.filters(), this.results(found)]),
        ui.nav(app, { extra: ui.button('搜索', function () { app.show(new kiosk.SearchView(app)); }, 'nav-search') })
      ]
    };
  };

  BrowseView.prototype.results = function (found) {
    var self = this;
    var app = this.app;
    var size = this.perPage;
    var pages = Math.max(1, Math.ceil(found.length / size));
    this.page = Math.min(this.page, pages - 1);
    var shown = found.slice(this.page * size, (this.page + 1) * size);
    var waiting = app.catalogue.pendingCount();
    function open(listing) { app.show(new kiosk.DetailView(app, listing.id)); }
    return h('div', { className: 'results' }, [
      waiting ? ui.button('有' + waiting + '条新信息，点这里查看', function () {
        app.catalogue.acceptPending();
        self.page = 0;
        app.refresh();
      }, 'notice-new') : null,
      shown.length ? h('div', { className: 'cards' }, shown.map(function (listing) {
        return ui.card(listing, app.settings.site, open);
      })) : h('p', { className: 'empty', text: '暂时没有符合条件的信息，换个条件试试，或者登记求职，工作人员会帮您找。' }),
      pages > 1 ? h('div', { className: 'pager' }, [
        ui.button('上一页', function () { self.page--; app.refresh(); }, 'secondary',
          { disabled: this.page === 0 ? 'disabled' : null }),
        h('p', { className: 'pager-where', text: '第' + (this.page + 1) + '页，共' + pages + '页' }),
        ui.button('下一页', function () { self.page++; app.refresh(); }, 'secondary',
          { disabled: this.page >= pages - 1 ? 'disabled' : null })
      ]) : null
    ]);
  };

  /* Too long for the screen: one card fewer a page, keeping the first card shown. */
  BrowseView.prototype.mounted = function () {
    if (this.perPage > 1 && this.app.overflows()) {
      var first = this.page * this.perPage;
      this.perPage--;
      this.page = Math.floor(first / this.perPage);
      this.app.refresh();
    }
  };

  BrowseView.prototype.onChange = function () {
    this.perPage = PAGE_SIZE;
    this.app.refresh();
  };
  BrowseView.prototype.refresh = BrowseView.prototype.onChange;

  kiosk.BrowseView = BrowseView;
  kiosk.findListings = find;
})(window);
