/* #/listings: the listings of the staff member's part of the tree, and new ones by kind.
 * #/listings/new/<kind> and #/listings/<id> are the listing page (listing.js). */
(function (window) {
  'use strict';

  var h = window.screens.dom.h;
  var dom = window.screens.dom;
  var api = window.admin.api;
  var ui = window.admin.ui;
  var forms = window.admin.forms;

  function list(main, route, app) {
    var filters = {
      kind: route.query.kind || '',
      status: route.query.status || '',
      q: route.query.q || '',
      page: Number(route.query.page) || 1
    };
    var results = h('div', {}, h('p', { className: 'loading', text: '正在读取…' }));
    var toolbar = h('form', { className: 'toolbar', novalidate: 'novalidate' }, [
      forms.field('类别', 'kind', forms.select(app.choices.listing_kinds || [], filters.kind, '全部')),
      forms.field('状态', 'status', forms.select(app.choices.listing_statuses || [], filters.status, '全部')),
      forms.field('标题含', 'q', forms.input({ type: 'search', value: filters.q, maxlength: '40' })),
      h('button', { type: 'submit', className: 'button', text: '筛选' }),
      forms.formError()
    ]);
    toolbar.addEventListener('submit', function (event) {
      event.preventDefault();
      app.go('#/listings' + api.query({
        kind: forms.value(toolbar, 'kind'),
        status: forms.value(toolbar, 'status'),
        q: forms.value(toolbar, 'q')
      }));
    });

    var kinds = (app.choices.listing_kinds || []).map(function (kind) {
      return ui.link('新建' + kind.name, '#/listings/new/' + kind.value, 'button primary');
    });

    dom.append(main, [
      h('div', { className: 'page-head' }, [h('h1', { text: '信息发布' }), h('div', { className: 'kind-choice' }, kinds)]),
      toolbar,
      results
    ]);

    api.get('/admin/api/listings' + api.query(filters), function (error, data) {
      if (error) {
        forms.showErrors(toolbar, error);
        dom.replace(results, []);
        return;
      }
      dom.replace(results, [
        ui.table([
          { title: '标题', cell: function (item) { return ui.link(item.title, '#/listings/' + item.id); } },
          { title: '类别', cell: function (item) { return item.kind_name; } },
          { title: '状态', cell: function (item) { return window.admin.listingPage.statusPill(app, item.status); } },
          { title: '发布范围', cell: function (item) { return item.target.name; } },
          { title: '自动下架', cell: function (item) { return forms.when(item.valid_until) || '—'; } },
          { title: '更新时间', cell: function (item) { return forms.when(item.updated_at); } }
        ], data.items, '没有符合条件的信息'),
        ui.pager(data.total, data.page, data.per_page, function (page) {
          app.go('#/listings' + api.query(Object.assign({}, filters, { page: page })));
        })
      ]);
    });
  }

  function listings(main, route, app) {
    if (route.parts[0] === 'new') { return window.admin.listingPage.create(main, route.parts[1], app); }
    if (/^\d+$/.test(route.parts[0] || '')) { return window.admin.listingPage.show(main, Number(route.parts[0]), app); }
    return list(main, route, app);
  }

  window.admin.pages = window.admin.pages || {};
  window.admin.pages.listings = listings;
})(window);
