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

  /* How far `to` lies from `from` going `direction`, or -1 if it is not that way.
   * "That way" means its centre is clearly past ours: a quarter of the smaller
   * size, so the focused element's growth and sub-pixel scaling never make a
   * neighbour in the same row count as below it. */
  function distance(from, to, direction) {
    var vertical = direction === 'up' || direction === 'down';
    var sign = direction === 'down' || direction === 'right' ? 1 : -1;
    var along = vertical ? (to.cy - from.cy) * sign : (to.cx - from.cx) * sign;
    var size = vertical ? Math.min(from.height, to.height) : Math.min(from.width, to.width);
    if (along <= size / 4) { return -1; }
    var gap, offset;
    if (vertical) {
      gap = sign > 0 ? to.top - from.bottom : from.top - to.bottom;
      offset = Math.max(0, Math.max(to.left - from.right, from.left - to.right));
    } else {
      gap = sign > 0 ? to.left - from.right : from.left - to.right;
      offset = Math.max(0, Math.max(to.top - from.bottom, from.top - to.bottom));
    }
    // Being in line matters more than being close: a row's neighbour beats a nearer diagonal.
    return Math.max(gap, 0) + offset * 3;
  }

  function Focus(root) {
    this.root = root;
    this.current = null;
    this.lastRect = null;
    // Quiet: the ring moves, but the page's keyboard focus is taken only once the
    // page has it (a staff preview framed in the console leaves its fields alone).
    this.quiet = false;
  }

  Focus.prototype.take = function (element) {
    if (!this.quiet || document.hasFocus()) { element.focus(); }
  };

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
    this.take(element);
    this.current = element;
    this.lastRect = rectOf(element);
    var container = closest(element, 'data-focus-container', this.root);
    if (container) { container.lastFocused = element; }
  };

  Focus.prototype.inside = function (element) {
    var layer = this.layer();
    return !!element && layer.contains(element) && visible(element) &&
      !element.hasAttribute('data-disabled');
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
      if (document.activeElement !== this.current) { this.take(this.current); }
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
