/* JSON over XMLHttpRequest, for engines without fetch or Promise. */
(function (window) {
  'use strict';

  /* Seconds the server asked to wait before trying again (Retry-After, as seconds
   * or as a date), or 0 when it did not say. */
  function retryAfter(xhr) {
    var value = xhr && xhr.getResponseHeader ? xhr.getResponseHeader('Retry-After') : null;
    if (!value) { return 0; }
    if (/^\d+$/.test(value)) { return parseInt(value, 10); }
    var at = Date.parse(value);
    return isNaN(at) ? 0 : Math.max(0, Math.ceil((at - Date.now()) / 1000));
  }

  /* Writes the server refused as too frequent (429 with Retry-After) are not sent
   * again to that address until the wait is over: each is answered at once, as the
   * server answered, with the seconds left. A kiosk's queue or a TV's button held
   * down so backs off without knowing how. */
  var held = {};

  function answerHeld(url, done) {
    var hold = held[url];
    var left = hold ? Math.ceil((hold.until - Date.now()) / 1000) : 0;
    if (left <= 0) {
      delete held[url];
      return false;
    }
    var answer = {
      status: 429,
      getResponseHeader: function (name) { return /^retry-after$/i.test(name) ? String(left) : null; }
    };
    window.setTimeout(function () { done(429, hold.data, answer); }, 0);
    return true;
  }

  function noteHold(url, status, data, xhr) {
    var wait = status === 429 ? retryAfter(xhr) : 0;
    if (wait > 0) { held[url] = { until: Date.now() + wait * 1000, data: data }; }
  }

  /* body: null, a JSON value, or a FormData (a file upload, sent as the browser
   * encodes it). */
  function request(method, url, body, headers, done) {
    if (method !== 'GET' && answerHeld(url, done)) { return; }
    var form = isForm(body);
    var xhr = new window.XMLHttpRequest();
    xhr.open(method, url, true);
    // An upload takes as long as the file and the line need; a JSON answer does not.
    xhr.timeout = form ? 0 : 15000;
    xhr.setRequestHeader('Accept', 'application/json');
    if (body !== null && !form) { xhr.setRequestHeader('Content-Type', 'application/json'); }
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
      if (method !== 'GET') { noteHold(url, xhr.status, data, xhr); }
      finish(xhr.status, data);
    };
    xhr.ontimeout = function () { finish(0, null); };
    xhr.onerror = function () { finish(0, null); };
    xhr.send(body === null || form ? body : JSON.stringify(body));
  }

  function isForm(body) {
    return typeof window.FormData !== 'undefined' && body instanceof window.FormData;
  }

  /* done(status, data, xhr): status 0 means the server could not be reached; 429 with
   * retryAfter(xhr) > 0 means wait that long (see held above).
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
  window.screens.http = {
    getJSON: getJSON, postJSON: postJSON, getBlob: getBlob, retryAfter: retryAfter,
    // Any method (the console's PUT and DELETE), same answers as above.
    request: function (method, url, body, headers, done) { request(method, url, body, headers || {}, done); }
  };
})(window);
