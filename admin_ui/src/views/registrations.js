/* 登记跟进: the live inbox. Filters on top (kept in the hash, so a reload keeps them), the
 * list on the left, one registration on the right with its follow-up and the jobs that fit.
 * New registrations pushed over the /staff socket re-fetch the page and are highlighted.
 * Mobiles stay masked; the full number is shown only here, after an audited reveal. */
(function (window) {
  'use strict';

  var h = window.screens.dom.h;
  var dom = window.screens.dom;
  var api = window.admin.api;
  var forms = window.admin.forms;
  var ui = window.admin.ui;

  var FILTERS = ['kind', 'status', 'listing_id', 'community_id', 'from', 'to', 'q'];
  var PER_PAGE = 20;
  var NOTE_MAX = 300;
  var MATCH_LIMIT = 10;
  // Several pushes in a burst (a kiosk queue catching up) make one re-fetch.
  var REFRESH_DELAY_MS = 300;
  var WORKER_KINDS = { job_seeker: true, gig_worker: true };
  var STATUS_PILLS = { 'new': 'warn', contacted: 'info', referred: 'info', hired: 'ok', closed: 'muted' };
  var MOVE_WORDS = { contacted: '标记为已联系', referred: '标记为已推荐', hired: '标记为已上岗', closed: '关闭登记' };

  function statusPill(status, name) { return ui.pill(name, STATUS_PILLS[status] || ''); }

  function filtersFrom(query) {
    var filters = {};
    FILTERS.forEach(function (key) { filters[key] = query[key] || ''; });
    return filters;
  }

  function hashFor(id, filters, page) {
    var query = Object.assign({}, filters, { page: page > 1 ? page : '' });
    return '#/registrations' + (id ? '/' + id : '') + api.query(query);
  }

  /* Communities and streets of the staff member's scope, indented like the place tree. */
  function placeOptions(places) {
    var kept = (places || []).filter(function (place) {
      return place.level === 'community' || place.level === 'street';
    });
    var choices = ui.placeChoices(kept, false);
    // Indented from the scope's own level, not the city's: a station sees its community flush left.
    var least = Math.min.apply(null, choices.map(function (choice) { return choice.name.match(/^\u3000*/)[0].length; }));
    return choices.map(function (choice) {
      return { value: choice.value, name: least > 0 && isFinite(least) ? choice.name.slice(least) : choice.name };
    });
  }

  function plainClick(event) {
    return event.button === 0 && !event.ctrlKey && !event.metaKey && !event.shiftKey && !event.altKey;
  }

  function registrations(main, route, app) {
    var state = {
      filters: filtersFrom(route.query),
      page: Math.max(1, parseInt(route.query.page, 10) || 1),
      selectedId: parseInt(route.parts[0], 10) || null,
      items: [],
      seen: null, // ids on the list before a pushed re-fetch, to tell the new ones
      pushed: {}, // ids the socket told of since the last re-fetch
      fresh: {},
      detail: null,
      revealed: null, // {id, mobile}: only for the registration that is open
      busy: false,
      alive: true,
      listTurn: 0,
      detailTurn: 0,
      listingTitle: ''
    };
    var refreshTimer = null;

    // --- Filters ------------------------------------------------------------------

    var kindSelect = forms.select((app.choices && app.choices.registration_kinds) || [], state.filters.kind, '全部类型');
    var statusSelect = forms.select((app.choices && app.choices.registration_statuses) || [], state.filters.status, '全部状态');
    var placeSelect = forms.select(placeOptions(app.places), state.filters.community_id, '全部社区');
    var fromInput = forms.dateInput(state.filters.from);
    var toInput = forms.dateInput(state.filters.to);
    var searchInput = forms.input({ type: 'search', value: state.filters.q, placeholder: '姓名或登记号', maxlength: '40' });
    var exportLink = h('a', { className: 'button', text: '导出CSV', download: '' });
    var listingChip = h('div', { className: 'inbox-chips' });
    var filterForm = h('form', { className: 'inbox-filters', novalidate: 'novalidate', role: 'search' }, [
      h('div', { className: 'toolbar' }, [
        forms.field('类型', 'kind', kindSelect),
        forms.field('状态', 'status', statusSelect),
        forms.field('社区', 'community_id', placeSelect),
        forms.field('日期从', 'from', fromInput),
        forms.field('到', 'to', toInput),
        forms.field('搜索', 'q', searchInput),
        h('div', { className: 'inbox-filter-actions' }, [
          h('button', { type: 'submit', className: 'button primary', text: '筛选' }),
          ui.button('清除', clearFilters)
        ])
      ]),
      // A filter on a listing (from the listing's page) has no control of its own.
      h('div', { className: 'field-error', 'data-error-for': 'listing_id', role: 'alert' })
    ]);
    filterForm.addEventListener('submit', function (event) {
      event.preventDefault();
      if ([fromInput, toInput].map(forms.checkTime).indexOf(null) >= 0) { return; }
      applyFilters(readFilters(), 1);
    });
    [kindSelect, statusSelect, placeSelect].forEach(function (control) {
      control.addEventListener('change', function () { applyFilters(readFilters(), 1); });
    });
    [fromInput, toInput].forEach(function (control) {
      forms.onDate(control, function () {
        var filters = readFilters();
        if (filters.from !== state.filters.from || filters.to !== state.filters.to) { applyFilters(filters, 1); }
      });
    });

    function readFilters() {
      return {
        kind: kindSelect.value,
        status: statusSelect.value,
        listing_id: state.filters.listing_id,
        community_id: placeSelect.value,
        from: forms.toDate(fromInput.value),
        to: forms.toDate(toInput.value),
        q: searchInput.value.replace(/^\s+|\s+$/g, '')
      };
    }

    function clearFilters() {
      kindSelect.value = '';
      statusSelect.value = '';
      placeSelect.value = '';
      fromInput.value = '';
      toInput.value = '';
      searchInput.value = '';
      applyFilters(filtersFrom({}), 1);
    }

    function applyFilters(filters, page) {
      var listingChanged = filters.listing_id !== state.filters.listing_id;
      state.filters = filters;
      state.page = page;
      state.seen = null;
      state.fresh = {};
      writeHash(true);
      loadList(false);
      if (listingChanged) { loadListingMatches(); }
    }

    /* The hash follows the page without re-rendering it: filters and paging add a history
     * step (Back undoes a filter), opening a registration replaces the current one. */
    function writeHash(addStep) {
      var hash = hashFor(state.selectedId, state.filters, state.page);
      if (window.location.hash === hash) { return; }
      if (addStep) {
        window.history.pushState(null, '', hash);
      } else {
        window.history.replaceState(null, '', hash);
      }
    }

    function renderListingChip() {
      dom.clear(listingChip);
      if (!state.filters.listing_id) { return; }
      var title = state.listingTitle ? '「' + state.listingTitle + '」' : ' #' + state.filters.listing_id + ' ';
      listingChip.appendChild(h('span', { className: 'inbox-chip' }, [
        '只看信息' + title + '的登记',
        ui.button('×', function () {
          state.listingTitle = '';
          applyFilters(Object.assign({}, readFilters(), { listing_id: '' }), 1);
          renderListingChip();
        }, 'button small', { 'aria-label': '不再只看这条信息', title: '不再只看这条信息' })
      ]));
    }

    // --- The list -----------------------------------------------------------------

    var listArea = h('div', { className: 'inbox-list', 'aria-live': 'polite' }, h('p', { className: 'loading', text: '正在加载…' }));
    var detailArea = h('div', { className: 'inbox-detail' });
    var matchesArea = h('div', { className: 'inbox-listing-matches' });

    function exportHref() {
      return '/admin/api/registrations.csv' + api.query(state.filters);
    }

    function loadList(pushed) {
      var turn = ++state.listTurn;
      var query = Object.assign({}, state.filters, { page: state.page, per_page: PER_PAGE });
      api.get('/admin/api/registrations' + api.query(query), function (error, data) {
        if (!state.alive || turn !== state.listTurn) { return; }
        if (error) {
          forms.showErrors(filterForm, error);
          exportLink.removeAttribute('href');
          exportLink.setAttribute('aria-disabled', 'true');
          dom.replace(listArea, h('p', { className: 'empty', text: filterProblem(error) }));
          return;
        }
        forms.clearErrors(filterForm);
        exportLink.setAttribute('href', exportHref());
        exportLink.removeAttribute('aria-disabled');
        // New to this list and told of by the socket: not a row that moved down a page.
        if (pushed && state.seen) {
          data.items.forEach(function (item) {
            if (!state.seen[item.id] && state.pushed[item.id]) { state.fresh[item.id] = true; }
          });
        }
        if (pushed) { state.pushed = {}; }
        state.seen = {};
        data.items.forEach(function (item) { state.seen[item.id] = true; });
        state.items = data.items;
        if (state.filters.listing_id && !state.listingTitle) {
          data.items.forEach(function (item) {
            if (item.listing && String(item.listing.id) === String(state.filters.listing_id)) { state.listingTitle = item.listing.title; }
          });
          renderListingChip();
        }
        renderList(data);
      });
    }

    /* What the list says when it cannot load: field messages are beside their fields,
     * so only those with no field here (and errors that name none) are spelled out. */
    function filterProblem(error) {
      var loose = [];
      var any = false;
      for (var name in error.fields) {
        if (!error.fields.hasOwnProperty(name)) { continue; }
        any = true;
        if (!filterForm.querySelector('[data-error-for="' + name + '"]')) { loose.push(error.fields[name]); }
      }
      if (!any) { return error.message; }
      return loose.length ? '筛选条件有误：' + loose.join('；') : '筛选条件有误，请按红字提示修改';
    }

    function rowAttributes(item) {
      var classes = ['clickable'];
      if (item.id === state.selectedId) { classes.push('selected'); }
      if (state.fresh[item.id]) { classes.push('fresh'); }
      return { className: classes.join(' '), 'data-id': String(item.id) };
    }

    var COLUMNS = [
      { title: '时间', className: 'nowrap', cell: function (item) { return forms.when(item.created_at); } },
      { title: '类型', className: 'nowrap', cell: function (item) { return item.kind_name; } },
      { title: '状态', cell: function (item) { return statusPill(item.status, item.status_name); } },
      {
        title: '姓名',
        cell: function (item) {
          return h('a', { href: hashFor(item.id, state.filters, state.page), className: 'open-registration', 'data-id': String(item.id), text: item.name || '（未留姓名）' });
        }
      },
      { title: '手机', className: 'nowrap mobile', cell: function (item) { return item.mobile; } },
      { title: '社区', cell: function (item) { return item.community.name; } },
      { title: '信息', className: 'inbox-about', cell: function (item) { return item.listing ? item.listing.title : '—'; } }
    ];

    function renderList(data) {
      var empty = hasFilters() ? '没有符合条件的登记' : '还没有登记';
      var table = ui.table(COLUMNS, data.items, empty, rowAttributes);
      table.addEventListener('click', function (event) {
        var row = event.target.closest ? event.target.closest('tr[data-id]') : null;
        if (!row) { return; }
        var link = event.target.closest('a');
        if (link && !plainClick(event)) { return; } // a new tab opens by itself
        event.preventDefault();
        select(parseInt(row.getAttribute('data-id'), 10));
      });
      dom.replace(listArea, [
        table,
        data.total ? ui.pager(data.total, data.page, data.per_page, function (page) { applyFilters(state.filters, page); }) : null
      ]);
    }

    function hasFilters() {
      return FILTERS.some(function (key) { return state.filters[key]; });
    }

    function markSelectedRow() {
      var rows = listArea.querySelectorAll('tr[data-id]');
      for (var i = 0; i < rows.length; i++) {
        var id = parseInt(rows[i].getAttribute('data-id'), 10);
        rows[i].className = rowAttributes({ id: id }).className;
      }
    }

    function select(id) {
      if (state.fresh[id]) { delete state.fresh[id]; }
      state.selectedId = id;
      writeHash(false);
      markSelectedRow();
      loadDetail(true);
    }

    // New and changed registrations arrive over the socket; the server already sent only
    // those in this staff member's scope, and the re-fetch applies the page's filters.
    app.registrationListeners.push(function (line) {
      state.pushed[line.id] = true;
      window.clearTimeout(refreshTimer);
      refreshTimer = window.setTimeout(function () { loadList(true); }, REFRESH_DELAY_MS);
      if (line.id === state.selectedId && state.detail && line.updated_at !== state.detail.updated_at && !state.busy) {
        detailChangedElsewhere();
      }
    });

    // --- One registration ---------------------------------------------------------

    function loadDetail(fromList) {
      var id = state.selectedId;
      var turn = ++state.detailTurn;
      if (!id) {
        state.detail = null;
        renderNothingOpen();
        return;
      }
      if (fromList || !state.detail || state.detail.id !== id) {
        dom.replace(detailArea, ui.section('登记详情', h('p', { className: 'loading', text: '正在加载…' }), 'inbox-panel'));
      }
      if (!state.revealed || state.revealed.id !== id) { state.revealed = null; }
      api.get('/admin/api/registrations/' + id, function (error, detail) {
        if (!state.alive || turn !== state.detailTurn) { return; }
        if (error) {
          state.detail = null;
          dom.replace(detailArea, ui.section('登记详情', ui.errorBox(error), 'inbox-panel'));
          return;
        }
        showDetail(detail);
      });
    }

    function renderNothingOpen() {
      dom.replace(detailArea, h('section', { className: 'panel inbox-panel inbox-placeholder' }, [
        h('p', { className: 'hint', text: '点一条登记，在这里查看详情和跟进。' }),
        h('p', { className: 'hint', text: '新登记会自动出现在列表最上面，并用黄色标出。' })
      ]));
    }

    /* Someone else moved the open registration: reload it, unless a note is being typed. */
    function detailChangedElsewhere() {
      var note = detailArea.querySelector('[data-field="note"]');
      if (note && note.value) {
        var hint = detailArea.querySelector('.inbox-stale');
        if (hint) {
          dom.replace(hint, ['这条登记刚被更新了。', ui.button('刷新', function () { loadDetail(false); }, 'button small')]);
        }
        return;
      }
      loadDetail(false);
    }

    function showDetail(detail) {
      state.detail = detail;
      var facts = [
        ['姓名', detail.name || '（未留姓名）'],
        ['手机', mobileCell(detail)],
        ['社区', detail.community.name]
      ];
      if (detail.listing) {
        facts.push([detail.listing.kind_name, h('span', {}, [
          ui.link(detail.listing.title, '#/listings/' + detail.listing.id),
          detail.listing.employer ? h('span', { className: 'hint', text: '（' + detail.listing.employer + '）' }) : null
        ])]);
      }
      detail.details.forEach(function (item) { facts.push([item.label, item.text]); });
      facts.push(['同意时间', forms.when(detail.consented_at)]);

      dom.replace(detailArea, h('section', { className: 'panel inbox-panel', 'aria-label': '登记详情' }, [
        h('div', { className: 'inbox-detail-head' }, [
          h('h2', { text: detail.kind_name }),
          statusPill(detail.status, detail.status_name),
          ui.link('操作记录', '#/audit?entity_type=registration&entity_id=' + detail.id, 'inbox-audit-link')
        ]),
        h('p', { className: 'hint inbox-meta', text: '登记号 ' + detail.reference + ' · ' + detail.channel_name + ' · ' + forms.when(detail.created_at) + ' 登记' }),
        h('dl', { className: 'inbox-facts' }, facts.map(function (fact) {
          return [h('dt', { text: fact[0] }), h('dd', {}, fact[1])];
        })),
        followUp(detail),
        WORKER_KINDS[detail.kind] ? jobMatches(detail) : null
      ]));
    }

    function mobileCell(detail) {
      if (state.revealed && state.revealed.id === detail.id) {
        return h('span', { className: 'inbox-mobile' }, [
          h('strong', { className: 'mobile-full', text: window.screens.format.mobile(state.revealed.mobile) }),
          h('span', { className: 'hint inbox-reveal-note', text: '已查看完整号码，这次查看已记入操作记录' })
        ]);
      }
      var wrap = h('span', { className: 'inbox-mobile' });
      var reveal = ui.button('查看完整号码', function () {
        reveal.disabled = true;
        api.post('/admin/api/registrations/' + detail.id + '/reveal', {}, function (error, data) {
          if (!state.alive || state.selectedId !== detail.id) { return; }
          reveal.disabled = false;
          if (error) {
            ui.notice(error.message, 'warn');
            return;
          }
          state.revealed = { id: detail.id, mobile: data.mobile };
          dom.replace(wrap.parentNode, mobileCell(detail));
        });
      }, 'button small', { title: '查看会记入操作记录' });
      dom.append(wrap, [h('span', { className: 'mobile', text: detail.mobile }), ' ', reveal]);
      return wrap;
    }

    function followUp(detail) {
      var note = forms.input({ maxlength: String(NOTE_MAX), placeholder: '例如：电话打通，约下周一来站里', autocomplete: 'off' });
      var counter = h('span', { className: 'hint inbox-counter', text: '0/' + NOTE_MAX });
      note.addEventListener('input', function () { counter.textContent = note.value.length + '/' + NOTE_MAX; });
      var buttons = detail.next_statuses.map(function (next) {
        return ui.button(MOVE_WORDS[next.status] || next.name, function () { send(next.status); },
          next.status === 'closed' ? 'button small danger' : 'button small primary', { 'data-status': next.status });
      });
      buttons.push(ui.button('只加备注', function () { send(detail.status); }, 'button small', { 'data-status': detail.status }));
      var form = h('form', { className: 'inbox-follow-up', novalidate: 'novalidate' }, [
        h('h3', { text: '跟进' }),
        detail.notes.length ?
          h('ol', { className: 'notes' }, detail.notes.map(function (line) { return h('li', { text: line }); })) :
          h('p', { className: 'hint', text: '还没有跟进记录' }),
        h('div', { className: 'inbox-stale hint', 'aria-live': 'polite' }),
        forms.formError(),
        forms.field('备注', 'note', note),
        counter,
        h('div', { className: 'inbox-moves' }, buttons),
        h('div', { className: 'field-error', 'data-error-for': 'status', role: 'alert' })
      ]);
      // Enter in the note adds it alone; moving the status is always a button press.
      form.addEventListener('submit', function (event) {
        event.preventDefault();
        send(detail.status);
      });

      function send(status) {
        if (state.busy) { return; }
        state.busy = true;
        buttons.forEach(function (button) { button.disabled = true; });
        api.post('/admin/api/registrations/' + detail.id + '/status', { status: status, note: note.value }, function (error, updated) {
          state.busy = false;
          if (!state.alive || state.selectedId !== detail.id) { return; }
          buttons.forEach(function (button) { button.disabled = false; });
          if (error) {
            forms.showErrors(form, error);
            return;
          }
          ui.notice(status === detail.status ? '备注已记下' : '已改为“' + updated.status_name + '”');
          showDetail(updated);
          updateRow(updated);
        });
      }
      return form;
    }

    /* The list shows the new status at once; the pushed line re-fetches it shortly after. */
    function updateRow(updated) {
      var row = listArea.querySelector('tr[data-id="' + updated.id + '"]');
      if (!row) { return; }
      var cell = row.children[2];
      dom.replace(cell, statusPill(updated.status, updated.status_name));
    }

    /* Open jobs that reach this person's community, best fit first, with the reasons. */
    function jobMatches(detail) {
      var area = h('div', { className: 'inbox-matches' }, [
        h('h3', { text: '合适的岗位' }),
        h('p', { className: 'loading', text: '正在匹配…' })
      ]);
      api.get('/admin/api/registrations/' + detail.id + '/matches' + api.query({ limit: MATCH_LIMIT }), function (error, data) {
        if (!state.alive || !state.detail || state.detail.id !== detail.id) { return; }
        var body;
        if (error) {
          body = ui.errorBox(error);
        } else if (!data.items.length) {
          body = h('p', { className: 'empty', text: '在 ' + data.considered + ' 个在招岗位里没有找到合适的' });
        } else {
          body = [
            h('p', { className: 'hint', text: '从 ' + data.considered + ' 个在招岗位里按合适程度排列' }),
            h('ol', { className: 'match-list' }, data.items.map(function (found) {
              var job = found.listing;
              var facts = [job.employer, job.category_name, job.pay_text, job.work_hours, job.site ? job.site.name : job.target.name]
                .filter(function (text) { return text; }).join(' · ');
              return h('li', { className: 'match' }, [
                h('div', { className: 'match-head' }, [
                  ui.link(job.title, '#/listings/' + job.id),
                  h('span', { className: 'match-score', text: found.score + '分' })
                ]),
                h('div', { className: 'hint', text: facts }),
                reasonList(found)
              ]);
            }))
          ];
        }
        dom.replace(area, [h('h3', { text: '合适的岗位' }), body]);
      });
      return area;
    }

    function reasonList(found) {
      var lines = found.reasons.map(function (text) { return h('li', { className: 'reason', text: text }); })
        .concat(found.concerns.map(function (text) { return h('li', { className: 'concern', text: text }); }));
      return lines.length ? h('ul', { className: 'match-reasons' }, lines) : null;
    }

    // --- People who fit the job the list is filtered by -----------------------------

    function loadListingMatches() {
      dom.clear(matchesArea);
      var listingId = state.filters.listing_id;
      if (!listingId) { return; }
      api.get('/admin/api/listings/' + encodeURIComponent(listingId) + '/matches' + api.query({ limit: 20 }), function (error, data) {
        if (!state.alive || state.filters.listing_id !== listingId) { return; }
        // Only a job has people to match; any other listing simply has no such panel.
        if (error) {
          if (error.code !== 'not_a_job' && error.status !== 404 && error.status !== 422) {
            dom.replace(matchesArea, ui.section('适合这个岗位的人', ui.errorBox(error), 'inbox-panel'));
          }
          return;
        }
        state.listingTitle = data.listing.title;
        renderListingChip();
        var body;
        if (!data.items.length) {
          body = h('p', { className: 'empty', text: '在 ' + data.considered + ' 位求职和零工登记里没有找到合适的' });
        } else {
          body = [
            h('p', { className: 'hint', text: '从 ' + data.considered + ' 位还在跟进的求职和零工登记里按合适程度排列' }),
            h('ol', { className: 'match-list' }, data.items.map(function (found) {
              var person = found.registration;
              var open = h('a', { href: hashFor(person.id, state.filters, state.page), text: person.name || '（未留姓名）' });
              open.addEventListener('click', function (event) {
                if (!plainClick(event)) { return; }
                event.preventDefault();
                select(person.id);
              });
              var wanted = person.details.filter(function (item) {
                return item.key === 'wanted' || item.key === 'skills' || item.key === 'trades' || item.key === 'availability';
              }).map(function (item) { return item.label + '：' + item.text; }).join('；');
              return h('li', { className: 'match' }, [
                h('div', { className: 'match-head' }, [
                  open,
                  h('span', { className: 'mobile', text: person.mobile }),
                  statusPill(person.status, person.status_name),
                  h('span', { className: 'match-score', text: found.score + '分' })
                ]),
                h('div', { className: 'hint', text: person.kind_name + ' · ' + person.community.name + (wanted ? ' · ' + wanted : '') }),
                reasonList(found)
              ]);
            }))
          ];
        }
        dom.replace(matchesArea, h('section', { className: 'panel inbox-panel' }, [
          h('h2', { text: '适合「' + data.listing.title + '」的人' }),
          body
        ]));
      });
    }

    // --- The page -----------------------------------------------------------------

    dom.append(main, [
      h('div', { className: 'page-head' }, [
        h('h1', { text: '登记跟进' }),
        h('div', { className: 'inbox-head-side' }, [
          h('span', { className: 'hint', text: '手机号只显示前三位和后四位；查看完整号码会记入操作记录' }),
          exportLink
        ])
      ]),
      filterForm,
      listingChip,
      h('div', { className: 'columns inbox' }, [
        h('div', { className: 'inbox-main' }, [listArea, matchesArea]),
        h('aside', { className: 'inbox-side', 'aria-label': '选中的登记' }, detailArea)
      ])
    ]);
    renderListingChip();
    loadList(false);
    loadDetail(true);
    loadListingMatches();

    return function () {
      state.alive = false;
      window.clearTimeout(refreshTimer);
    };
  }

  window.admin.pages = window.admin.pages || {};
  window.admin.pages.registrations = registrations;
})(window);
