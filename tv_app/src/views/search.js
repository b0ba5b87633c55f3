/* Search with a remote, as Chinese IPTV boxes search: the pinyin initials of
 * the words, typed on the digit keys as on a phone (保洁 is B J, keys 2 5), or
 * picked on the letter grid with the arrows and OK. Results come from the
 * server as the person types, a page at a time, each the results after the
 * last card of the page before (held.Pages). */
(function (window) {
  'use strict';

  var tv = window.tv = window.tv || {};
  var screens = window.screens;
  var h = screens.dom.h;
  var held = screens.held;
  var PER_PAGE = 3;
  var DEBOUNCE_MS = 300;
  var MAX_TYPED = 12;
  // Keys shown in the typed line (its width); earlier ones give way to "…".
  var SHOWN_KEYS = 7;
  var LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
  var COLUMNS = 7;
  var KEYPAD = [[2, 'ABC'], [3, 'DEF'], [4, 'GHI'], [5, 'JKL'], [6, 'MNO'], [7, 'PQRS'], [8, 'TUV'], [9, 'WXYZ']];

  function digitOf(letter) {
    for (var i = 0; i < KEYPAD.length; i++) {
      if (KEYPAD[i][1].indexOf(letter) >= 0) { return String(KEYPAD[i][0]); }
    }
    return '';
  }

  function SearchView(app) {
    this.app = app;
    this.name = 'search';
    this.typed = '';
    this.page = 0;
    this.answer = null;
    this.paging = new held.Pages();
    this.offline = false;
    this.timer = null;
  }

  /* What is sent as q: letters as letters; once a digit is typed, the whole as
   * the keys of a phone (the server matches both). */
  SearchView.prototype.query = function () {
    if (!/[0-9]/.test(this.typed)) { return this.typed.toLowerCase(); }
    var keys = '';
    for (var i = 0; i < this.typed.length; i++) {
      var c = this.typed.charAt(i);
      keys += /[0-9]/.test(c) ? c : digitOf(c);
    }
    return keys;
  };

  SearchView.prototype.url = function (after) {
    return this.app.source.feedUrl({ q: this.query(), after: after, per_page: PER_PAGE });
  };

  /* Typed keys shown one by one, a digit with its letters small beside it:
   * 2ABC 5JKL; the last few when many are typed. */
  SearchView.prototype.typedParts = function () {
    if (!this.typed) { return ['请按数字键输入拼音首字母']; }
    var parts = [];
    var start = Math.max(0, this.typed.length - SHOWN_KEYS);
    if (start) { parts.push('…'); }
    for (var i = start; i < this.typed.length; i++) {
      var c = this.typed.charAt(i);
      parts.push(/[0-9]/.test(c)
        ? h('span', { className: 'typed-key' }, [c, h('small', { text: KEYPAD[parseInt(c, 10) - 2][1] })])
        : h('span', { className: 'typed-key', text: c }));
    }
    return parts;
  };

  SearchView.prototype.render = function (container) {
    var self = this;
    var box = h('div', {
      className: 'search-box', 'data-focusable': '', 'data-key': 'search-box', role: 'textbox',
      tabindex: '-1', 'aria-label': '搜索：拼音首字母'
    }, [h('span', { className: this.typed ? 'search-typed' : 'search-typed is-empty' }, this.typedParts())]);
    var letters = h('div', { className: 'letters', 'data-focus-container': '', role: 'group', 'aria-label': '字母' });
    for (var i = 0; i < LETTERS.length; i++) {
      letters.appendChild(this.key(LETTERS.charAt(i), 'letter-' + LETTERS.charAt(i), this.typer(LETTERS.charAt(i))));
    }
    letters.appendChild(this.key('删', 'letter-delete', function () { self.erase(false); }, '删除一个字母'));
    letters.appendChild(this.key('清', 'letter-clear', function () { self.erase(true); }, '全部清除'));
    var keypad = h('div', { className: 'keypad-legend', 'aria-hidden': 'true' });
    for (var k = 0; k < KEYPAD.length; k++) {
      keypad.appendChild(h('span', { className: 'keypad-key' }, [
        h('b', { text: String(KEYPAD[k][0]) }), ' ' + KEYPAD[k][1]
      ]));
    }
    screens.dom.append(container, [
      h('h1', { className: 'title', text: '搜索：输入拼音首字母，例：保洁 按 2 5' }),
      h('div', { className: 'search' }, [
        h('div', { className: 'search-left' }, [box, letters, keypad]),
        h('div', { className: 'search-right' }, this.results())
      ]),
      h('p', { className: 'pager', text: this.pages() > 1
        ? '第' + (this.page + 1) + '/' + this.pages() + '页 · 上下键或翻页键翻页' : '' }),
      h('p', { className: 'hints', text: '数字键2–9：打字 · 右键：看结果 · 返回键：删一个，删完返回 · 0：首页' })
    ]);
    return box;
  };

  SearchView.prototype.key = function (text, key, onActivate, label) {
    var element = tv.cards.button(text, key, onActivate, 'letter');
    if (label) { element.setAttribute('aria-label', label); }
    return element;
  };

  /* Never fewer than the page on screen, which may hold only cards kept as 已下架. */
  SearchView.prototype.pages = function () {
    return this.answer ? this.paging.count(this.page, PER_PAGE) : 1;
  };

  SearchView.prototype.results = function () {
    var app = this.app;
    var parts = [];
    var status;
    if (!this.typed) {
      status = '打几个字母，下面就出结果';
    } else if (!this.answer) {
      status = '正在找……';
    } else if (this.offline && !this.answer.items.length) {
      status = '网络已断开，暂时不能搜索';
    } else {
      // Results withdrawn while shown stay, 已下架, out of the count: 找到0条.
      status = this.paging.total || this.answer.items.length
        ? '找到' + this.paging.total + '条' : '没有找到，换几个字母试试';
    }
    parts.push(h('p', { className: 'search-total', role: 'status', text: status }));
    var list = h('div', { className: 'grid search-results', 'data-focus-container': '' });
    var items = this.typed && this.answer ? this.answer.items : [];
    for (var i = 0; i < items.length; i++) {
      list.appendChild(tv.cards.card(items[i], app.settings.community, function (listing) {
        app.openDetail(listing);
      }));
    }
    parts.push(list);
    return parts;
  };

  SearchView.prototype.typer = function (letter) {
    var self = this;
    return function () { self.type(letter); };
  };

  SearchView.prototype.type = function (c) {
    if (this.typed.length >= MAX_TYPED) { return; }
    this.typed += c;
    this.changed();
  };

  SearchView.prototype.erase = function (all) {
    if (!this.typed) { return; }
    this.typed = all ? '' : this.typed.slice(0, -1);
    this.changed();
  };

  /* What was typed shows at once; the server is asked once the keys rest. */
  SearchView.prototype.changed = function () {
    var self = this;
    this.page = 0;
    this.answer = null;
    this.paging = new held.Pages();
    this.app.source.cancel('search');
    if (this.timer) { window.clearTimeout(this.timer); }
    this.timer = null;
    if (this.typed) {
      this.timer = window.setTimeout(function () {
        self.timer = null;
        self.fetch(0, function () { self.refresh(); });
      }, DEBOUNCE_MS);
    }
    this.refresh();
  };

  /* Show a page of results: as it was shown before if it is kept, else asked
   * of the server after the last card of the page before it. done(false) when
   * the server is away, or nothing follows after all. */
  SearchView.prototype.fetch = function (page, done) {
    var self = this;
    var paging = this.paging;
    if (!this.typed) { return; }
    if (paging.get(page)) {
      this.showPage(page, paging.get(page), !this.offline);
      done(true);
      return;
    }
    this.app.source.latest('search', this.url(paging.after(page)), function (answer, fresh) {
      self.offline = !fresh;
      // Everything after the page before was withdrawn meanwhile: it is the last.
      if (answer && page > 0 && !answer.items.length) { paging.end(page - 1); }
      if (!answer || (page > 0 && !answer.items.length)) {
        if (page === 0) { self.answer = { items: [], total: 0 }; }
        done(false);
        return;
      }
      paging.put(page, answer, fresh);
      self.showPage(page, answer, fresh);
      if (fresh) { self.app.noteAnswer(answer); }
      done(true);
    });
  };

  SearchView.prototype.showPage = function (page, answer, fresh) {
    var paging = this.paging;
    this.answer = answer;
    this.page = page;
    // The next page ahead, so a step paints at once.
    if (fresh && paging.hasNext(page) && !paging.get(page + 1)) {
      this.app.source.prefetch(this.url(paging.after(page + 1)));
    }
  };

  SearchView.prototype.turn = function (delta) {
    var self = this;
    var next = this.page + delta;
    if (!this.answer || next < 0 || next >= this.pages()) { return false; }
    if (delta > 0 && !this.paging.hasNext(this.page)) { return false; }
    var resume = this.app.hold();
    this.fetch(next, function (ok) {
      if (ok && self.app.current() === self) {
        self.app.render(self);
        var cards = self.app.screenEl.querySelectorAll('.search-results .card');
        var card = delta > 0 ? cards[0] : cards[cards.length - 1];
        if (card) { self.app.focus.focus(card); }
      } else {
        // Not turned: the pager says so (nothing follows after all).
        self.refresh();
      }
      resume();
    });
    return true;
  };

  SearchView.prototype.cardIndex = function () {
    var cards = this.app.screenEl.querySelectorAll('.search-results .card');
    for (var i = 0; i < cards.length; i++) {
      if (cards[i] === this.app.focus.current) { return { index: i, count: cards.length }; }
    }
    return null;
  };

  SearchView.prototype.handleKey = function (action, digit) {
    if (action === 'digit' && digit >= 2 && digit <= 9) { this.type(String(digit)); return true; }
    if (action === 'digit' && digit === 1) { return true; }
    if (action === 'back' && this.typed) { this.erase(false); return true; }
    if (action === 'pageDown') { this.turn(1); return true; }
    if (action === 'pageUp') { this.turn(-1); return true; }
    var at = this.cardIndex();
    if (at && action === 'down' && at.index === at.count - 1) { this.turn(1); return true; }
    if (at && action === 'up' && at.index === 0 && this.page > 0) { return this.turn(-1); }
    return false;
  };

  /* Results update in place; focus stays on the same key, or a neighbour. */
  SearchView.prototype.refresh = function () {
    if (this.app.current() !== this) { return; }
    this.app.redraw(this);
  };

  SearchView.prototype.reload = function () {
    var self = this;
    if (!this.typed) { return; }
    this.paging.forget();
    this.fetch(this.page, function (ok) { if (ok) { self.refresh(); } });
  };

  /* A live change to a result: an edit shows in place, a withdrawn or expired
   * one stays where it was, 已下架, out of the count; focus does not move. */
  SearchView.prototype.onChange = function (change, onScreen) {
    var result = this.paging.apply(change);
    if (result && onScreen) { this.refresh(); }
    return !!result;
  };

  SearchView.prototype.destroy = function () {
    if (this.timer) { window.clearTimeout(this.timer); }
    this.app.source.cancel('search');
  };

  tv.SearchView = SearchView;
})(window);
