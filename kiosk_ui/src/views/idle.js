/* "还在吗？": after a minute without a touch, 20 seconds to say so before the
 * kiosk wipes everything of the last person. */
(function (window) {
  'use strict';

  var kiosk = window.kiosk;
  var screens = window.screens;
  var h = screens.dom.h;

  function IdleWarning(app, seconds) {
    this.app = app;
    this.left = seconds;
    this.countEl = null;
    this.button = null;
  }

  IdleWarning.prototype.render = function () {
    var app = this.app;
    this.countEl = h('span', { className: 'countdown', text: String(this.left) });
    this.button = kiosk.ui.button('继续', function () { app.stayActive(); }, 'primary continue');
    return h('div', {
      className: 'dialog', role: 'alertdialog', 'aria-modal': 'true',
      'aria-labelledby': 'idle-title', 'aria-describedby': 'idle-text'
    }, [
      h('h2', { id: 'idle-title', text: '您还在吗？' }),
      h('p', { id: 'idle-text' }, [this.countEl, ' 秒后清除本次填写的内容，回到首页。']),
      this.button
    ]);
  };

  IdleWarning.prototype.focus = function () { this.button.focus(); };

  IdleWarning.prototype.tick = function () {
    this.left--;
    if (this.left <= 0) {
      this.app.reset();
      return;
    }
    screens.dom.replace(this.countEl, String(this.left));
  };

  kiosk.IdleWarning = IdleWarning;
})(window);
