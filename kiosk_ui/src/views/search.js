/* Keyword search with the on-screen pinyin keyboard; results follow each
 * character picked from the candidate bar. */
(function (window) {
  'use strict';

  var kiosk = window.kiosk;
  var screens = window.screens;
  var h = screens.dom.h;
  var ui = kiosk.ui;
  var PREVIEW = 3;

  function SearchView(app) {
    this.app = app;
    this.name = 'search';
    this.query = '';
    this.keyboard = null;
    this.queryEl = null;
    this.resultsEl = null;
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

  SearchView.prototype.update = function () {
    var app = this.app;
    var query = words(this.query);
    screens.dom.replace(this.queryEl, this.query || '用下面的键盘输入');
    this.queryEl.className = 'field-value' + (this.query ? '' : ' is-empty');
    if (!query) {
      screens.dom.clear(this.resultsEl);
      return;
    }
    var found = kiosk.findListings(app, { query: query });
    var self = this;
    // As many of the first results as fit above the keyboard; the rest a tap away.
    function show(count) {
      screens.dom.replace(self.resultsEl, [
        h('p', { className: 'lead', text: '找到' + found.length + '条' }),
        h('div', { className: 'cards cards-preview' }, found.slice(0, count).map(function (listing) {
          return ui.card(listing, app.settings.site, function (chosen) { app.show(new kiosk.DetailView(app, chosen.id)); });
        })),
        found.length > count ? ui.button('查看全部' + found.length + '条', function () {
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
  SearchView.prototype.leave = function () { this.keyboard.destroy(); };
  SearchView.prototype.onChange = function () { this.update(); };

  kiosk.SearchView = SearchView;
})(window);
