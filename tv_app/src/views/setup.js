/* First run: choose your street, then your community. The TV registers itself
 * as a screen of that community and remembers it. */
(function (window) {
  'use strict';

  var tv = window.tv = window.tv || {};
  var screens = window.screens;
  var h = screens.dom.h;
  var http = window.screens.http;
  var PER_PAGE = 6;

  function SetupView(app) {
    this.app = app;
    this.name = 'setup';
    this.streets = null;
    this.street = null;
    this.page = 0;
    this.error = '';
  }

  SetupView.prototype.render = function (container) {
    var self = this;
    if (!this.streets) {
      screens.dom.append(container, h('p', {
        className: 'message-text', 'data-focusable': '', tabindex: '-1', text: '正在载入社区名单……'
      }));
      http.getJSON('/api/places', function (status, data) {
        if (status !== 200 || !data) {
          self.error = '网络不通，正在重试……';
          window.setTimeout(function () { self.streets = null; self.app.render(self); }, 5000);
          self.streets = [];
        } else {
          self.streets = streetsOf(data.places);
        }
        self.app.render(self);
      });
      return null;
    }
    var choosingStreet = !this.street;
    var options = choosingStreet ? this.streets : this.street.communities;
    var pages = Math.max(1, Math.ceil(options.length / PER_PAGE));
    this.page = Math.min(this.page, pages - 1);
    var shown = options.slice(this.page * PER_PAGE, (this.page + 1) * PER_PAGE);
    var grid = h('div', { className: 'grid grid-choices', 'data-focus-container': '' });
    for (var i = 0; i < shown.length; i++) {
      grid.appendChild(this.choice(shown[i], choosingStreet));
    }
    screens.dom.append(container, [
      h('h1', { className: 'title', text: choosingStreet ? '第一次使用：请选择您住的街道' : '请选择您住的社区' }),
      h('p', { className: 'lead', text: choosingStreet
        ? '选好以后，电视上会显示您家附近的岗位、培训和补贴。'
        : this.street.district + ' · ' + this.street.name }),
      this.error ? h('p', { className: 'field-error', role: 'alert', text: this.error }) : null,
      grid,
      h('p', { className: 'pager', text: pages > 1 ? '第' + (this.page + 1) + '/' + pages + '页 · 按上下键翻页' : '' }),
      h('p', { className: 'hints', text: '方向键选择 · 确定键选中' + (choosingStreet ? '' : ' · 返回键重选街道') })
    ]);
    return grid.firstChild;
  };

  SetupView.prototype.choice = function (option, isStreet) {
    var self = this;
    var label = isStreet ? option.name : option.name;
    var element = tv.cards.button(label, 'place-' + option.id, function () {
      if (isStreet) {
        self.street = option;
        self.page = 0;
        self.app.render(self);
      } else {
        self.register(option);
      }
    }, 'choice');
    if (isStreet) { element.appendChild(h('span', { className: 'choice-note', text: option.district })); }
    return element;
  };

  SetupView.prototype.register = function (community) {
    var self = this;
    var body = { community_id: community.id, app_version: 'tv-1' };
    http.postJSON('/api/screens', body, {}, function (status, data) {
      if (status === 201 && data) {
        self.app.registered({
          token: data.token,
          community: { id: community.id, name: community.name,
            latitude: community.latitude, longitude: community.longitude },
          street: { id: self.street.id, name: self.street.name }
        });
        return;
      }
      self.error = status === 0 ? '网络不通，请稍后再按确定' : '登记没有成功，请再试一次';
      self.app.render(self, 'place-' + community.id);
    });
  };

  SetupView.prototype.handleKey = function (action) {
    var total = (this.street ? this.street.communities : this.streets || []).length;
    var pages = Math.ceil(total / PER_PAGE);
    var moved = false;
    if (action === 'down' || action === 'pageDown') {
      moved = action === 'down' && this.app.focus.move('down');
      if (!moved && this.page < pages - 1) { this.page++; this.app.render(this); }
      return true;
    }
    if (action === 'up' || action === 'pageUp') {
      moved = action === 'up' && this.app.focus.move('up');
      if (!moved && this.page > 0) { this.page--; this.app.render(this); }
      return true;
    }
    if (action === 'back') {
      if (this.street) {
        this.street = null;
        this.page = 0;
        this.app.render(this);
      } else {
        this.app.openDialog(new tv.ExitDialog(this.app));
      }
      return true;
    }
    return false;
  };

  function streetsOf(cities) {
    var streets = [];
    for (var c = 0; c < cities.length; c++) {
      var districts = cities[c].children;
      for (var d = 0; d < districts.length; d++) {
        for (var s = 0; s < districts[d].children.length; s++) {
          var street = districts[d].children[s];
          streets.push({ id: street.id, name: street.name, district: districts[d].name,
            communities: street.children });
        }
      }
    }
    return streets;
  }

  tv.SetupView = SetupView;
})(window);
