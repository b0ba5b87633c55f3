/* The console: log in, then one page per hash route (#/listings/12), with the nav beside.
 * Pages are functions (main, params, app) that may return a clean-up for when staff leave. */
(function (window) {
  'use strict';

  var document = window.document;
  var dom = window.screens.dom;
  var h = dom.h;
  var api = window.admin.api;
  var ui = window.admin.ui;

  var NAV = [
    { route: 'dashboard', text: '概览' },
    { route: 'listings', text: '信息发布' },
    { route: 'announcements', text: '紧急通知' },
    { route: 'registrations', text: '登记跟进' },
    { route: 'screens', text: '屏幕' },
    { route: 'audit', text: '操作记录' },
    { route: 'staff', text: '账号管理', cityAdminOnly: true }
  ];

  var app = {
    staff: null,
    choices: null,
    places: null,
    sites: null,
    socket: null,
    unseen: 0,
    registrationListeners: [],
    cleanup: null
  };

  function root() { return document.getElementById('app'); }

  /* #/listings/12 → {page: 'listings', parts: ['12'], params: {…query}} */
  function parseHash() {
    var hash = window.location.hash.replace(/^#\/?/, '');
    var query = {};
    var mark = hash.indexOf('?');
    if (mark >= 0) {
      hash.slice(mark + 1).split('&').forEach(function (pair) {
        var bits = pair.split('=');
        if (bits[0]) { query[decodeURIComponent(bits[0])] = decodeURIComponent(bits[1] || ''); }
      });
      hash = hash.slice(0, mark);
    }
    var parts = hash.split('/').filter(function (part) { return part; });
    return { page: parts.shift() || 'dashboard', parts: parts, query: query };
  }

  app.go = function (hash) {
    if (window.location.hash === hash) { render(); } else { window.location.hash = hash; }
  };

  /* The /staff socket: new registrations and callback requests arrive without a reload. */
  function connectInbox() {
    if (app.socket || !window.io) { return; }
    app.socket = window.io('/staff', { transports: ['websocket', 'polling'] });
    app.socket.on('registration', function (line) {
      if (parseHash().page !== 'registrations') {
        app.unseen += 1;
        updateBadge();
        ui.notice('新登记：' + line.kind_name + ' · ' + line.community.name, 'info');
      }
      app.registrationListeners.forEach(function (listener) { listener(line); });
    });
  }

  function disconnectInbox() {
    if (app.socket) { app.socket.disconnect(); }
    app.socket = null;
  }

  function updateBadge() {
    var badge = document.getElementById('inbox-badge');
    if (!badge) { return; }
    badge.textContent = app.unseen ? String(app.unseen) : '';
    badge.style.display = app.unseen ? '' : 'none';
  }

  /* The scope's places and sites and the names of things: loaded once a login. */
  function loadReference(done) {
    var pending = 2;
    var failed = null;
    function one(error) {
      failed = failed || error;
      pending -= 1;
      if (pending === 0) { done(failed); }
    }
    api.get('/admin/api/choices', function (error, data) { app.choices = data; one(error); });
    app.refreshPlaces(one);
  }

  /* Screen counts change as screens come and go: pages that show them ask again. */
  app.refreshPlaces = function (done) {
    api.get('/admin/api/places', function (error, data) {
      if (data) {
        app.places = data.items;
        app.sites = data.sites;
      }
      if (done) { done(error); }
    });
  };

  app.choice = function (list, value) {
    var items = (app.choices && app.choices[list]) || [];
    for (var i = 0; i < items.length; i++) { if (items[i].value === value) { return items[i].name; } }
    return value;
  };

  function layout() {
    var links = NAV.filter(function (item) {
      return !item.cityAdminOnly || app.staff.role === 'city_admin';
    }).map(function (item) {
      var children = [item.text];
      if (item.route === 'registrations') {
        children.push(h('span', { id: 'inbox-badge', className: 'badge', style: 'display:none', 'aria-label': '条新登记' }));
      }
      return h('a', { href: '#/' + item.route, 'data-route': item.route }, children);
    });
    dom.replace(root(), [
      h('header', { className: 'topbar' }, [
        h('div', { className: 'brand', text: '就享家 · 管理后台' }),
        h('div', { id: 'notices', className: 'notices', 'aria-live': 'polite' }),
        h('div', { className: 'who' }, [
          h('span', { text: app.staff.display_name + '（' + app.staff.role_name + '，' + app.staff.scope.name + '）' }),
          ui.button('退出', logOut, 'button small')
        ])
      ]),
      h('nav', { className: 'sidebar', 'aria-label': '主菜单' }, links),
      h('main', { id: 'main', tabindex: '-1' })
    ]);
    updateBadge();
  }

  function render() {
    if (!app.staff) { return; }
    if (app.cleanup) {
      app.cleanup();
      app.cleanup = null;
    }
    app.registrationListeners = [];
    var route = parseHash();
    var page = window.admin.pages[route.page];
    var items = root().querySelectorAll('.sidebar a');
    for (var i = 0; i < items.length; i++) {
      items[i].className = items[i].getAttribute('data-route') === route.page ? 'current' : '';
    }
    if (route.page === 'registrations') {
      app.unseen = 0;
      updateBadge();
    }
    var main = document.getElementById('main');
    dom.clear(main);
    if (!page) {
      main.appendChild(h('p', { className: 'empty', text: '没有这个页面' }));
      return;
    }
    app.cleanup = page(main, route, app) || null;
  }

  function enter(staff) {
    app.staff = staff;
    loadReference(function (error) {
      if (error) {
        dom.replace(root(), ui.errorBox(error));
        return;
      }
      layout();
      connectInbox();
      render();
    });
  }

  function logOut() {
    api.remove('/admin/api/session', function () {
      leave();
    });
  }

  function leave() {
    if (app.cleanup) { app.cleanup(); }
    app.cleanup = null;
    app.staff = null;
    disconnectInbox();
    window.admin.pages.login(root(), enter);
  }

  app.start = function () {
    api.state.onLoggedOut = function () { if (app.staff) { leave(); } };
    window.addEventListener('hashchange', render);
    api.get('/admin/api/session', function (error, data) {
      if (error) {
        dom.replace(root(), ui.errorBox(error));
        return;
      }
      if (data.staff) { enter(data.staff); } else { window.admin.pages.login(root(), enter); }
    });
  };

  window.admin.pages = window.admin.pages || {};
  window.admin.app = app;
})(window);
