/* 账号管理: city administrators list, create and edit staff accounts, set a new password,
 * and stop or restart an account. The server decides who may and whether a role fits a
 * place; its words are shown beside the fields they are about. */
(function (window) {
  'use strict';

  var dom = window.screens.dom;
  var h = dom.h;
  var api = window.admin.api;
  var forms = window.admin.forms;
  var ui = window.admin.ui;

  var PER_PAGE = 50;
  // Used only if /admin/api/choices did not name the roles.
  var ROLES = [
    { value: 'city_admin', name: '市级管理员' },
    { value: 'district', name: '区级就业服务专员' },
    { value: 'street', name: '街道就业服务专员' },
    { value: 'station', name: '站点工作人员' }
  ];
  var SCOPE_HINT = '市级管理员管辖市，区级专员管辖区，街道专员管辖街道，站点工作人员管辖社区';

  function roleChoices(app) {
    return (app.choices && app.choices.staff_roles && app.choices.staff_roles.length) ? app.choices.staff_roles : ROLES;
  }

  function statusCell(account) {
    if (!account.active) { return ui.pill('已停用', 'muted'); }
    return ui.pill('在用', 'ok');
  }

  function page(main, route, app) {
    var closed = false;
    var state = {
      role: route.query.role || '',
      active: route.query.active === 'true' || route.query.active === 'false' ? route.query.active : '',
      page: 1,
      selected: null // the account open in the side panel, or null for a new one
    };

    var listArea = h('div');
    var side = h('div', { className: 'staff-side' });

    var roleFilter = forms.select(roleChoices(app), state.role, '全部角色', { id: 'filter-role' });
    var activeFilter = forms.select([
      { value: 'true', name: '在用' }, { value: 'false', name: '已停用' }
    ], state.active, '全部状态', { id: 'filter-active' });
    roleFilter.addEventListener('change', function () { state.role = roleFilter.value; state.page = 1; load(); });
    activeFilter.addEventListener('change', function () { state.active = activeFilter.value; state.page = 1; load(); });

    var columns = [
      { title: '用户名', cell: function (a) { return h('code', { text: a.username }); } },
      { title: '姓名', cell: function (a) { return a.display_name; } },
      { title: '角色', cell: function (a) { return a.role_name; } },
      { title: '管辖范围', cell: function (a) { return a.scope.name; } },
      { title: '状态', cell: statusCell },
      { title: '最后登录', cell: function (a) { return a.last_login_at ? forms.when(a.last_login_at) : '从未登录'; } },
      {
        title: '操作',
        cell: function (a) {
          return ui.button('修改', function () { select(a); }, 'button small', { 'aria-label': '修改' + a.display_name + '的账号' });
        }
      }
    ];

    function renderList(data) {
      dom.replace(listArea, [
        ui.table(columns, data.items, '没有符合条件的账号', function (a) {
          return { className: state.selected && state.selected.id === a.id ? 'selected' : null, 'data-staff-id': String(a.id) };
        }),
        ui.pager(data.total, data.page, data.per_page, function (to) { state.page = to; load(); })
      ]);
    }

    function load(done) {
      var query = api.query({ role: state.role, active: state.active, page: state.page, per_page: PER_PAGE });
      api.get('/admin/api/staff' + query, function (error, data) {
        if (closed) { return; }
        if (error && error.status === 403) {
          // Not a city administrator: the server says so, and there is nothing else to show.
          dom.replace(main, [h('div', { className: 'page-head' }, h('h1', { text: '账号管理' })), ui.errorBox(error)]);
          return;
        }
        if (error) {
          if (!side.parentNode) { build(); }
          dom.replace(listArea, ui.errorBox(error));
          return;
        }
        if (!side.parentNode) { build(); }
        renderList(data);
        if (done) { done(); }
      });
    }

    function select(account) {
      state.selected = account;
      renderSide();
      var rows = listArea.querySelectorAll('tr[data-staff-id]');
      for (var i = 0; i < rows.length; i++) {
        rows[i].className = account && rows[i].getAttribute('data-staff-id') === String(account.id) ? 'selected' : '';
      }
      var first = side.querySelector('input, select');
      if (first) { first.focus(); }
    }

    /* After a change: reload the list and show the account as it is now. */
    function refreshSelected(account) {
      state.selected = account;
      load(function () { select(account); });
    }

    function roleField(value) {
      return forms.field('角色', 'role', forms.select(roleChoices(app), value, '请选择角色', { id: 'staff-role' }));
    }

    function scopeField(value) {
      return forms.field('管辖范围', 'scope_id',
        forms.select(ui.placeChoices(app.places || []), value, '请选择地点', { id: 'staff-scope' }), SCOPE_HINT);
    }

    function scopeValue(form) {
      var text = forms.value(form, 'scope_id');
      return text ? Number(text) : null;
    }

    function createForm() {
      var submit = h('button', { type: 'submit', className: 'button primary', text: '新建账号' });
      var form = h('form', { className: 'staff-form', novalidate: 'novalidate', 'aria-label': '新建账号' }, [
        forms.formError(),
        forms.field('用户名', 'username', forms.input({ id: 'staff-username', autocomplete: 'off' }),
          '登录用，3–40 位字母、数字或 . _ -，建成后不能改'),
        forms.field('姓名', 'display_name', forms.input({ id: 'staff-name', autocomplete: 'off' })),
        roleField(''),
        scopeField(''),
        forms.field('初始密码', 'password', forms.input({ id: 'staff-password', type: 'password', autocomplete: 'new-password' }),
          '至少 8 位；请当面或电话告诉本人'),
        submit
      ]);
      form.addEventListener('submit', function (event) {
        event.preventDefault();
        var body = {
          username: forms.value(form, 'username'),
          display_name: forms.value(form, 'display_name'),
          role: forms.value(form, 'role'),
          scope_id: scopeValue(form),
          password: form.querySelector('[data-field="password"]').value
        };
        var missing = {};
        if (!body.role) { missing.role = '请选择角色'; }
        if (!body.scope_id) { missing.scope_id = '请选择管辖范围'; }
        if (Object.keys(missing).length) {
          forms.showErrors(form, { message: '', fields: missing });
          return;
        }
        submit.disabled = true;
        api.post('/admin/api/staff', body, function (error, account) {
          submit.disabled = false;
          if (error) {
            forms.showErrors(form, error);
            return;
          }
          ui.notice('已新建账号「' + account.display_name + '」（' + account.username + '）');
          refreshSelected(account);
        });
      });
      return ui.section('新建账号', form, 'staff-panel');
    }

    function editForms(account) {
      var own = app.staff && app.staff.id === account.id;
      var save = h('button', { type: 'submit', className: 'button primary', text: '保存' });
      var edit = h('form', { className: 'staff-form', novalidate: 'novalidate', 'aria-label': '修改账号' }, [
        h('p', { className: 'status-line' }, [
          h('code', { text: account.username }),
          statusCell(account)
        ]),
        h('p', { className: 'hint', text: '创建于 ' + forms.when(account.created_at) +
          '；最后登录 ' + (account.last_login_at ? forms.when(account.last_login_at) : '从未登录') }),
        forms.formError(),
        forms.field('姓名', 'display_name', forms.input({ id: 'staff-name', value: account.display_name, autocomplete: 'off' })),
        roleField(account.role),
        scopeField(account.scope.id),
        h('div', { className: 'status-line' }, [
          save,
          ui.button('取消', function () { select(null); }, 'button'),
          h('span', { className: 'hint', text: '改了角色或管辖范围，此人须重新登录' })
        ])
      ]);
      edit.addEventListener('submit', function (event) {
        event.preventDefault();
        var body = {
          display_name: forms.value(edit, 'display_name'),
          role: forms.value(edit, 'role'),
          scope_id: scopeValue(edit)
        };
        save.disabled = true;
        api.put('/admin/api/staff/' + account.id, body, function (error, saved) {
          save.disabled = false;
          if (error) {
            forms.showErrors(edit, error);
            return;
          }
          ui.notice('已保存「' + saved.display_name + '」的账号');
          refreshSelected(saved);
        });
      });

      var reset = h('button', { type: 'submit', className: 'button', text: '重设密码' });
      var password = h('form', { className: 'staff-form', novalidate: 'novalidate', 'aria-label': '重设密码' }, [
        h('h3', { text: '重设密码' }),
        forms.formError(),
        h('div', { className: 'staff-inline' }, [
          forms.field('新密码', 'password', forms.input({ id: 'staff-new-password', type: 'password', autocomplete: 'new-password' }),
            '至少 8 位。重设后此人在各处的登录都会退出'),
          reset
        ])
      ]);
      password.addEventListener('submit', function (event) {
        event.preventDefault();
        reset.disabled = true;
        var body = { password: password.querySelector('[data-field="password"]').value };
        api.post('/admin/api/staff/' + account.id + '/password', body, function (error, saved) {
          reset.disabled = false;
          if (error) {
            forms.showErrors(password, error);
            return;
          }
          ui.notice('已重设「' + saved.display_name + '」的密码，请告诉本人');
          refreshSelected(saved);
        });
      });

      var switchError = h('div', { className: 'form-error', role: 'alert' });
      function setActive(active) {
        var who = '「' + account.display_name + '」（' + account.username + '）';
        ui.confirm(active ? {
          title: '启用' + who + '的账号？',
          lines: ['启用后此人可以再次登录。'],
          confirm: '确认启用'
        } : {
          title: '停用' + who + '的账号？',
          lines: ['停用后此人不能再登录，已经登录的也会立即退出。', '以后可以再启用。'],
          confirm: '确认停用',
          danger: true
        }, function () { switchTo(active, who); });
      }
      function switchTo(active, who) {
        switchError.textContent = '';
        api.post('/admin/api/staff/' + account.id + (active ? '/activate' : '/deactivate'), {}, function (error, saved) {
          if (error) {
            switchError.textContent = error.message;
            return;
          }
          ui.notice(active ? '已启用' + who + '的账号' : '已停用' + who + '的账号');
          refreshSelected(saved);
        });
      }
      var switcher = account.active ?
        ui.button('停用账号', function () { setActive(false); }, 'button danger', own ? { disabled: 'disabled', title: '不能停用自己的账号' } : {}) :
        ui.button('启用账号', function () { setActive(true); }, 'button');

      return ui.section('修改账号：' + account.display_name, [
        edit,
        password,
        h('div', { className: 'staff-switch' }, [
          h('h3', { text: account.active ? '停用账号' : '启用账号' }),
          switchError,
          h('div', { className: 'staff-inline' }, [
            h('p', { className: 'hint', text: account.active ?
              (own ? '不能停用自己的账号。' : '停用后不能登录，以后可以再启用。') : '此账号已停用，启用后可以再登录。' }),
            switcher
          ])
        ])
      ], 'staff-panel');
    }

    function renderSide() {
      dom.replace(side, state.selected ? editForms(state.selected) : createForm());
    }

    /* Built on the first answer, so staff the server refuses see only its refusal. */
    function build() {
      dom.replace(main, [
        h('div', { className: 'page-head' }, [
          h('h1', { text: '账号管理' }),
          ui.button('新建账号', function () { select(null); }, 'button primary')
        ]),
        h('div', { className: 'columns' }, [
          h('section', { className: 'panel', 'aria-label': '账号列表' }, [
            h('div', { className: 'toolbar' }, [
              forms.field('角色', 'filter-role', roleFilter),
              forms.field('状态', 'filter-active', activeFilter)
            ]),
            listArea
          ]),
          side
        ])
      ]);
      renderSide();
    }

    main.appendChild(h('p', { className: 'loading', text: '正在读取…' }));
    load();
    return function () { closed = true; };
  }

  window.admin.pages = window.admin.pages || {};
  window.admin.pages.staff = page;
})(window);
