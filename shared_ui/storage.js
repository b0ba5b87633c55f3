/* localStorage that never throws: a full or disabled store must not stop a screen. */
(function (window) {
  'use strict';

  function read(key) {
    try { return JSON.parse(window.localStorage.getItem(key) || 'null'); } catch (ignored) { return null; }
  }

  /* Returns whether the value was kept (the kiosk's queue must know). */
  function write(key, value) {
    try {
      window.localStorage.setItem(key, JSON.stringify(value));
      return true;
    } catch (ignored) {
      return false;
    }
  }

  function remove(key) {
    try { window.localStorage.removeItem(key); } catch (ignored) { /* disabled */ }
  }

  window.screens = window.screens || {};
  window.screens.storage = { read: read, write: write, remove: remove };
})(window);
