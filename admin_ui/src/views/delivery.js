/* Proof a change arrived: how many online screens in scope have applied the listing's or
 * announcement's latest change, and which have not. Polled each second for the first
 * minute after a change (screens ack within about a second), then every ten. */
(function (window) {
  'use strict';

  var h = window.screens.dom.h;
  var dom = window.screens.dom;
  var api = window.admin.api;
  var ui = window.admin.ui;
  var forms = window.admin.forms;

  var FAST_MS = 1000;
  var SLOW_MS = 10000;
  var FAST_FOR_MS = 60000;

  function screenName(screen) {
    return (screen.kind === 'tv' ? '电视' : '自助机') + ' ' + (screen.label || '#' + screen.id);
  }

  function render(area, data) {
    var totals = data.totals;
    if (data.seq === null) {
      dom.replace(area, [
        h('p', { className: 'delivery-count', 'data-reach': String(totals.screens),
          text: '发布后将送达 ' + totals.screens + ' 块屏幕' }),
        h('p', { className: 'hint', text: '其中现在在线 ' + totals.online + ' 块；离线的屏幕上线后会自动补收。' })
      ]);
      return;
    }
    var percent = totals.online ? Math.round(100 * totals.online_applied / totals.online) : 100;
    // The counts are of every screen; the list is the first page, those still waiting first.
    var waitingCount = totals.online - totals.online_applied;
    var waiting = data.screens.filter(function (screen) { return screen.online && !screen.applied; });
    var verb = data.op === 'remove' ? '已撤下' : '已显示';
    dom.replace(area, [
      h('p', { className: 'delivery-count', 'data-applied': String(totals.online_applied), 'data-online': String(totals.online),
        text: '在线屏幕' + verb + ' ' + totals.online_applied + ' / ' + totals.online }),
      h('div', { className: 'delivery-bar', role: 'progressbar', 'aria-valuemin': '0', 'aria-valuemax': '100',
        'aria-valuenow': String(percent), 'aria-label': '送达进度' }, h('div', { style: 'width:' + percent + '%' })),
      h('p', { className: 'hint', text: '范围「' + data.target.name + '」内共 ' + totals.screens + ' 块屏幕，离线 ' +
        (totals.screens - totals.online) + ' 块（上线后会自动补收）。' }),
      waiting.length ? h('h3', { text: '在线但还没收到（' + waitingCount + ' 块）' }) : null,
      waiting.length ? ui.table([
        { title: '屏幕', cell: screenName },
        { title: '社区', cell: function (s) { return s.community.name; } },
        { title: '最后联系', cell: function (s) { return forms.when(s.last_seen_at); } }
      ], waiting) : null,
      waitingCount > waiting.length ? h('p', { className: 'hint', text: '只列出前 ' + waiting.length + ' 块。' }) : null
    ]);
  }

  /* {element, restart(), stop()}: restart after a publish, edit or withdrawal. */
  function panel(url, title) {
    var area = h('div', { className: 'delivery' }, h('p', { className: 'loading', text: '正在统计…' }));
    var timer = null;
    var fastUntil = 0;
    var stopped = false;
    // A restart while a request is out must not leave two polling loops behind.
    var generation = 0;

    function tick() {
      var mine = generation;
      api.get(url, function (error, data) {
        if (stopped || mine !== generation) { return; }
        if (error) {
          dom.replace(area, ui.errorBox(error));
        } else {
          render(area, data);
        }
        timer = window.setTimeout(tick, Date.now() < fastUntil ? FAST_MS : SLOW_MS);
      });
    }

    function restart() {
      fastUntil = Date.now() + FAST_FOR_MS;
      generation += 1;
      window.clearTimeout(timer);
      tick();
    }

    function stop() {
      stopped = true;
      window.clearTimeout(timer);
    }

    restart();
    return { element: ui.section(title || '送达情况', area, 'delivery-panel'), restart: restart, stop: stop };
  }

  /* Whom a withdrawal reaches, for its confirmation: "「黄岛街道」范围内的 3 块屏幕", or,
   * if the count cannot be had now, "所有显示它的屏幕". */
  function reach(url, callback) {
    api.get(url + api.query({ per_page: 1 }), function (error, data) {
      if (error) { return callback('所有显示它的屏幕'); }
      callback('「' + data.target.name + '」范围内的 ' + data.totals.screens + ' 块屏幕');
    });
  }

  window.admin = window.admin || {};
  window.admin.delivery = { panel: panel, reach: reach };
})(window);
