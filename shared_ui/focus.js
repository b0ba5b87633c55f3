/* Spatial focus for remote controls: arrows move to the nearest element in that
 * direction, measured on the page's own geometry. Configured from markup:
 *   data-focusable          an element that can take focus
 *   data-focus-container    a group that remembers its last focused child
 *   data-focus-layer        a dialog: while open, focus stays inside it
 * Exactly one element is focused at all times; if it disappears, the nearest
 * remaining one takes over. */
(function (window) {
  'use strict';

  var document = window.document;

  function rectOf(element) {
    var r = element.getBoundingClientRect();
    return { left: r.left, top: r.top, right: r.right, bottom: r.bottom,
      cx: (r.left + r.right) / 2, cy: (r.top + r.bottom) / 2, width: r.width, height: r.height };
  }

  function visible(element) {
    if (element.offsetParent === null && element.style.position !== 'fixed') { return false; }
    var r = element.getBoundingClientRect();
    return r.width > 0 && r.height > 0;
  }

  function closest(element, attribute, stop) {
    var node = element;
    while (node && node !== stop) {
      if (node.nodeType === 1 && node.hasAttribute(attribute)) { return node; }
      node = node.parentNode;
    }
    return null;
  }

  /* How far `to` lies from `from` going `direction`, or -1 if it is not that way. */
  function distance(from, to, direction) {
    var primary, secondary;
    if (direction === 'up') {
      if (to.bottom > from.top + 1 && to.cy >= from.cy) { return -1; }
      primary = from.top - to.bottom;
      secondary = Math.max(0, Math.max(to.left - from.right, from.left - to.right));
    } else if (direction === 'down') {
      if (to.top < from.bottom - 1 && to.cy <= from.cy) { return -1; }
      primary = to.top - from.bottom;
      secondary = Math.max(0, Math.max(to.left - from.right, from.left - to.right));
    } else if (direction === 'left') {
      if (to.right > from.left + 1 && to.cx >= from.cx) { return -1; }
      primary = from.left - to.right;
      secondary = Math.max(0, Math.max(to.top - from.bottom, from.top - to.bottom));
    } else {
      if (to.left < from.right - 1 && to.cx <= from.cx) { return -1; }
      primary = to.left - from.right;
      secondary = Math.max(0, Math.max(to.top - from.bottom, from.top - to.bottom));
    }
    // Being in line matters more than being close: a row's neighbour beats a nearer diagonal.
    return Math.max(primary, 0) + secondary * 3;
  }

  function Focus(root) {
    this.root = root;
    this.current = null;
    this.lastRect = null;
  }

  Focus.prototype.layer = function () {
    var layers = this.root.querySelectorAll('[data-focus-layer]');
    for (var i = layers.length - 1; i >= 0; i--) {
      if (visible(layers[i])) { return layers[i]; }
    }
    return this.root;
  };

  Focus.prototype.candidates = function () {
    var all = this.layer().querySelectorAll('[data-focusable]');
    var found = [];
    for (var i = 0; i < all.length; i++) {
      if (visible(all[i]) && !all[i].hasAttribute('data-disabled')) { found.push(all[i]); }
    }
    return found;
  };

  Focus.prototype.focus = function (element) {
    if (!element) { return; }
    if (this.current && this.current !== element) {
      this.current.className = this.current.className.replace(/\s*\bis-focused\b/g, '');
    }
    if (!/\bis-focused\b/.test(element.className)) { element.className += ' is-focused'; }
    if (!element.hasAttribute('tabindex')) { element.setAttribute('tabindex', '-1'); }
    element.focus();
    this.current = element;
    this.lastRect = rectOf(element);
    var container = closest(element, 'data-focus-container', this.root);
    if (container) { container.lastFocused = element; }
  };

  Focus.prototype.inside = function (element) {
    var layer = this.layer();
    return !!element && layer.contains(element) && visible(element);
  };

  Focus.prototype.move = function (direction) {
    this.ensure();
    if (!this.current) { return false; }
    var from = rectOf(this.current);
    var best = null;
    var bestScore = Infinity;
    var candidates = this.candidates();
    for (var i = 0; i < candidates.length; i++) {
      if (candidates[i] === this.current) { continue; }
      var score = distance(from, rectOf(candidates[i]), direction);
      if (score >= 0 && score < bestScore) {
        best = candidates[i];
        bestScore = score;
      }
    }
    if (!best) { return false; }
    var target = closest(best, 'data-focus-container', this.root);
    var here = closest(this.current, 'data-focus-container', this.root);
    if (target && target !== here && target.lastFocused && this.inside(target.lastFocused)) {
      best = target.lastFocused;
    }
    this.focus(best);
    return true;
  };

  /* Keep exactly one element focused: the current one if it still stands,
   * else the nearest to where focus was, else the first. */
  Focus.prototype.ensure = function (preferred) {
    if (preferred && this.inside(preferred)) { this.focus(preferred); return; }
    if (this.inside(this.current)) {
      if (document.activeElement !== this.current) { this.current.focus(); }
      return;
    }
    var candidates = this.candidates();
    if (!candidates.length) { this.current = null; return; }
    var choice = candidates[0];
    if (this.lastRect) {
      var best = Infinity;
      for (var i = 0; i < candidates.length; i++) {
        var r = rectOf(candidates[i]);
        var d = Math.abs(r.cx - this.lastRect.cx) + Math.abs(r.cy - this.lastRect.cy);
        if (d < best) { best = d; choice = candidates[i]; }
      }
    }
    this.focus(choice);
  };

  Focus.prototype.first = function (selector) {
    var element = selector ? this.layer().querySelector(selector) : null;
    this.focus(element && visible(element) ? element : this.candidates()[0]);
  };

  window.screens = window.screens || {};
  window.screens.Focus = Focus;
})(window);
