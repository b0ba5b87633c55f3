/* The 12-key pad for digits: mobile numbers and enrolment codes. */
(function (window) {
  'use strict';

  var screens = window.screens;
  var h = screens.dom.h;
  var KEYS = ['1', '2', '3', '4', '5', '6', '7', '8', '9', 'clear', '0', 'delete'];
  var LABELS = { clear: '清空', 'delete': '⌫ 删除' };

  /* onKey('0'…'9' | 'delete' | 'clear'). */
  function keypad(label, onKey) {
    var pad = h('div', { className: 'keypad', role: 'group', 'aria-label': label });
    KEYS.forEach(function (key) {
      pad.appendChild(window.kiosk.ui.button(LABELS[key] || key, function () { onKey(key); },
        'pad-key' + (LABELS[key] ? ' pad-edit' : ''), { 'data-key': key, 'aria-label': LABELS[key] || key }));
    });
    return pad;
  }

  /* Apply one key to a string of digits, at most `max` long. */
  function type(digits, key, max) {
    if (key === 'delete') { return digits.slice(0, -1); }
    if (key === 'clear') { return ''; }
    return digits.length < max ? digits + key : digits;
  }

  window.kiosk.keypad = { keypad: keypad, type: type };
})(window);
