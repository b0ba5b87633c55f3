/* How one listing reads on a card: its title, the line that matters most for
 * its kind, and where it is. Shared by home, lists and the idle carousel. */
(function (window) {
  'use strict';

  var tv = window.tv = window.tv || {};
  var screens = window.screens;
  var h = screens.dom.h;
  var format = window.screens.format;

  var wording = screens.wording;
  var KIND_NAMES = wording.KIND_NAMES;
  var keyLine = wording.keyLine;
  var tag = wording.tag;

  function place(listing, community) {
    if (!listing.site) { return listing.target.name; }
    var distance = format.distance(community, listing.site);
    return listing.site.name + (distance ? ' · 距社区' + distance : '');
  }

  /* A listing withdrawn or expired while a list shows it keeps its card where it
   * was (as tall, as wide, still reachable and opened with OK): "已下架" stands
   * where the pay was, and the card is greyed. */
  function card(listing, community, onOpen) {
    var gone = screens.held.gone(listing);
    var element = h('div', {
      className: 'card card-' + listing.kind + (gone ? ' is-gone' : ''),
      'data-focusable': '',
      'data-key': 'listing-' + listing.id,
      role: 'button',
      tabindex: '-1'
    }, [
      h('p', { className: 'card-tag', text: KIND_NAMES[listing.kind] + ' · ' + tag(listing) }),
      h('h3', { className: 'card-title', text: listing.title }),
      gone
        ? h('p', { className: 'card-key card-gone' }, [
          h('span', { className: 'gone-mark', text: '已下架' }), '这条信息已经结束'
        ])
        : h('p', { className: 'card-key', text: keyLine(listing) }),
      h('p', { className: 'card-place', text: place(listing, community) })
    ]);
    element.activate = function () { onOpen(listing); };
    return element;
  }

  function button(text, key, onActivate, extraClass) {
    var element = h('div', {
      className: 'button' + (extraClass ? ' ' + extraClass : ''),
      'data-focusable': '',
      'data-key': key,
      role: 'button',
      tabindex: '-1',
      text: text
    });
    element.activate = onActivate;
    return element;
  }

  tv.cards = { card: card, button: button, keyLine: keyLine, place: place, KIND_NAMES: KIND_NAMES };
})(window);
