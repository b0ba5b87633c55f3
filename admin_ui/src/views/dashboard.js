/* 概览, the landing page: what is on the screens, who registered this week and where,
 * how follow-ups ended, and how many screens are online. Refreshed every 30 seconds. */
(function (window) {
  'use strict';

  var document = window.document;
  var dom = window.screens.dom;
  var h = dom.h;
  var api = window.admin.api;
  var ui = window.admin.ui;

  var REFRESH_MS = 30000;
  var CHINA_OFFSET_MS = 8 * 3600 * 1000;
  var SVG_NS = 'http://www.w3.org/2000/svg';
  var WEEKDAYS = '日一二三四五六';

  function pad(n) { return n < 10 ? '0' + n : String(n); }

  /* "14:05:09" in China time; the server's time when it says, else this PC's. */
  function clock(iso) {
    var ms = Date.parse(iso || '');
    if (isNaN(ms)) { ms = Date.now(); }
    var d = new Date(ms + CHINA_OFFSET_MS);
    return pad(d.getUTCHours()) + ':' + pad(d.getUTCMinutes()) + ':' + pad(d.getUTCSeconds());
  }

  /* "2026-11-22" → {short: "11/22", long: "11月22日", weekday: "周日"} */
  function dayNames(day) {
    var bits = String(day).split('-');
    var month = Number(bits[1]);
    var date = Number(bits[2]);
    var weekday = new Date(Date.UTC(Number(bits[0]), month - 1, date)).getUTCDay();
    return { short: month + '/' + date, long: month + '月' + date + '日', weekday: '周' + WEEKDAYS.charAt(weekday) };
  }

  /* The SVG counterpart of dom.h: attributes set as attributes, text as text. */
  function s(tag, attributes, children) {
    var element = document.createElementNS(SVG_NS, tag);
    for (var name in attributes) {
      if (attributes.hasOwnProperty(name) && attributes[name] !== null && attributes[name] !== undefined) {
        if (name === 'text') {
          element.appendChild(document.createTextNode(String(attributes[name])));
        } else {
          element.setAttribute(name === 'className' ? 'class' : name, String(attributes[name]));
        }
      }
    }
    (children || []).forEach(function (child) { if (child) { element.appendChild(child); } });
    return element;
  }

  function figure(label, value, detail, attributes) {
    return h('div', Object.assign({ className: 'figure' }, attributes || {}), [
      h('div', { className: 'label', text: label }),
      h('div', { className: 'value', text: String(value) }),
      detail ? h('div', { className: 'dashboard-detail' }, detail) : null
    ]);
  }

  function figures(data) {
    var kinds = data.listings_by_kind || [];
    var total = 0;
    kinds.forEach(function (item) { total += item.count; });
    var byKind = kinds.map(function (item, index) {
      return h('span', { 'data-kind': item.kind, 'data-count': String(item.count) },
        (index ? ' · ' : '') + item.name + ' ' + item.count);
    });
    var week = data.registrations_week || { total: 0, since: null };
    var screens = data.screens || {};
    var tv = screens.tv || { online: 0, total: 0 };
    var kiosk = screens.kiosk || { online: 0, total: 0 };
    return h('div', { className: 'figures' }, [
      figure('在架信息', total, byKind, { 'data-figure': 'listings' }),
      figure('本周登记', week.total, week.since ? '自 ' + dayNames(week.since).long + '（' + dayNames(week.since).weekday + '）起' : null,
        { 'data-figure': 'week' }),
      figure('在线电视', tv.online, '共 ' + tv.total + ' 台', { 'data-figure': 'tv' }),
      figure('在线自助机', kiosk.online, '共 ' + kiosk.total + ' 台', { 'data-figure': 'kiosk' })
    ]);
  }

  /* Registrations per day as bars with the day under each and the count above it. The
   * picture is one image to a screen reader; the same numbers follow as a hidden table. */
  function dailyChart(days) {
    var slot = 52;
    var top = 22;
    var plot = 150;
    var width = slot * days.length + 16;
    var height = top + plot + 40;
    var most = 0;
    var total = 0;
    var busiest = null;
    days.forEach(function (day) {
      total += day.count;
      if (day.count > most) {
        most = day.count;
        busiest = day;
      }
    });
    var scale = most ? plot / most : 0;
    var baseline = top + plot;
    var bars = days.map(function (day, index) {
      var names = dayNames(day.day);
      var x = 8 + index * slot;
      var barHeight = Math.round(day.count * scale);
      var today = index === days.length - 1;
      return s('g', { className: today ? 'day today' : 'day' }, [
        s('title', { text: names.long + names.weekday + '：' + day.count + ' 条登记' }),
        s('rect', {
          className: 'bar', x: x + 8, y: baseline - barHeight, width: slot - 16, height: barHeight,
          'data-day': day.day, 'data-count': day.count
        }),
        s('text', { x: x + slot / 2, y: baseline - barHeight - 6, 'text-anchor': 'middle', className: 'count', text: day.count }),
        s('text', { x: x + slot / 2, y: baseline + 16, 'text-anchor': 'middle', text: names.short }),
        s('text', { x: x + slot / 2, y: baseline + 32, 'text-anchor': 'middle', text: today ? '今天' : names.weekday })
      ]);
    });
    var summary = '近' + days.length + '天共 ' + total + ' 条登记' +
      (busiest ? '，最多的一天是' + dayNames(busiest.day).long + '，' + busiest.count + ' 条' : '');
    var chart = s('svg', {
      className: 'chart dashboard-daily', viewBox: '0 0 ' + width + ' ' + height,
      role: 'img', 'aria-label': summary, preserveAspectRatio: 'xMidYMid meet'
    }, [s('line', { className: 'axis', x1: 4, x2: width - 4, y1: baseline + 0.5, y2: baseline + 0.5 })].concat(bars));
    var table = h('table', { className: 'dashboard-days' }, [
      h('caption', { text: '每天的登记数' }),
      h('thead', {}, h('tr', {}, [h('th', { scope: 'col', text: '日期' }), h('th', { scope: 'col', text: '登记' })])),
      h('tbody', {}, days.map(function (day) {
        var names = dayNames(day.day);
        return h('tr', {}, [h('td', { text: names.long + names.weekday }), h('td', { text: String(day.count) })]);
      }))
    ]);
    // The summary is the chart's own label already; shown, but said once.
    return [h('p', { className: 'hint', 'aria-hidden': 'true', text: summary }), chart, h('div', { className: 'dashboard-hidden' }, table)];
  }

  function stationTable(week) {
    var rows = (week && week.by_station) || [];
    return ui.table([
      // A registration taken away from a kiosk (on a phone or a TV) is counted by its channel.
      { title: '站点 / 渠道', cell: function (row) { return row.name; } },
      { title: '登记', cell: function (row) { return String(row.count); }, className: 'num' }
    ], rows, '本周还没有登记', function (row) { return { 'data-site-id': row.site_id === null ? null : String(row.site_id) }; });
  }

  /* Follow-up outcomes: a table whose third column is a bar for the eye (hidden from readers). */
  function outcomeTable(outcomes) {
    var most = 0;
    (outcomes || []).forEach(function (row) { most = Math.max(most, row.count); });
    return ui.table([
      { title: '跟进状态', cell: function (row) { return row.name; } },
      { title: '人数', cell: function (row) { return String(row.count); }, className: 'num' },
      {
        title: '',
        className: 'dashboard-bar-cell',
        cell: function (row) {
          var share = most ? Math.round(row.count * 100 / most) : 0;
          return h('div', { className: 'dashboard-hbar status-' + row.status, 'aria-hidden': 'true' },
            h('div', { style: 'width:' + share + '%' }));
        }
      }
    ], outcomes || [], '还没有登记', function (row) { return { 'data-status': row.status }; });
  }

  function page(main, route, app) {
    var closed = false;
    var latest = 0; // only the newest request's answer is shown
    var timer = null;
    var updated = h('span', { className: 'hint' });
    var body = h('div', { className: 'dashboard' }, h('p', { className: 'loading', text: '正在读取…' }));
    var title = h('h1', { text: '概览' });

    function render(data) {
      if (data.scope && data.scope.name) { title.textContent = '概览 · ' + data.scope.name; }
      dom.replace(body, [
        figures(data),
        h('div', { className: 'columns' }, [
          ui.section('近14天每天的登记', dailyChart(data.registrations_daily || []), 'dashboard-chart'),
          h('div', {}, [
            ui.section('本周各站点的登记', stationTable(data.registrations_week)),
            ui.section('近30天登记的跟进情况', outcomeTable(data.outcomes))
          ])
        ])
      ]);
    }

    function load() {
      if (closed) { return; }
      var mine = ++latest;
      api.get('/admin/api/dashboard', function (error, data) {
        if (closed || mine !== latest) { return; }
        if (error) {
          // Keep what was shown; say the refresh failed.
          if (!body.querySelector('.figures')) { dom.replace(body, ui.errorBox(error)); }
          updated.textContent = '刷新失败：' + error.message;
          return;
        }
        render(data);
        updated.textContent = '更新于 ' + clock(data.generated_at);
      });
    }

    main.appendChild(h('div', { className: 'page-head' }, [
      title,
      h('div', { className: 'status-line' }, [updated, ui.button('刷新', load, 'button')])
    ]));
    main.appendChild(body);
    load();
    timer = window.setInterval(load, REFRESH_MS);
    return function () {
      closed = true;
      window.clearInterval(timer);
    };
  }

  window.admin.pages = window.admin.pages || {};
  window.admin.pages.dashboard = page;
})(window);
