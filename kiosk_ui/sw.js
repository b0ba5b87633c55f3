/* The kiosk's offline shell: every page, script, style and listing picture it
 * loads is kept, so a kiosk that reboots while the network is down still opens
 * and shows what it had. Network first: a reachable server always wins, except
 * for /assets/<hash>/… files, whose content never changes under their name: those
 * come from the cache when kept, and are dropped once the page no longer names them. */
'use strict';

var CACHE = 'jxj-kiosk-shell';
var PAGE = '/kiosk/';
var HASHED = /^\/assets\/[0-9a-f]+\//;
var KEPT = [/^\/kiosk\//, /^\/shared\//, /^\/vendor\//, HASHED, /^\/api\/listings\/\d+\/qr\.png$/, /^\/api\/images\//];

function kept(url) {
  if (url.origin !== self.location.origin) { return false; }
  return KEPT.some(function (pattern) { return pattern.test(url.pathname); });
}

/* Every path the page names in src= and href= attributes. */
function named(html) {
  var urls = [];
  var pattern = /(?:src|href)="([^"]+)"/g;
  var match;
  while ((match = pattern.exec(html))) {
    if (match[1].indexOf('data:') !== 0) { urls.push(new URL(match[1], self.location.origin + PAGE).pathname); }
  }
  return urls;
}

/* Hashed files the current page no longer names are an earlier release's: drop them. */
function prune(cache, html) {
  var wanted = named(html);
  return cache.keys().then(function (requests) {
    return Promise.all(requests.map(function (request) {
      var path = new URL(request.url).pathname;
      return HASHED.test(path) && wanted.indexOf(path) < 0 ? cache.delete(request) : false;
    }));
  });
}

/* The page and everything it names. */
function shell() {
  return fetch(PAGE).then(function (response) { return response.text(); }).then(function (html) {
    return caches.open(CACHE).then(function (cache) {
      return cache.addAll([PAGE].concat(named(html))).then(function () { return prune(cache, html); });
    });
  });
}

self.addEventListener('install', function (event) {
  event.waitUntil(shell().then(function () { return self.skipWaiting(); }));
});
self.addEventListener('activate', function (event) { event.waitUntil(self.clients.claim()); });

function keep(request, response) {
  // no-store: a draft's picture fetched for a staff preview is never kept.
  if (!response.ok || /no-store/.test(response.headers.get('Cache-Control') || '')) { return; }
  var copy = response.clone();
  var page = new URL(request.url).pathname === PAGE ? response.clone() : null;
  caches.open(CACHE).then(function (cache) {
    return cache.put(request, copy).then(function () {
      return page ? page.text().then(function (html) { return prune(cache, html); }) : null;
    });
  });
}

function fromNetwork(request) {
  return fetch(request).then(function (response) {
    keep(request, response);
    return response;
  }, function () {
    return caches.match(request, { ignoreSearch: true }).then(function (cached) {
      return cached || Response.error();
    });
  });
}

self.addEventListener('fetch', function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (request.method !== 'GET' || !kept(url)) { return; }
  if (HASHED.test(url.pathname)) {
    event.respondWith(caches.match(request).then(function (cached) {
      return cached || fromNetwork(request);
    }));
    return;
  }
  event.respondWith(fromNetwork(request));
});
