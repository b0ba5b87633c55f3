/* 操作记录: the audit log of the staff member's part of the place tree, newest first.
 * Read only: the log is append-only, so there is nothing here to edit or delete.
 * #/audit?entity_type=registration&entity_id=5 shows one thing's history. */
(function (window) {
  'use strict';

  var h = window.screens.dom.h;
  var dom = window.screens.dom;
  var api = window.admin.api;
  var forms = window.admin.forms;
  var ui = window.admin.ui;

  var FILTERS = ['q', 'action', 'entity_type', 'entity_id', 'staff_id', 'place_id', 'from', 'to'];
  var PER_PAGE = 30;
  // The entity types the API filters on, should the console's choices not name them.
  var ENTITY_FALLBACK = ['listing', 'announcement', 'screen', 'enrolment_code', 'staff', 'registration'];
  // What the recorded keys mean, for the before/after table; others show as recorded.
  var KEY_NAMES = {
    status: '状态',
    note: '备注',
    kind: '类型',
    title: '标题',
    summary: '简介',
    body: '正文',
    contact_name: '联系人',
    contact_phone: '联系电话',
    listing_id: '信息编号',
    community_id: '社区编号',
    target_id: '发布范围编号',
    site_id: '站点编号',
    valid_from: '生效时间',
    valid_until: '有效期至',
    published_at: '发布时间',
    employer: '用人单位',
    job_category: '岗位类别',
    pay_min: '最低报酬',
    pay_max: '最高报酬',
    pay_unit: '计酬方式',
    pay_piece: '计件单位',
    pay_approximate: '报酬为约数',
    work_hours: '工作时间',
    flexible: '时间灵活',
    openings: '招聘人数',
    requirements: '要求',
    age_min: '最低年龄',
    age_max: '最高年龄',
    provider: '举办单位',
    fee: '费用',
    fee_note: '费用说明',
    certificate: '证书',
    schedule: '安排',
    sessions: '培训期次',
    eligibility: '申领条件',
    amount: '金额',
    document_number: '文件号',
    how_to_apply: '申领方式',
    documents_needed: '所需材料',
    apply_deadline: '申领截止',
    event_type: '活动类型',
    starts_at: '开始时间',
    ends_at: '结束时间',
    employers_count: '企业数',
    posts_count: '岗位数',
    text: '内容',
    display_name: '姓名',
    username: '用户名',
    role: '角色',
    scope_id: '管辖范围编号',
    active: '启用',
    revoked_at: '停用时间',
    expires_at: '到期时间',
    locked_until: '锁定到',
    session_epoch: '会话代次',
    app_version: '应用版本',
    copied_from_id: '复制自'
  };
  // Coded values that have Chinese names in app.choices, by entity type and key.
  var VALUE_CHOICES = {
    registration: { status: 'registration_statuses', kind: 'registration_kinds' },
    listing: { status: 'listing_statuses', kind: 'listing_kinds', job_category: 'job_categories', pay_unit: 'pay_units', event_type: 'event_types' },
    announcement: { status: 'announcement_statuses' },
    staff: { role: 'staff_roles' },
    screen: { kind: 'screen_kinds' }
  };

  function filtersFrom(query) {
    var filters = {};
    FILTERS.forEach(function (key) { filters[key] = query[key] || ''; });
    return filters;
  }

  function hashFor(filters, page) {
    return '#/audit' + api.query(Object.assign({}, filters, { page: page > 1 ? page : '' }));
  }

  function entityChoices(app) {
    if (app.choices && app.choices.audit_entities) { return app.choices.audit_entities; }
    return ENTITY_FALLBACK.map(function (type) { return { value: type, name: type }; });
  }

  function hasKeys(object) {
    for (var key in object) { if (object && object.hasOwnProperty(key)) { return true; } }
    return false;
  }

  /* A recorded value as text: JSON values other than text are shown as JSON. */
  function valueText(app, entityType, key, value) {
    if (value === undefined) { return ''; }
    if (value === null) { return '（空）'; }
    if (typeof value === 'string') {
      var list = VALUE_CHOICES[entityType] && VALUE_CHOICES[entityType][key];
      if (list) { return app.choice(list, value); }
      if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(value) && /(Z|[+-]\d{2}:?\d{2})$/.test(value)) {
        return forms.when(value);
      }
      return value === '' ? '（空）' : value;
    }
    if (typeof value === 'boolean') { return value ? '是' : '否'; }
    return JSON.stringify(value);
  }

  function diffTable(app, entry) {
    var before = entry.before || {};
    var after = entry.after || {};
    var keys = [];
    [before, after].forEach(function (side) {
      for (var key in side) {
        if (side.hasOwnProperty(key) && keys.indexOf(key) < 0) { keys.push(key); }
      }
    });
    if (!keys.length) { return h('p', { className: 'hint', text: '这条记录没有前后变化的内容' }); }
    var type = entry.entity.type;
    return h('table', { className: 'diff audit-diff' }, [
      h('thead', {}, h('tr', {}, [
        h('th', { scope: 'col', text: '项目' }),
        h('th', { scope: 'col', text: '之前' }),
        h('th', { scope: 'col', text: '之后' })
      ])),
      h('tbody', {}, keys.map(function (key) {
        var label = KEY_NAMES[key] ? KEY_NAMES[key] + '（' + key + '）' : key;
        return h('tr', { 'data-key': key }, [
          h('th', { scope: 'row', text: label }),
          h('td', { className: 'before', text: entry.before && before.hasOwnProperty(key) ? valueText(app, type, key, before[key]) : '—' }),
          h('td', { className: 'after', text: entry.after && after.hasOwnProperty(key) ? valueText(app, type, key, after[key]) : '—' })
        ]);
      }))
    ]);
  }

  function audit(main, route, app) {
    var state = {
      filters: filtersFrom(route.query),
      page: Math.max(1, parseInt(route.query.page, 10) || 1),
      open: {},
      alive: true,
      turn: 0
    };

    var searchInput = forms.input({ type: 'search', value: state.filters.q, placeholder: '摘要或操作人', maxlength: '40' });
    var entitySelect = forms.select(entityChoices(app), state.filters.entity_type, '全部对象');
    var actionSelect = forms.select((app.choices && app.choices.audit_actions) || [], state.filters.action, '全部操作');
    var fromInput = forms.dateInput(state.filters.from);
    var toInput = forms.dateInput(state.filters.to);
    var chips = h('div', { className: 'audit-chips' });
    var filterForm = h('form', { className: 'audit-filters', novalidate: 'novalidate', role: 'search' }, [
      h('div', { className: 'toolbar' }, [
        forms.field('搜索', 'q', searchInput),
        forms.field('对象类型', 'entity_type', entitySelect),
        forms.field('操作', 'action', actionSelect),
        forms.field('日期从', 'from', fromInput),
        forms.field('到', 'to', toInput),
        h('div', { className: 'audit-filter-actions' }, [
          h('button', { type: 'submit', className: 'button primary', text: '筛选' }),
          ui.button('清除', function () { apply(filtersFrom({}), 1, true); })
        ])
      ]),
      // Filters other pages link with, which have no control here.
      ['entity_id', 'staff_id', 'place_id'].map(function (name) {
        return h('div', { className: 'field-error', 'data-error-for': name, role: 'alert' });
      })
    ]);
    var listArea = h('div', { className: 'audit-list' }, h('p', { className: 'loading', text: '正在加载…' }));

    filterForm.addEventListener('submit', function (event) {
      event.preventDefault();
      if ([fromInput, toInput].map(forms.checkTime).indexOf(null) >= 0) { return; }
      apply(read(), 1, false);
    });
    [entitySelect, actionSelect].forEach(function (control) {
      control.addEventListener('change', function () { apply(read(), 1, false); });
    });
    [fromInput, toInput].forEach(function (control) {
      forms.onDate(control, function () {
        var filters = read();
        if (filters.from !== state.filters.from || filters.to !== state.filters.to) { apply(filters, 1, false); }
      });
    });

    function read() {
      // One thing's history belongs to its type: picking another type drops the id.
      var entityId = entitySelect.value === state.filters.entity_type ? state.filters.entity_id : '';
      return Object.assign({}, state.filters, {
        entity_id: entityId,
        q: searchInput.value.replace(/^\s+|\s+$/g, ''),
        entity_type: entitySelect.value,
        action: actionSelect.value,
        from: forms.toDate(fromInput.value),
        to: forms.toDate(toInput.value)
      });
    }

    function apply(filters, page, resetControls) {
      state.filters = filters;
      state.page = page;
      state.open = {};
      if (resetControls) {
        searchInput.value = filters.q;
        entitySelect.value = filters.entity_type;
        actionSelect.value = filters.action;
        fromInput.value = filters.from;
        toInput.value = filters.to;
      }
      var hash = hashFor(state.filters, state.page);
      // The hash follows the filters without re-rendering the page; Back undoes a filter.
      if (window.location.hash !== hash) { window.history.pushState(null, '', hash); }
      renderChips();
      load();
    }

    function renderChips() {
      dom.clear(chips);
      var shown = [];
      if (state.filters.entity_id) {
        var typeName = state.filters.entity_type ? app.choice('audit_entities', state.filters.entity_type) : '对象';
        shown.push(['只看' + typeName + ' #' + state.filters.entity_id + ' 的记录', 'entity_id']);
      }
      if (state.filters.staff_id) { shown.push(['只看工作人员 #' + state.filters.staff_id + ' 的操作', 'staff_id']); }
      if (state.filters.place_id) { shown.push(['只看' + placeName(state.filters.place_id), 'place_id']); }
      shown.forEach(function (chip) {
        chips.appendChild(h('span', { className: 'audit-chip' }, [
          chip[0],
          ui.button('×', function () {
            var filters = Object.assign({}, state.filters);
            filters[chip[1]] = '';
            apply(filters, 1, false);
          }, 'button small', { 'aria-label': '取消：' + chip[0], title: '取消这个筛选' })
        ]));
      });
    }

    function placeName(id) {
      var found = (app.places || []).filter(function (place) { return String(place.id) === String(id); })[0];
      return found ? found.name : '地点 #' + id;
    }

    function load() {
      var turn = ++state.turn;
      var query = Object.assign({}, state.filters, { page: state.page, per_page: PER_PAGE });
      api.get('/admin/api/audit' + api.query(query), function (error, data) {
        if (!state.alive || turn !== state.turn) { return; }
        if (error) {
          forms.showErrors(filterForm, error);
          dom.replace(listArea, h('p', { className: 'empty', text: filterProblem(error) }));
          return;
        }
        forms.clearErrors(filterForm);
        render(data);
      });
    }

    /* Field messages sit beside their fields; the rest is said where the list would be. */
    function filterProblem(error) {
      var loose = [];
      for (var name in error.fields) {
        if (error.fields.hasOwnProperty(name) && !filterForm.querySelector('[data-error-for="' + name + '"]')) {
          loose.push(error.fields[name]);
        }
      }
      if (!hasKeys(error.fields)) { return error.message; }
      return loose.length ? '筛选条件有误：' + loose.join('；') : '筛选条件有误，请按红字提示修改';
    }

    function objectCell(entry) {
      var filters = Object.assign({}, filtersFrom({}), { entity_type: entry.entity.type, entity_id: String(entry.entity.id) });
      var link = h('a', { href: hashFor(filters, 1), title: '只看它的记录', text: entry.entity.type_name + ' #' + entry.entity.id });
      link.addEventListener('click', function (event) {
        event.stopPropagation();
        if (event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey) { return; }
        event.preventDefault();
        apply(filters, 1, true);
      });
      return link;
    }

    function toggleCell(entry) {
      return h('button', {
        type: 'button',
        className: 'audit-toggle',
        'aria-expanded': state.open[entry.id] ? 'true' : 'false',
        'aria-label': '前后对比',
        title: '前后对比',
        text: state.open[entry.id] ? '▾' : '▸'
      });
    }

    var COLUMNS = [
      { title: '', className: 'audit-toggle-cell', cell: toggleCell },
      { title: '时间', className: 'nowrap', cell: function (entry) { return forms.when(entry.at); } },
      { title: '操作人', cell: function (entry) { return entry.actor; } },
      { title: '操作', cell: function (entry) { return entry.action_name; } },
      { title: '对象', className: 'nowrap', cell: objectCell },
      { title: '地点', cell: function (entry) { return entry.place.name; } },
      { title: '摘要', className: 'audit-summary', cell: function (entry) { return entry.summary; } }
    ];

    function render(data) {
      var byId = {};
      data.items.forEach(function (entry) { byId[entry.id] = entry; });
      var table = ui.table(COLUMNS, data.items, hasKeys(compact(state.filters)) ? '没有符合条件的记录' : '还没有操作记录', function (entry) {
        return { className: 'clickable', 'data-id': String(entry.id) };
      });
      table.addEventListener('click', function (event) {
        var row = event.target.closest ? event.target.closest('tr[data-id]') : null;
        if (!row || (event.target.closest('a') && !event.target.closest('.audit-toggle'))) { return; }
        toggle(row, byId[row.getAttribute('data-id')]);
      });
      dom.replace(listArea, [table, ui.pager(data.total, data.page, data.per_page, function (page) { apply(state.filters, page, false); })]);
    }

    function compact(filters) {
      var kept = {};
      FILTERS.forEach(function (key) { if (filters[key]) { kept[key] = filters[key]; } });
      return kept;
    }

    function toggle(row, entry) {
      var button = row.querySelector('.audit-toggle');
      var next = row.nextSibling;
      if (next && next.className === 'audit-expanded') {
        row.parentNode.removeChild(next);
        delete state.open[entry.id];
        button.setAttribute('aria-expanded', 'false');
        button.textContent = '▸';
        return;
      }
      state.open[entry.id] = true;
      button.setAttribute('aria-expanded', 'true');
      button.textContent = '▾';
      var expanded = h('tr', { className: 'audit-expanded' }, h('td', { colspan: String(COLUMNS.length) }, diffTable(app, entry)));
      row.parentNode.insertBefore(expanded, row.nextSibling);
    }

    dom.append(main, [
      h('div', { className: 'page-head' }, [
        h('h1', { text: '操作记录' }),
        h('span', { className: 'hint', text: '谁在什么时候改了什么；记录只增不改，点一行看前后对比' })
      ]),
      filterForm,
      chips,
      listArea
    ]);
    renderChips();
    load();

    return function () { state.alive = false; };
  }

  window.admin.pages = window.admin.pages || {};
  window.admin.pages.audit = audit;
})(window);
