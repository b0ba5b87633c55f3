/* Home: the four kinds, the quick filters people ask for, search, and the two
 * registrations that need no listing. */
(function (window) {
  'use strict';

  var kiosk = window.kiosk;
  var screens = window.screens;
  var h = screens.dom.h;
  var ui = kiosk.ui;

  var KINDS = [
    ['job', '找工作', '全职 · 兼职 · 计件 · 零工'],
    ['training', '学技能', '免费培训 · 社区夜校'],
    ['subsidy', '补贴政策', '创业 · 社保 · 就业补贴'],
    ['event', '招聘活动', '招聘会 · 直播带岗']
  ];
  // The filters people ask for by name at the counter.
  var QUICK = [
    ['妈妈岗', { kind: 'job', category: 'mom_friendly' }],
    ['计件活', { kind: 'job', category: 'piece_rate' }],
    ['零工', { kind: 'job', category: 'gig' }],
    ['免费培训', { kind: 'training', free: true }],
    ['离本站近', { sort: 'nearest' }]
  ];

  function HomeView(app) {
    this.app = app;
    this.name = 'home';
  }

  HomeView.prototype.render = function () {
    var app = this.app;
    // True counts, from the server's home answer (kept current by live changes).
    var kinds = (app.homeAnswer && app.homeAnswer.kinds) || {};
    var tiles = KINDS.map(function (kind) {
      var count = kinds[kind[0]] ? kinds[kind[0]].total : 0;
      return ui.button([
        h('span', { className: 'tile-name', text: kind[1] }),
        h('span', { className: 'tile-note', text: kind[2] }),
        h('span', { className: 'tile-count', text: count + '条' })
      ], function () { app.show(new kiosk.BrowseView(app, { kind: kind[0] })); }, 'tile tile-' + kind[0]);
    });
    var quick = QUICK.map(function (item) {
      return ui.button(item[0], function () { app.show(new kiosk.BrowseView(app, item[1])); }, 'quick');
    });
    return {
      top: h('div', { className: 'heading' }, [
        h('p', { className: 'brand', text: '就享家 · ' + app.settings.site.name }),
        h('h1', { text: '您好！想找什么？' }),
        h('p', { className: 'lead', text: '点下面的大按钮。看不懂可以找工作人员帮忙。' })
      ]),
      main: [
        h('div', { className: 'home' }, [
          h('div', { className: 'tiles' }, tiles),
          h('div', { className: 'quick-row', role: 'group', 'aria-label': '常用' }, quick.concat([
            ui.button('搜索', function () { app.show(new kiosk.SearchView(app)); }, 'quick quick-search')
          ])),
          h('h2', { className: 'section-title', text: '现场登记，工作人员会联系您' }),
          h('div', { className: 'register-row' }, [
            ui.button('求职登记', function () { app.show(new kiosk.RegisterView(app, 'job_seeker', null)); }, 'register'),
            ui.button('零工登记', function () { app.show(new kiosk.RegisterView(app, 'gig_worker', null)); }, 'register')
          ])
        ]),
        ui.nav(app, { back: false, extra: ui.button('结束，清除本次内容', function () { app.reset(); }, 'nav-end') })
      ]
    };
  };

  /* Counts move with changes; the home view holds no listing of its own. */
  HomeView.prototype.onChange = function (change, current) {
    if (current) { this.app.refresh(); }
    return false;
  };
  HomeView.prototype.refresh = function () { this.app.refresh(); };

  kiosk.HomeView = HomeView;
})(window);
