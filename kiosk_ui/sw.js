/* The kiosk's offline shell: every page, script, style and listing picture it
 * loads is kept, so a kiosk that reboots while the network is down still opens
 * and shows what it had. Network first: a reachable server always wins. */
'use strict';

var CACHE = 'jxj-kiosk-shell';
var KEPT = [/^\/kiosk\//, /^\/shared\//, /^\/vendor\//, /^\/api\/listings\/\d+\/qr\.png$/, /^\/api\/images\//];

function kept(url) {
  if (url.origin !== self.location.origin) { return false; }
  return KEPT.some(function (pattern) { return pattern.test(url.pathname); });
}

/* The page and everything it names in src= and href= attributes. */
function shell() {
  return fetch('/kiosk/').then(function (response) { return response.text(); }).then(function (html) {
    var urls = ['/kiosk/'];
    var pattern = /(?:src|href)="([^"]+)"/g;
    var match;
    while ((match = pattern.exec(html))) {
      if (match[1].indexOf('data:') !== 0) { urls.push(new URL(match[1], self.location.origin + '/kiosk/').pathname); }
    }
    return caches.open(CACHE).then(function (cache) { return cache.addAll(urls); });
  });
}

self.addEventListener('install', function (event) {
  event.waitUntil(shell().then(function () { return self.skipWaiting(); }));
});
self.addEventListener('activate', function (event) { event.waitUntil(self.clients.claim()); });

self.addEventListener('fetch', function (event) {
  var request = event.request;
  if (request.method !== 'GET' || !kept(new URL(request.url))) { return; }
  event.respondWith(fetch(request).then(function (response) {
    // no-store: a draft's picture fetched for a staff preview is never kept.
    if (response.ok && !/no-store/.test(response.headers.get('Cache-Control') || '')) {
      var copy = response.clone();
      caches.open(CACHE).then(function (cache) { cache.put(request, copy); });
    }
    return response;
  }, function () {
    return caches.match(request, { ignoreSearch: true }).then(function (cached) {
      return cached || Response.error();
    });
  }));
});
