/* Small screens and dialogs: leaving the app, and a TV the server no longer knows. */
(function (window) {
  'use strict';

  var tv = window.tv = window.tv || {};
  var screens = window.screens;
  var h = screens.dom.h;

  function ExitDialog(app) {
    this.app = app;
    this.initialFocus = null;
  }

  ExitDialog.prototype.render = function () {
    var app = this.app;
    var stay = tv.cards.button('继续看', 'stay', function () { app.closeDialog(); }, 'primary');
    var leave = tv.cards.button('退出', 'leave', function () { app.exit(); });
    this.initialFocus = stay;
    return h('div', { className: 'dialog', 'data-focus-layer': '', role: 'dialog', 'aria-modal': 'true',
      'aria-labelledby': 'exit-title' }, [
      h('h2', { id: 'exit-title', className: 'dialog-title', text: '退出吗？' }),
      h('div', { className: 'dialog-actions' }, [stay, leave])
    ]);
  };

  ExitDialog.prototype.handleKey = function () { return false; };

  function RefusedView(app, message) {
    this.app = app;
    this.name = 'refused';
    this.message = message;
  }

  RefusedView.prototype.render = function (container) {
    var app = this.app;
    var again = tv.cards.button('重新选择社区', 'again', function () { app.forget(); }, 'primary');
    screens.dom.append(container, h('section', { className: 'message' }, [
      h('h1', { className: 'title', text: '请联系工作人员' }),
      h('p', { className: 'big-message', text: this.message || '这台电视还没有登记，或者已经停用。' }),
      again
    ]));
    return again;
  };

  tv.ExitDialog = ExitDialog;
  tv.RefusedView = RefusedView;
})(window);
