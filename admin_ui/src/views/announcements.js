/* #/announcements: urgent banners to a part of the tree, with an expiry, and proof
 * they reached the screens. */
(function (window) {
  'use strict';

  var h = window.screens.dom.h;
  var dom = window.screens.dom;
  var api = window.admin.api;
  var ui = window.admin.ui;
  var forms = window.admin.forms;

  var STATUS_PILLS = { active: 'ok', withdrawn: 'warn', expired: 'muted' };
  var PER_PAGE = 50;

  /* Tonight at 22:00 China time, a sensible default end for "今晚7点 星光招聘夜市". */
  function tonight() {
    var today = forms.when(new Date().toISOString()).slice(0, 10);
    return today + ' 22:00';
  }

  function reachOf(app, placeId) {
    var places = app.places || [];
    for (var i = 0; i < places.length; i++) {
      if (places[i].id === placeId) { return places[i].screens; }
    }
    return null;
  }

  function announcements(main, route, app) {
    var delivery = null;
    var gone = false;
    var listPage = 1;
    var listArea = h('div', {}, h('p', { className: 'loading', text: '正在读取…' }));
    var deliveryArea = h('div', {});

    var target = forms.select(ui.placeChoices(app.places || [], true), app.staff.scope.id, '请选择');
    var reach = h('p', { className: 'hint', 'data-reach-line': '' });
    function showReach() {
      var screens = reachOf(app, Number(target.value));
      reach.textContent = screens ? '将送达 ' + (screens.tv + screens.kiosk) + ' 块屏幕（现在在线 ' + screens.online + ' 块）' : '';
    }
    // Counts change as screens come and go: ask afresh whenever the scope is picked.
    function refreshReach() { app.refreshPlaces(function () { if (!gone) { showReach(); } }); }
    target.addEventListener('change', refreshReach);
    var form = h('form', { className: 'panel announcement-form', novalidate: 'novalidate' }, [
      h('h2', { text: '发布紧急通知' }),
      forms.formError(),
      forms.field('通知内容（120字以内）', 'text', forms.input({ type: 'text', maxlength: '120', placeholder: '今晚7点 星光招聘夜市' })),
      h('div', { className: 'grid-2' }, [
        forms.field('发布范围', 'target_id', target),
        forms.field('到期时间（到时自动撤下）', 'valid_until', forms.timeInput('moment', tonight()))
      ]),
      reach,
      h('button', { type: 'submit', className: 'button primary', text: '发布通知' })
    ]);
    refreshReach();
    form.addEventListener('submit', function (event) {
      event.preventDefault();
      if (!forms.checkTimes(form)) { return; }
      var body = {
        text: forms.value(form, 'text'),
        target_id: target.value ? Number(target.value) : null,
        valid_until: forms.toMoment(forms.value(form, 'valid_until'))
      };
      api.post('/admin/api/announcements', body, function (error, created) {
        if (error) { return forms.showErrors(form, error); }
        forms.clearErrors(form);
        form.querySelector('[data-field="text"]').value = '';
        ui.notice('通知已发布，正在推送到屏幕');
        listPage = 1; // newest first: the new one is on the first page
        loadList();
        watch(created);
      });
    });

    function watch(item) {
      if (delivery) { delivery.stop(); }
      delivery = window.admin.delivery.panel('/admin/api/announcements/' + item.id + '/delivery', '送达情况：' + item.text);
      dom.replace(deliveryArea, delivery.element);
    }

    function withdraw(item) {
      window.admin.delivery.reach('/admin/api/announcements/' + item.id + '/delivery', function (screens) {
        if (gone) { return; }
        ui.confirm({
          title: '撤下这条通知？',
          lines: ['「' + item.text + '」', '撤下后，' + screens + '会马上不再显示这条通知。'],
          confirm: '确认撤下',
          danger: true
        }, function () {
          api.post('/admin/api/announcements/' + item.id + '/withdraw', {}, function (error) {
            if (error) { return ui.notice(error.message, 'warn'); }
            ui.notice('通知已撤下');
            loadList();
            watch(item);
          });
        });
      });
    }

    function loadList() {
      api.get('/admin/api/announcements' + api.query({ page: listPage, per_page: PER_PAGE }), function (error, data) {
        if (gone) { return; }
        if (error) { return dom.replace(listArea, ui.errorBox(error)); }
        dom.replace(listArea, [ui.table([
          { title: '内容', cell: function (item) { return item.text; } },
          { title: '范围', cell: function (item) { return item.target.name; } },
          { title: '状态', cell: function (item) {
            return ui.pill(app.choice('announcement_statuses', item.status), STATUS_PILLS[item.status]);
          } },
          { title: '到期', cell: function (item) { return forms.when(item.valid_until); } },
          { title: '', cell: function (item) {
            return [
              ui.button('送达情况', function () { watch(item); }, 'button small'),
              item.status === 'active' ? ui.button('撤下', function () { withdraw(item); }, 'button small danger') : null
            ];
          } }
        ], data.items, '还没有通知'),
        data.total ? ui.pager(data.total, data.page, data.per_page, function (to) { listPage = to; loadList(); }) : null]);
      });
    }

    dom.append(main, [
      h('div', { className: 'page-head' }, [h('h1', { text: '紧急通知' })]),
      h('div', { className: 'columns' }, [
        h('div', {}, [form, ui.section('通知列表', listArea)]),
        deliveryArea
      ])
    ]);
    loadList();
    return function () {
      gone = true;
      if (delivery) { delivery.stop(); }
    };
  }

  window.admin.pages = window.admin.pages || {};
  window.admin.pages.announcements = announcements;
})(window);
