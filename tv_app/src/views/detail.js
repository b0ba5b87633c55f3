/* One listing in full: large text, pay as people say it, the place and how far
 * it is, the phone number, a QR code for the phone, and "请工作人员联系我". */
(function (window) {
  'use strict';

  var tv = window.tv = window.tv || {};
  var screens = window.screens;
  var h = screens.dom.h;
  var format = window.screens.format;

  function DetailView(app, listing) {
    this.app = app;
    this.name = 'detail';
    this.listing = listing;
    this.gone = listing.status !== 'published';
    // The listings opened last are part of the copy kept for a start without network.
    if (app.source && !this.gone) { app.source.keep('listing', app.source.listingUrl(listing.id), listing); }
  }

  function fact(label, value) {
    if (value === null || value === undefined || value === '') { return null; }
    return h('div', { className: 'fact' }, [
      h('dt', { text: label }),
      h('dd', { text: String(value) })
    ]);
  }

  /* The rows the server words for every screen (listing.facts), in its order;
   * the TV adds how far the place is from its community, and the number to call. */
  DetailView.prototype.facts = function () {
    var l = this.listing;
    var distance = l.site ? format.distance(this.app.settings.community, l.site) : '';
    var rows = [];
    var all = l.facts || [];
    for (var i = 0; i < all.length; i++) {
      var value = all[i].value;
      if (all[i].key === 'place' && distance) { value += '，距社区' + distance; }
      rows.push(fact(all[i].label, value));
    }
    rows.push(fact('电话', l.contact.phone ? l.contact.phone + (l.contact.name ? '（' + l.contact.name + '）' : '') : ''));
    return rows;
  };

  DetailView.prototype.render = function (container) {
    var app = this.app;
    var self = this;
    var l = this.listing;
    var actions = h('div', { className: 'actions', 'data-focus-container': '' });
    var ask = tv.cards.button(this.gone ? '已下架，不能再登记' : '请工作人员联系我', 'callback', function () {
      if (!self.gone) { app.show(new tv.CallbackView(app, self.listing)); }
    }, 'primary');
    if (this.gone) { ask.setAttribute('data-disabled', ''); ask.setAttribute('aria-disabled', 'true'); }
    actions.appendChild(ask);
    actions.appendChild(tv.cards.button('返回', 'back', function () { app.back(); }));
    // The facts and the text scroll together with up and down while they have
    // focus; the app shrinks them to the room left, so the buttons stay on screen.
    var details = h('div', {
      className: 'detail-scroll', 'data-focusable': '', 'data-key': 'body', 'data-fit': '', tabindex: '-1',
      role: 'region', 'aria-label': '详细介绍'
    }, [
      h('dl', { className: 'facts' }, this.facts()),
      l.body || l.summary ? h('p', { className: 'body-text', text: l.body || l.summary }) : null
    ]);
    var image = l.images && l.images[0]
      ? h('img', { className: 'photo', src: l.images[0].urls.tv, alt: l.images[0].alt || l.title })
      : null;
    screens.dom.append(container, [
      h('article', { className: 'detail' + (this.gone ? ' is-gone' : '') }, [
        h('div', { className: 'detail-main' }, [
          h('p', { className: 'card-tag', text: tv.cards.KIND_NAMES[l.kind] + (l.job ? ' · ' + l.job.category_name : '') }),
          h('h1', { className: 'detail-title', text: l.title }),
          // Withdrawn: said where the pay was, so nothing below moves.
          this.gone
            ? h('p', { className: 'gone', role: 'alert', text: '已下架：这条信息已经结束' })
            : h('p', { className: 'detail-key', text: tv.cards.keyLine(l) }),
          details,
          actions
        ]),
        h('aside', { className: 'detail-side' }, [
          image,
          h('img', { className: 'qr', src: '/api/listings/' + l.id + '/qr.png', alt: '手机扫码查看这条信息' }),
          h('p', { className: 'qr-note', text: '用手机扫一扫，带走这条信息' })
        ])
      ]),
      h('p', { className: 'hints', text: '选中介绍后按上下键翻看 · 返回键：上一步 · 0：首页' })
    ]);
    return this.gone ? actions.lastChild : ask;
  };

  /* Long text scrolls with up and down while it has focus. */
  DetailView.prototype.handleKey = function (action) {
    var focused = this.app.focus.current;
    if (!focused || focused.getAttribute('data-key') !== 'body') { return false; }
    var step = 120;
    if (action === 'down' && focused.scrollTop + focused.clientHeight < focused.scrollHeight - 2) {
      focused.scrollTop += step;
      return true;
    }
    if (action === 'up' && focused.scrollTop > 0) {
      focused.scrollTop -= step;
      return true;
    }
    return false;
  };

  /* A change to the listing open: an edit shows at once, a withdrawal says
   * "已下架" where the pay was. Returns whether this view holds it. */
  DetailView.prototype.onChange = function (change, onScreen) {
    if (change.entity !== 'listing' || change.id !== this.listing.id) { return false; }
    if (this.listing.seq && change.seq <= this.listing.seq) { return true; }
    if (change.op === 'upsert') { this.listing = change.data; } else { this.gone = true; }
    if (onScreen) { this.refresh(); }
    return true;
  };

  DetailView.prototype.refresh = function () {
    var focused = this.app.focus.current;
    this.app.render(this, focused ? focused.getAttribute('data-key') : null);
  };

  tv.DetailView = DetailView;
})(window);
