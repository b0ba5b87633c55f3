/* Keyword search with the on-screen pinyin keyboard; the server searches
 * (docs/protocol.md): results follow each character picked from the candidate
 * bar, a moment after the last, and an answer to an older query is dropped. */
(function (window) {
  'use strict';

  var kiosk = window.kiosk;
  var screens = window.screens;
  var h = screens.dom.h;
  var ui = kiosk.ui;
  var PREVIEW = 3;
  // A pause after the last character before the server is asked.
  var DEBOUNCE_MS = 250;

  function SearchView(app) {
    this.app = app;
    this.name = 'search';
    this.query = '';
    this.keyboard = null;
    this.queryEl = null;
    this.resultsEl = null;
    this.timer = null;
    // The answer shown, and the query it answers.
    this.answer = null;
    this.answered = '';
  }

  /* Only the Chinese characters count: pinyin still being typed is not a word yet. */
  function words(query) { return query.replace(/[a-z]+$/i, '').trim(); }

  SearchView.prototype.render = function () {
    var self = this;
    this.queryEl = h('p', { className: 'field-value', role: 'textbox', 'aria-readonly': 'true', 'aria-labelledby': 'query-label' });
    this.resultsEl = h('div', { className: 'search-results', 'aria-live': 'polite' });
    this.keyboard = new kiosk.PinyinInput({
      label: '搜索词',
      value: this.query,
      maxLength: 20,
      onChange: function (value) {
        self.query = value;
        self.update();
      }
    });
    this.update();
    return {
      top: h('div', { className: 'heading' }, [
        h('h1', { text: '搜索' }),
        h('p', { className: 'lead', text: '比如：保洁、缝纫、电工、夜校' })
      ]),
      main: [
        h('div', { className: 'search' }, [
          h('p', { className: 'field-label', id: 'query-label', text: '搜索词' }),
          this.queryEl,
          this.resultsEl,
          this.keyboard.element
        ]),
        ui.nav(this.app)
      ]
    };
  };

  /* The query changed: shown at once, asked of the server a moment later. */
  SearchView.prototype.update = function () {
    var self = this;
    var query = words(this.query);
    screens.dom.replace(this.queryEl, this.query || '用下面的键盘输入');
    this.queryEl.className = 'field-value' + (this.query ? '' : ' is-empty');
    window.clearTimeout(this.timer);
    if (!query) {
      if (this.app.source) { this.app.source.cancel('search'); }
      this.answer = null;
      this.answered = '';
      screens.dom.clear(this.resultsEl);
      return;
    }
    if (query === this.answered) {
      this.showResults();
      return;
    }
    this.timer = window.setTimeout(function () { self.ask(query); }, DEBOUNCE_MS);
  };

  SearchView.prototype.ask = function (query) {
    var self = this;
    var app = this.app;
    if (!app.source) {
      // A staff preview asks the server for nothing but its listing.
      this.answer = { items: [], total: 0 };
      this.answered = query;
      this.showResults();
      return;
    }
    var url = app.source.feedUrl({ q: query, page: 1, per_page: PREVIEW });
    app.source.latest('search', url, function (answer, fresh) {
      self.answer = answer || { items: [], total: 0 };
      self.answered = query;
      self.offline = !answer || !fresh;
      if (answer && fresh) { app.noteAnswer(answer); }
      if (app.current() === self && self.resultsEl) { self.showResults(); }
    });
  };

  SearchView.prototype.showResults = function () {
    var app = this.app;
    var self = this;
    var answer = this.answer;
    var query = this.answered;
    if (!answer) { return; }
    // As many of the first results as fit above the keyboard; the rest a tap away.
    function show(count) {
      screens.dom.replace(self.resultsEl, [
        h('p', { className: 'lead', text: self.offline && !answer.total
          ? '网络已断开，暂时不能搜索' : '找到' + answer.total + '条' }),
        h('div', { className: 'cards cards-preview' }, answer.items.slice(0, count).map(function (listing) {
          return ui.card(listing, app.settings.site, function (chosen) { app.show(new kiosk.DetailView(app, chosen)); });
        })),
        answer.total > count ? ui.button('查看全部' + answer.total + '条', function () {
          app.show(new kiosk.BrowseView(app, { query: query }));
        }, 'secondary') : null
      ]);
    }
    var count = PREVIEW;
    show(count);
    while (count > 0 && this.resultsEl.isConnected && app.overflows()) { show(--count); }
  };

  /* The keyboard takes its room first; then the results fit around it. */
  SearchView.prototype.mounted = function () {
    this.keyboard.mount();
    this.update();
  };
  SearchView.prototype.leave = function () {
    window.clearTimeout(this.timer);
    this.keyboard.destroy();
  };
  SearchView.prototype.forget = function () {
    if (this.app.source) { this.app.source.cancel('search'); }
  };

  /* A live change to a listing among the results: changed in place, a
   * withdrawn one kept where it was, 已下架. */
  SearchView.prototype.onChange = function (change, current) {
    var result = screens.held.apply(this.answer, change, true);
    if (result && current && this.resultsEl) { this.showResults(); }
    return !!result;
  };
  SearchView.prototype.reload = function () {
    if (this.answered) { this.ask(this.answered); }
  };

  kiosk.SearchView = SearchView;
})(window);
