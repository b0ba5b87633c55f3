/* How a registration ends on the kiosk: done (reference, QR to see or cancel it
 * on a phone, a ticket when there is a printer) or saved for when the network
 * is back. "完成" wipes everything of the person. */
(function (window) {
  'use strict';

  var kiosk = window.kiosk;
  var screens = window.screens;
  var h = screens.dom.h;
  var ui = kiosk.ui;

  function DoneView(app, title, answer) {
    this.app = app;
    this.name = 'done';
    this.title = title;
    this.answer = answer;
    this.qrUrl = null;
    this.printNote = '';
  }

  DoneView.prototype.render = function () {
    var self = this;
    var app = this.app;
    var answer = this.answer;
    this.qrEl = h('div', { className: 'manage-qr' });
    return {
      top: h('div', { className: 'heading' }, [
        h('p', { className: 'brand', text: this.title }),
        h('h1', { text: answer.waitlisted ? '已排上候补' : '登记成功' }),
        h('p', { className: 'lead', role: 'status', text: answer.message })
      ]),
      main: [
        h('section', { className: 'outcome' }, [
          h('p', { className: 'reference-label', text: '登记号' }),
          h('p', { className: 'reference', text: answer.reference }),
          this.qrEl,
          h('p', { text: '用手机扫一扫，可以随时查看或取消这次登记。' }),
          this.printNote ? h('p', { className: 'hint', role: 'status', text: this.printNote }) : null,
          h('div', { className: 'actions' }, [
            app.printer ? ui.button('打印回执', function () { self.print(); }, 'secondary') : null,
            ui.button('完成', function () { app.reset(); }, 'primary')
          ])
        ])
      ]
    };
  };

  /* The QR only this kiosk may fetch, right after: an image from a private blob. */
  DoneView.prototype.mounted = function () {
    var self = this;
    if (this.qrUrl) {
      this.showQr();
      return;
    }
    this.app.privateImage(this.answer.reference, 'qr.png', function (blob) {
      if (!blob || self.app.current() !== self) { return; }
      self.qrUrl = window.URL.createObjectURL(blob);
      self.showQr();
    });
  };

  DoneView.prototype.showQr = function () {
    screens.dom.replace(this.qrEl, h('img', { className: 'qr', src: this.qrUrl, alt: '查看或取消登记的二维码' }));
  };

  DoneView.prototype.print = function () {
    var self = this;
    this.app.printTicket(this.answer.reference, function (printed) {
      self.printNote = printed ? '回执已打印，请在出纸口取走' : '打印没有成功，请记下登记号';
      self.app.refresh();
    });
  };

  DoneView.prototype.forget = function () {
    if (this.qrUrl) {
      window.URL.revokeObjectURL(this.qrUrl);
      this.qrUrl = null;
    }
  };

  function SavedView(app) {
    this.app = app;
    this.name = 'saved';
  }

  SavedView.prototype.render = function () {
    var app = this.app;
    return {
      top: h('div', { className: 'heading' }, [
        h('h1', { text: '已保存' }),
        h('p', { className: 'lead', role: 'status', text: '已保存，网络恢复后自动提交' })
      ]),
      main: [
        h('section', { className: 'outcome' }, [
          h('p', { text: '现在网络不通，您的登记已经存在这台机器上。网络一恢复就会自动提交，不会重复。' }),
          h('p', { text: '提交后工作人员会打电话联系您，您不用再登记一次。' }),
          h('div', { className: 'actions' }, [ui.button('完成', function () { app.reset(); }, 'primary')])
        ])
      ]
    };
  };

  kiosk.DoneView = DoneView;
  kiosk.SavedView = SavedView;
})(window);
