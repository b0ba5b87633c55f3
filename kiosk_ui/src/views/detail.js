/* One listing in full: pay as people say it, how to get there from this station
 * without a map, a QR code to take it away, and the way to register. */
(function (window) {
  'use strict';

  var kiosk = window.kiosk;
  var screens = window.screens;
  var h = screens.dom.h;
  var ui = kiosk.ui;
  var format = screens.format;
  var wording = screens.wording;

  var ACTIONS = {
    job: ['application', '我要应聘'],
    training: ['training_signup', '我要报名'],
    subsidy: ['consultation', '预约政策咨询']
  };

  /* listing: as the card that opened it had it (a list's answer). Kept for a
   * start without network among the listings opened last. */
  function DetailView(app, listing) {
    this.app = app;
    this.name = 'detail';
    this.id = listing.id;
    this.listing = listing;
    // Withdrawn or expired (a card kept in its place, a staff preview): 已下架.
    this.gone = screens.held.gone(listing);
    if (app.source && !this.gone) { app.source.keep('listing', app.source.listingUrl(listing.id), listing); }
  }

  /* The rows the server words for every screen, in its order. One <div> a row
   * (not a grid): Chromium hangs laying a grid out across the columns the
   * detail pages with. */
  function facts(listing) {
    return h('dl', { className: 'facts' }, (listing.facts || []).map(function (fact) {
      return h('div', { className: 'fact' }, [h('dt', { text: fact.label }), h('dd', { text: fact.value })]);
    }));
  }

  /* "怎么去": from this station, in words; the place's name, address and hours
   * are among the facts. */
  function directions(listing, station) {
    var site = listing.site;
    if (!site) {
      return h('section', { className: 'directions' }, [
        h('h2', { text: '在哪里' }),
        h('p', { text: '面向' + listing.target.name + '，具体地点请扫码或问工作人员。' })
      ]);
    }
    var same = site.id === station.id;
    var way = same ? '就在本站' : format.heading(station, site);
    return h('section', { className: 'directions' }, [
      h('h2', { text: '怎么去' }),
      h('p', { className: 'way', text: same ? '就在本站，问工作人员即可。' : '从本站出发，' + (way || '请按地址前往') + '。' }),
      site.phone ? h('p', { text: '电话：' + site.phone }) : null
    ]);
  }

  /* The listing's own text, one paragraph a line as staff wrote it. */
  function body(text) {
    return text ? h('div', { className: 'body' }, text.split(/\n+/).filter(function (line) {
      return line.trim();
    }).map(function (line) { return h('p', { text: line }); })) : null;
  }

  DetailView.prototype.render = function () {
    var self = this;
    var app = this.app;
    var listing = this.listing;
    this.flowEl = null;
    if (!listing) {
      return {
        top: h('div', { className: 'heading' }, h('h1', { text: '已下架' })),
        main: [
          h('section', { className: 'message' }, [
            h('p', { text: '这条信息已经下架了，不能再登记。' }),
            h('p', { text: '点“首页”看看别的信息。' })
          ]),
          ui.nav(app)
        ]
      };
    }
    var action = ACTIONS[listing.kind];
    // Everything to read pages inside a fixed frame (上一页 / 下一页, never a drag);
    // the button the person came for stays in the bar with 返回 and 首页.
    this.flowEl = h('article', { className: 'detail' + (this.gone ? ' is-gone' : '') }, [
      listing.summary ? h('p', { className: 'summary', text: listing.summary }) : null,
      facts(listing),
      body(listing.body),
      directions(listing, app.settings.site),
      h('div', { className: 'take-away' }, [
        h('img', { className: 'qr', src: '/api/listings/' + listing.id + '/qr.png', alt: '手机扫码查看这条信息' }),
        h('p', { text: '用手机扫一扫，把这条信息带走' })
      ])
    ]);
    this.frameEl = h('div', { className: 'detail-frame' }, this.flowEl);
    this.whereEl = h('p', { className: 'pager-where', 'aria-live': 'polite' });
    this.previousEl = ui.button('上一页', function () { self.turn(-1); }, 'secondary');
    this.nextEl = ui.button('下一页', function () { self.turn(1); }, 'secondary');
    this.pagerEl = h('div', { className: 'pager', role: 'group', 'aria-label': '翻页' },
      [this.previousEl, this.whereEl, this.nextEl]);
    return {
      top: h('div', { className: 'heading' }, [
        h('p', { className: 'brand', text: wording.KIND_NAMES[listing.kind] + ' · ' + wording.tag(listing) }),
        h('h1', { text: listing.title }),
        h('p', { className: 'headline', text: wording.keyLine(listing) }),
        this.gone ? h('p', { className: 'gone', role: 'alert', text: '已下架：这条信息刚刚结束，不能再报名了' }) : null
      ]),
      main: [
        h('div', { className: 'detail-pages' }, [this.frameEl, this.pagerEl]),
        ui.nav(app, {
          extra: action && !this.gone ? ui.button(action[1], function () {
            app.show(new kiosk.RegisterView(app, action[0], listing));
          }, 'primary nav-next nav-action') : null
        })
      ]
    };
  };

  /* Count the pages once the text is laid out: the article flows into columns
   * as wide as the frame (two a page in landscape), one page a step. */
  DetailView.prototype.mounted = function () {
    if (!this.flowEl) { return; }
    var gap = parseFloat(window.getComputedStyle(this.flowEl).columnGap) || 0;
    this.step = this.frameEl.clientWidth + gap;
    this.pages = Math.max(1, Math.round((this.flowEl.scrollWidth + gap) / this.step));
    // One page: the pager goes, and the frame only grows.
    this.pagerEl.hidden = this.pages < 2;
    this.page = Math.min(this.page || 0, this.pages - 1);
    this.showPage();
  };

  DetailView.prototype.turn = function (by) {
    this.page = Math.max(0, Math.min(this.pages - 1, this.page + by));
    this.showPage();
  };

  DetailView.prototype.showPage = function () {
    this.flowEl.style.transform = this.page ? 'translateX(' + (-this.page * this.step) + 'px)' : '';
    screens.dom.replace(this.whereEl, '第 ' + (this.page + 1) + '/' + this.pages + ' 页');
    this.previousEl.disabled = this.page === 0;
    this.nextEl.disabled = this.page >= this.pages - 1;
  };

  /* A live change to this listing: updated in place, or 已下架 when withdrawn.
   * Returns whether the view holds it. */
  DetailView.prototype.onChange = function (change, current) {
    if (change.entity !== 'listing' || change.id !== this.id) { return false; }
    if (this.listing.seq && change.seq && this.listing.seq >= change.seq) { return true; }
    if (change.op === 'remove') {
      this.gone = true;
    } else {
      this.listing = change.data;
    }
    if (current) { this.app.refresh(); }
    return true;
  };

  /* A resync: the listing asked for again; gone when the server no longer has it. */
  DetailView.prototype.reload = function () {
    var self = this;
    var app = this.app;
    screens.http.getJSON(app.source.listingUrl(this.id), function (status, data) {
      if (status === 200 && data) {
        self.listing = data;
        self.gone = screens.held.gone(data);
      } else if (status === 404 || status === 410) {
        self.gone = true;
      }
      if (app.current() === self) { app.refresh(); }
    });
  };

  DetailView.prototype.refresh = function () { this.app.refresh(); };

  kiosk.DetailView = DetailView;
})(window);
