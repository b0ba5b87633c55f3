/* The admin JSON API: one place that sends the CSRF token and reads our error shape.
 * Every callback gets (error, data): error is null or {status, code, message, fields}. */
(function (window) {
  'use strict';

  var state = { csrf: '', onLoggedOut: null };

  var NETWORK_ERROR = { status: 0, code: 'network', message: '连不上服务器，请检查网络后再试', fields: {} };

  function toError(status, data) {
    var body = data && data.error ? data.error : {};
    return {
      status: status,
      code: body.code || 'http_' + status,
      message: body.message || '出错了（' + status + '），请稍后再试',
      fields: body.fields || {}
    };
  }

  function send(method, url, body, done, isForm) {
    var xhr = new window.XMLHttpRequest();
    xhr.open(method, url, true);
    xhr.setRequestHeader('Accept', 'application/json');
    if (method !== 'GET') { xhr.setRequestHeader('X-CSRFToken', state.csrf); }
    if (body !== null && !isForm) { xhr.setRequestHeader('Content-Type', 'application/json'); }
    xhr.onload = function () {
      var data = null;
      try { data = xhr.responseText ? JSON.parse(xhr.responseText) : null; } catch (ignored) { data = null; }
      if (data && data.csrf_token) { state.csrf = data.csrf_token; }
      if (xhr.status >= 200 && xhr.status < 300) { return done(null, data); }
      var error = toError(xhr.status, data);
      // A session that ended elsewhere (logout, password reset) sends staff back to the login.
      if (error.code === 'login_required' && state.onLoggedOut) { state.onLoggedOut(); }
      done(error, null);
    };
    xhr.onerror = function () { done(NETWORK_ERROR, null); };
    xhr.send(body === null ? null : (isForm ? body : JSON.stringify(body)));
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
    upload: function (url, formData, done) { send('POST', url, formData, done, true); }
  };
})(window);
