/* The kiosk's building blocks: big buttons, field errors, listing cards and the
 * bottom bar. Text always goes in as text (screens.dom), never as markup. */
(function (window) {
  'use strict';

  var screens = window.screens;
  var h = screens.dom.h;
  var format = screens.format;
  var wording = screens.wording;

  /* A real <button>: touch, screen readers and axe all know what it is. */
  function button(text, onTap, className, attributes) {
    var element = h('button', { type: 'button', className: 'button ' + (className || '') });
    var name;
    for (name in attributes) {
      if (attributes.hasOwnProperty(name) && attributes[name] !== null && attributes[name] !== undefined) {
        element.setAttribute(name, attributes[name]);
      }
    }
    screens.dom.append(element, text);
    element.addEventListener('click', function (event) {
      event.preventDefault();
      if (!element.disabled) { onTap(event); }
    });
    return element;
  }

  /* The message under a field, tied to it for screen readers by id. */
  function fieldError(id, message) {
    if (!message) { return null; }
    return h('p', { className: 'field-error', id: id + '-error', role: 'alert', text: message });
  }

  function place(listing, site) {
    if (!listing.site) { return listing.target.name; }
    var distance = format.distance(site, listing.site);
    return listing.site.name + (distance ? ' · 距本站' + distance : '');
  }

  /* A listing withdrawn or expired while it is shown keeps its card where it
   * was: "已下架" stands where the pay was, over the key line kept (hidden) so
   * the card is as tall as before and no card around it moves. */
  function card(listing, site, onOpen) {
    var gone = screens.held.gone(listing);
    return button([
      h('span', { className: 'card-title', text: listing.title }),
      h('span', { className: 'card-key' }, [
        wording.keyLine(listing),
        h('span', { className: 'card-tag', text: wording.KIND_NAMES[listing.kind] + ' · ' + wording.tag(listing) }),
        gone ? h('span', { className: 'card-gone', text: '已下架' }) : null
      ]),
      h('span', { className: 'card-place', text: place(listing, site) })
    ], function () { onOpen(listing); }, 'card card-' + listing.kind + (gone ? ' is-gone' : ''),
    { 'data-listing': listing.id });
  }

  /* The bar at the bottom of every screen but the attract loop. */
  function nav(app, options) {
    options = options || {};
    return h('nav', { className: 'nav', 'aria-label': '导航' }, [
      options.back === false ? null : button('‹ 返回', function () { app.back(); }, 'nav-back'),
      button('首页', function () { app.home(); }, 'nav-home'),
      options.extra || null
    ]);
  }

  window.kiosk = window.kiosk || {};
  window.kiosk.ui = { button: button, fieldError: fieldError, card: card, place: place, nav: nav };
})(window);
