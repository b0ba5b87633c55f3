/* The admin JSON API over shared_ui/http.js: the one place that sends the CSRF
 * token and reads our error shape. Every callback gets (error, data): error is
 * null or {status, code, message, fields}. */
(function (window) {
  'use strict';

  var http = window.screens.http;
  var state = { csrf: '', onLoggedOut: null, renewing: false };

  var NETWORK_ERROR = { status: 0, code: 'network', message: '连不上服务器，请检查网络后再试', fields: {} };

  function toError(status, data, xhr) {
    var body = data && data.error ? data.error : {};
    var wait = status === 429 ? http.retryAfter(xhr) : 0;
    return {
      status: status,
      code: body.code || 'http_' + status,
      message: body.message || (wait ? '操作太频繁，请' + wait + '秒后再试' : '出错了（' + status + '），请稍后再试'),
      fields: body.fields || {}
    };
  }

  function send(method, url, body, done) {
    var headers = method === 'GET' ? {} : { 'X-CSRFToken': state.csrf };
    http.request(method, url, body, headers, function (status, data, xhr) {
      if (status === 0) { return done(NETWORK_ERROR, null); }
      if (data && data.csrf_token) { state.csrf = data.csrf_token; }
      if (status >= 200 && status < 300) { return done(null, data); }
      var error = toError(status, data, xhr);
      if (error.code === 'login_required') { loggedOut(); }
      done(error, null);
    });
  }

  /* A session that ended elsewhere (expiry, logout, password reset) sends staff
   * back to the login, once the token of the new session is known: the ended
   * session's token would fail the login's check. */
  function loggedOut() {
    if (state.renewing) { return; }
    state.renewing = true;
    send('GET', '/admin/api/session', null, function () {
      state.renewing = false;
      if (state.onLoggedOut) { state.onLoggedOut(); }
    });
  }

  /* {a: 1, b: ''} → "?a=1": empty values are left out, so a cleared filter is no filter. */
  function query(params) {
    var parts = [];
    for (var key in params) {
      if (params.hasOwnProperty(key) && params[key] !== '' && params[key] !== null && params[key] !== undefined) {
        parts.push(encodeURIComponent(key) + '=' + encodeURIComponent(params[key]));
      }
    }
    return parts.length ? '?' + parts.join('&') : '';
  }

  window.admin = window.admin || {};
  window.admin.api = {
    state: state,
    query: query,
    get: function (url, done) { send('GET', url, null, done); },
    post: function (url, body, done) { send('POST', url, body || {}, done); },
    put: function (url, body, done) { send('PUT', url, body, done); },
    remove: function (url, done) { send('DELETE', url, null, done); },
    upload: function (url, formData, done) { send('POST', url, formData, done); }
  };
})(window);
