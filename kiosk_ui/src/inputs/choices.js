/* Big tappable choices: one of a few (age band, time of day) or several (work
 * wanted, availability), and the community picker over the place tree. */
(function (window) {
  'use strict';

  var screens = window.screens;
  var h = screens.dom.h;

  /* items: [[value, label], …]; selected: a value, or a list when multiple.
   * onChange(newSelection) */
  function choices(label, items, selected, multiple, onChange) {
    var group = h('div', { className: 'choices', role: 'group', 'aria-label': label });
    items.forEach(function (item) {
      var value = item[0];
      var on = multiple ? selected.indexOf(value) >= 0 : selected === value;
      group.appendChild(window.kiosk.ui.button(item[1], function () {
        if (!multiple) { onChange(value); return; }
        var next = selected.filter(function (v) { return v !== value; });
        if (!on) { next.push(value); }
        onChange(next);
      }, 'choice' + (on ? ' is-on' : '') + (item[2] ? ' ' + item[2] : ''), {
        'aria-pressed': on ? 'true' : 'false',
        'data-value': String(value)
      }));
    });
    return group;
  }

  /* Streets first, then that street's communities. places is /api/places's tree. */
  function streets(places) {
    var found = [];
    (function walk(nodes) {
      (nodes || []).forEach(function (node) {
        if (node.level === 'street') { found.push(node); return; }
        walk(node.children);
      });
    })(places);
    return found;
  }

  function streetOf(places, communityId) {
    var list = streets(places);
    for (var i = 0; i < list.length; i++) {
      for (var j = 0; j < list[i].children.length; j++) {
        if (list[i].children[j].id === communityId) { return list[i]; }
      }
    }
    return null;
  }

  function communityName(places, communityId) {
    var street = streetOf(places, communityId);
    if (!street) { return ''; }
    for (var j = 0; j < street.children.length; j++) {
      if (street.children[j].id === communityId) { return street.name + ' · ' + street.children[j].name; }
    }
    return '';
  }

  /* state: {street: id}; onPick(communityId); onStreet(streetId) */
  function communityPicker(places, streetId, communityId, onStreet, onPick) {
    var list = streets(places);
    var street = null;
    list.forEach(function (s) { if (s.id === streetId) { street = s; } });
    return h('div', { className: 'picker' }, [
      h('p', { className: 'picker-step', text: '先选街道：' }),
      choices('街道', list.map(function (s) { return [s.id, s.name]; }), streetId, false, onStreet),
      street ? h('p', { className: 'picker-step', text: '再选社区：' }) : null,
      street ? choices('社区', street.children.map(function (c) { return [c.id, c.name]; }),
        communityId, false, onPick) : null
    ]);
  }

  window.kiosk.choices = {
    choices: choices,
    communityPicker: communityPicker,
    streetOf: streetOf,
    communityName: communityName
  };
})(window);
