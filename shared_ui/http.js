/* JSON over XMLHttpRequest, for engines without fetch or Promise. */
(function (window) {
  'use strict';

  function request(method, url, body, headers, done) {
    var xhr = new window.XMLHttpRequest();
    xhr.open(method, url, true);
    xhr.timeout = 15000;
    xhr.setRequestHeader('Accept', 'application/json');
    if (body !== null) { xhr.setRequestHeader('Content-Type', 'application/json'); }
    for (var name in headers) {
      if (headers.hasOwnProperty(name)) { xhr.setRequestHeader(name, headers[name]); }
    }
    var finished = false;
    function finish(status, data) {
      if (finished) { return; }
      finished = true;
      done(status, data, xhr);
    }
    xhr.onreadystatechange = function () {
      if (xhr.readyState !== 4) { return; }
      var data = null;
      try { data = xhr.responseText ? JSON.parse(xhr.responseText) : null; } catch (ignored) { data = null; }
      finish(xhr.status, data);
    };
    xhr.ontimeout = function () { finish(0, null); };
    xhr.onerror = function () { finish(0, null); };
    xhr.send(body === null ? null : JSON.stringify(body));
  }

  /* done(status, data, xhr): status 0 means the server could not be reached.
   * headers is optional (If-None-Match for a revalidation, a screen's token). */
  function getJSON(url, done, headers) { request('GET', url, null, headers || {}, done); }

  function postJSON(url, body, headers, done) { request('POST', url, body, headers || {}, done); }

  /* An image or file only this screen may fetch (its token in a header), for an
   * object URL: done(status, blob); status 0 means the server could not be reached. */
  function getBlob(url, headers, done) {
    var xhr = new window.XMLHttpRequest();
    xhr.open('GET', url, true);
    xhr.responseType = 'blob';
    for (var name in headers) {
      if (headers.hasOwnProperty(name)) { xhr.setRequestHeader(name, headers[name]); }
    }
    xhr.onload = function () { done(xhr.status, xhr.status === 200 ? xhr.response : null); };
    xhr.onerror = function () { done(0, null); };
    xhr.send();
  }

  window.screens = window.screens || {};
  window.screens.http = { getJSON: getJSON, postJSON: postJSON, getBlob: getBlob };
})(window);
