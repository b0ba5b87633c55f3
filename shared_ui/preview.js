/* Staff preview: the admin console shows one listing, a draft too, "as a TV and
 * as a kiosk will show it", in an iframe of /tv/?preview=<id> or
 * /kiosk/?preview=<id> (&view=card for the list). The apps draw it with their own
 * views; while previewing they never enrol, go live, start idle or attract
 * timers, write to storage or send a registration. This module holds what both
 * apps need for it: the address, the fetch as the logged-in staff member, the
 * wording and the corner mark. */
(function (window) {
  'use strict';

  var screens = window.screens;

  var REFUSAL = '预览中，不能登记';
  var LOADING = '正在载入预览……';
  var MESSAGES = {
    0: '网络不通，请稍后刷新再试',
    401: '请先登录管理后台，再打开预览',
    403: '这条信息不在您的管辖范围内，不能预览',
    404: '没有找到这条信息'
  };

  /* "?preview=12&view=card" → {id: '12', view: 'card'}; null when not a preview.
   * An id that is not a number gives id null (shown as not found). */
  function fromAddress(search) {
    var match = /[?&]preview=([^&#]*)/.exec(search || '');
    if (!match) { return null; }
    return {
      id: /^\d{1,9}$/.test(match[1]) ? match[1] : null,
      view: /[?&]view=card(?:[&#]|$)/.test(search) ? 'card' : 'detail'
    };
  }

  /* A draft or a scheduled listing shows as it will once published; a withdrawn
   * or expired one as screens show it then (已下架). */
  function asPublished(listing) {
    if (listing.status !== 'draft' && listing.status !== 'scheduled') { return listing; }
    var copy = {};
    for (var name in listing) {
      if (listing.hasOwnProperty(name)) { copy[name] = listing[name]; }
    }
    copy.status = 'published';
    return copy;
  }

  /* done(listing, null), or done(null, message) when staff cannot see it. The
   * staff session cookie goes along: the iframe is on the console's origin. */
  function load(id, done) {
    if (!id) { done(null, MESSAGES[404]); return; }
    screens.http.getJSON('/admin/api/listings/' + id, function (status, data) {
      if (status === 200 && data && data.id) {
        done(asPublished(data), null);
        return;
      }
      done(null, MESSAGES[status] || '预览没有打开，请刷新再试');
    });
  }

  /* The small mark in a corner, so nobody takes the preview for a live screen. */
  function mark() {
    return screens.dom.h('p', { className: 'preview-mark', text: '预览' });
  }

  screens.preview = {
    fromAddress: fromAddress,
    load: load,
    mark: mark,
    REFUSAL: REFUSAL,
    LOADING: LOADING
  };
})(window);
