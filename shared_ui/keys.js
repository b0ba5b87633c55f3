/* Remote-control keys: every platform's raw codes mapped to one set of actions.
 * The table is the only place key codes appear (UX.md lists where they come from). */
(function (window) {
  'use strict';

  var CODES = {
    up: [38, 1],
    down: [40, 2],
    left: [37, 3],
    right: [39, 4],
    ok: [13],
    back: [8, 27, 461, 10009, 340, 640, 1249],
    pageUp: [33, 427],
    pageDown: [34, 428],
    red: [403, 275],
    green: [404, 276],
    yellow: [405, 277],
    blue: [406, 278]
  };

  var byCode = {};
  var action;
  for (action in CODES) {
    if (CODES.hasOwnProperty(action)) {
      for (var i = 0; i < CODES[action].length; i++) {
        byCode[CODES[action][i]] = action;
      }
    }
  }

  /* iPanel boxes send 1-4 for arrows; a real digit arrives as 48-57 or 96-105,
   * so there is no clash with the digit keys. */
  function digitOf(code) {
    if (code >= 48 && code <= 57) { return code - 48; }
    if (code >= 96 && code <= 105) { return code - 96; }
    return null;
  }

  /* Returns {action: 'up' | ... | 'digit', digit: n} or null for keys we ignore. */
  function normalise(event) {
    var code = event.keyCode || event.which || 0;
    var digit = digitOf(code);
    if (digit !== null) { return { action: 'digit', digit: digit }; }
    if (byCode.hasOwnProperty(code)) { return { action: byCode[code], digit: null }; }
    return null;
  }

  /* Tizen delivers only arrows, OK and Back until the others are registered. */
  function registerPlatformKeys() {
    var wanted = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9',
      'ChannelUp', 'ChannelDown', 'ColorF0Red', 'ColorF1Green', 'ColorF2Yellow', 'ColorF3Blue'];
    var device = window.tizen && window.tizen.tvinputdevice;
    if (!device) { return; }
    for (var i = 0; i < wanted.length; i++) {
      try { device.registerKey(wanted[i]); } catch (ignored) { /* key absent on this model */ }
    }
  }

  window.screens = window.screens || {};
  window.screens.keys = { CODES: CODES, normalise: normalise, registerPlatformKeys: registerPlatformKeys };
})(window);
