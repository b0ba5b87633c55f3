/* 屏幕: every TV and kiosk in the staff member's scope, whether it is online and keeping up,
 * a way to stop one at once, and one-time codes for binding a new kiosk to its site. */
(function (window) {
  'use strict';

  var document = window.document;
  var dom = window.screens.dom;
  var h = dom.h;
  var api = window.admin.api;
  var forms = window.admin.forms;
  var ui = window.admin.ui;

  var REFRESH_MS = 10000;
  var PER_PAGE = 50;
  var CHINA_OFFSET_MS = 8 * 3600 * 1000;
  var KIND_NAMES = { tv: '电视', kiosk: '自助机' };
  // Kiosks stand in the service stations and the 随享亭 pavilions.
  var KIOSK_SITE_KINDS = { station: true, kiosk: true };

  function pad(n) { return n < 10 ? '0' + n : String(n); }

  /* "14:05:09" in China time, whatever the office PC's own time zone. */
  function clockNow() {
    var d = new Date(Date.now() + CHINA_OFFSET_MS);
    return pad(d.getUTCHours()) + ':' + pad(d.getUTCMinutes()) + ':' + pad(d.getUTCSeconds());
  }

  function screenName(screen) {
    return screen.label || (KIND_NAMES[screen.kind] || '屏幕') + ' #' + screen.id;
  }

  function statusCell(screen) {
    if (screen.revoked) { return ui.pill('已停用'); }
    var pills = [screen.online ? ui.pill('在线', 'ok') : ui.pill('离线', 'muted')];
    if (screen.stale) { pills.push(' ', ui.pill('落后', 'warn')); }
    return pills;
  }

  function placeCell(screen) {
    return [
      h('div', { text: screen.community.name }),
      screen.site ? h('div', { className: 'hint', text: screen.site.name }) : null
    ];
  }

  function seqCell(screen) {
    var text = screen.last_seq + ' / ' + screen.latest_seq;
    var title = '已收到第 ' + screen.last_seq + ' 号变更，最新为第 ' + screen.latest_seq + ' 号';
    return h('span', { className: screen.stale ? 'screens-seq behind' : 'screens-seq', title: title, text: text });
  }

  function page(main, route, app) {
    var closed = false;
    var latest = 0; // only the newest request's answer is shown
    var timer = null;
    var filter = {
      kind: route.query.kind === 'tv' || route.query.kind === 'kiosk' ? route.query.kind : '',
      status: /^(online|offline|stale)$/.test(route.query.status || '') ? route.query.status : '',
      page: 1,
      per_page: PER_PAGE
    };

    var updated = h('span', { className: 'hint' });
    var listArea = h('div', { className: 'screens-list' }, h('p', { className: 'loading', text: '正在读取…' }));

    var kindSelect = forms.select([
      { value: 'tv', name: '电视' }, { value: 'kiosk', name: '自助机' }
    ], filter.kind, '全部类型');
    var statusSelect = forms.select([
      { value: 'online', name: '在线' }, { value: 'offline', name: '离线' }, { value: 'stale', name: '落后（未及时收到变更）' }
    ], filter.status, '全部状态');
    kindSelect.addEventListener('change', function () { filter.kind = kindSelect.value; filter.page = 1; load(); });
    statusSelect.addEventListener('change', function () { filter.status = statusSelect.value; filter.page = 1; load(); });

    function revoke(screen) {
      ui.confirm({
        title: '停用「' + screenName(screen) + '」（' + screen.community.name + '）？',
        lines: ['停用后这块屏幕会立即停止显示信息，要再使用须重新登记或绑定。'],
        confirm: '确认停用',
        danger: true
      }, function () { revokeNow(screen); });
    }

    function revokeNow(screen) {
      api.post('/admin/api/screens/' + screen.id + '/revoke', {}, function (error) {
        if (error) {
          ui.notice(error.message, 'warn');
          return;
        }
        ui.notice('已停用「' + screenName(screen) + '」，它已不再显示信息');
        load();
      });
    }

    var columns = [
      { title: '类型', cell: function (s) { return KIND_NAMES[s.kind] || s.kind; }, className: 'screens-nowrap' },
      { title: '名称', cell: function (s) { return screenName(s); } },
      { title: '社区 / 站点', cell: placeCell },
      { title: '状态', cell: statusCell, className: 'screens-nowrap' },
      { title: '最后在线', cell: function (s) { return s.last_seen_at ? forms.when(s.last_seen_at) : '从未连接'; }, className: 'screens-nowrap' },
      { title: '已收到变更', cell: seqCell, className: 'num' },
      { title: '版本', cell: function (s) { return s.app_version || '—'; } },
      {
        title: '操作',
        className: 'screens-nowrap',
        cell: function (s) {
          if (s.revoked) { return ''; }
          return ui.button('停用', function () { revoke(s); }, 'button small danger',
            { 'data-focus-key': 'revoke-' + s.id, 'aria-label': '停用' + screenName(s) });
        }
      }
    ];

    /* One page of the screens; the count is of every screen that fits the filters. */
    function render(data) {
      // A refresh must not take the keyboard focus away from the row someone was on.
      var active = document.activeElement;
      var focusKey = active && active.getAttribute ? active.getAttribute('data-focus-key') : null;
      var summary = (filter.kind || filter.status ? '符合条件的共 ' : '共 ') + data.total + ' 块' +
        (filter.status ? '' : '，在线 ' + data.online + ' 块');
      dom.replace(listArea, [
        h('p', { className: 'hint screens-summary', text: summary }),
        ui.table(columns, data.items, '没有符合条件的屏幕', function (s) {
          return { className: s.stale ? 'stale' : (s.revoked ? 'screens-revoked' : null), 'data-screen-id': String(s.id) };
        }),
        data.total ? ui.pager(data.total, data.page, data.per_page, function (to) { filter.page = to; load(); }) : null
      ]);
      if (focusKey) {
        var again = listArea.querySelector('[data-focus-key="' + focusKey + '"]');
        if (again) { again.focus(); }
      }
    }

    function load() {
      if (closed) { return; }
      var mine = ++latest;
      api.get('/admin/api/screens' + api.query(filter), function (error, data) {
        if (closed || mine !== latest) { return; }
        if (error) {
          dom.replace(listArea, ui.errorBox(error));
          return;
        }
        if (!data.items.length && filter.page > 1) {
          // Screens stopped or gone offline since: the last page there is instead.
          filter.page = Math.max(1, Math.ceil(data.total / filter.per_page));
          load();
          return;
        }
        render(data);
        updated.textContent = '更新于 ' + clockNow();
      });
    }

    main.appendChild(h('div', { className: 'page-head' }, [
      h('h1', { text: '屏幕' }),
      h('div', { className: 'status-line' }, [updated, ui.button('刷新', load, 'button')])
    ]));
    // The list needs the full width; binding a kiosk is rarer and fits in a strip above it.
    main.appendChild(enrolmentPanel(app));
    main.appendChild(h('section', { className: 'panel', 'aria-label': '屏幕列表' }, [
      h('div', { className: 'toolbar' }, [
        forms.field('类型', 'screen-kind', kindSelect),
        forms.field('状态', 'screen-status', statusSelect)
      ]),
      listArea
    ]));

    load();
    timer = window.setInterval(load, REFRESH_MS);
    return function () {
      closed = true;
      window.clearInterval(timer);
    };
  }

  /* Pick a station or pavilion, get eight digits, type them on the kiosk's 绑定 screen. */
  function enrolmentPanel(app) {
    var sites = (app.sites || []).filter(function (site) { return KIOSK_SITE_KINDS[site.kind]; });
    var result = h('div', { className: 'screens-code', 'aria-live': 'polite' });
    if (!sites.length) {
      return ui.section('自助机绑定码', h('p', { className: 'empty', text: '您的管辖范围内没有服务站或随享亭，无法绑定自助机' }));
    }
    var communities = {};
    (app.places || []).forEach(function (place) { communities[place.id] = place.name; });
    var siteSelect = forms.select(sites.map(function (site) {
      var where = communities[site.community_id];
      return { value: site.id, name: site.name + (where ? '（' + where + '）' : '') };
    }), sites.length === 1 ? sites[0].id : '', '请选择站点');
    var form = h('form', { className: 'screens-enrol', novalidate: 'novalidate', 'aria-label': '生成绑定码' }, [
      forms.formError(),
      h('div', { className: 'screens-enrol-row' }, [
        forms.field('自助机所在站点', 'site_id', siteSelect),
        h('button', { type: 'submit', className: 'button primary', text: '生成绑定码' })
      ])
    ]);
    var submit = form.querySelector('button[type=submit]');
    form.addEventListener('submit', function (event) {
      event.preventDefault();
      forms.clearErrors(form);
      dom.clear(result);
      if (!siteSelect.value) {
        forms.showErrors(form, { message: '', fields: { site_id: '请先选择自助机所在的站点' } });
        return;
      }
      submit.disabled = true;
      api.post('/admin/api/sites/' + siteSelect.value + '/enrolment-codes', {}, function (error, data) {
        submit.disabled = false;
        if (error) {
          // Whatever the server says about the site belongs beside the site.
          var fields = error.fields && Object.keys(error.fields).length ? error.fields : { site_id: error.message };
          forms.showErrors(form, { message: error.message, fields: fields });
          return;
        }
        dom.replace(result, [
          h('div', { className: 'hint', text: data.site.name + ' 的绑定码' }),
          h('div', { className: 'code', 'data-enrolment-code': '', text: data.code }),
          h('p', { text: '在自助机的「绑定本机」页面，把这 8 位数字填入「登记码」，再按「绑定」。' }),
          h('p', { className: 'hint', text: '有效期至 ' + forms.when(data.expires_at) + '，只能用一次。' })
        ]);
      });
    });
    return ui.section('自助机绑定码', [
      h('p', { className: 'hint', text: '新的自助机第一次开机时，要输入绑定码才能显示信息。绑定码只能用一次，24小时内有效。' }),
      h('div', { className: 'screens-enrol-body' }, [form, result])
    ], 'screens-enrolment');
  }

  window.admin.pages = window.admin.pages || {};
  window.admin.pages.screens = page;
})(window);
