/* Wording for people: dates in China time, distances, mobile numbers. */
(function (window) {
  'use strict';

  var WEEKDAYS = '日一二三四五六';
  var CHINA_OFFSET_MS = 8 * 3600 * 1000;

  function pad(n) { return n < 10 ? '0' + n : String(n); }

  /* "2026-11-22T19:00:00+08:00" → "11月22日（周日）19:00", whatever the TV's own time zone. */
  function dateTime(iso, withClock) {
    if (!iso) { return ''; }
    var ms = Date.parse(iso);
    if (isNaN(ms)) { return ''; }
    var d = new Date(ms + CHINA_OFFSET_MS);
    var text = (d.getUTCMonth() + 1) + '月' + d.getUTCDate() + '日（周' + WEEKDAYS.charAt(d.getUTCDay()) + '）';
    if (withClock !== false) { text += pad(d.getUTCHours()) + ':' + pad(d.getUTCMinutes()); }
    return text;
  }

  function clock(iso) {
    var ms = Date.parse(iso || '');
    if (isNaN(ms)) { return ''; }
    var d = new Date(ms + CHINA_OFFSET_MS);
    return pad(d.getUTCHours()) + ':' + pad(d.getUTCMinutes());
  }

  function metres(lat1, lng1, lat2, lng2) {
    var rad = Math.PI / 180;
    var dLat = (lat2 - lat1) * rad;
    var dLng = (lng2 - lng1) * rad;
    var a = Math.sin(dLat / 2) * Math.sin(dLat / 2) +
      Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.sin(dLng / 2) * Math.sin(dLng / 2);
    return 6371000 * 2 * Math.atan2(Math.sqrt(a), Math.sqrt(1 - a));
  }

  function metresBetween(from, to) {
    if (!from || !to || from.latitude == null || to.latitude == null) { return null; }
    return metres(from.latitude, from.longitude, to.latitude, to.longitude);
  }

  /* "约800米" / "约1.2公里", or '' when a place has no coordinates. */
  function distance(from, to) {
    if (!from || !to || from.latitude == null || to.latitude == null) { return ''; }
    var m = metres(from.latitude, from.longitude, to.latitude, to.longitude);
    if (m < 1000) { return '约' + Math.max(100, Math.round(m / 100) * 100) + '米'; }
    return '约' + (Math.round(m / 100) / 10) + '公里';
  }

  var COMPASS = ['北', '东北', '东', '东南', '南', '西南', '西', '西北'];

  /* The way from one place to another, without a map: "往东北方向约800米", or ''. */
  function heading(from, to) {
    if (!from || !to || from.latitude == null || to.latitude == null) { return ''; }
    var rad = Math.PI / 180;
    var y = Math.sin((to.longitude - from.longitude) * rad) * Math.cos(to.latitude * rad);
    var x = Math.cos(from.latitude * rad) * Math.sin(to.latitude * rad) -
      Math.sin(from.latitude * rad) * Math.cos(to.latitude * rad) * Math.cos((to.longitude - from.longitude) * rad);
    var degrees = (Math.atan2(y, x) / rad + 360) % 360;
    if (metres(from.latitude, from.longitude, to.latitude, to.longitude) < 50) { return '就在附近'; }
    return '往' + COMPASS[Math.round(degrees / 45) % 8] + '方向' + distance(from, to);
  }

  /* "13800000000" → "138 0000 0000" (3-4-4, as people read it out). */
  function mobile(digits) {
    var parts = [digits.slice(0, 3), digits.slice(3, 7), digits.slice(7, 11)];
    var shown = [];
    for (var i = 0; i < parts.length; i++) { if (parts[i]) { shown.push(parts[i]); } }
    return shown.join(' ');
  }

  function validMobile(digits) { return /^1[3-9]\d{9}$/.test(digits); }

  window.screens = window.screens || {};
  window.screens.format = {
    dateTime: dateTime,
    clock: clock,
    distance: distance,
    heading: heading,
    metres: metresBetween,
    mobile: mobile,
    validMobile: validMobile
  };
})(window);
