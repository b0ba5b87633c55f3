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
          h('p', { text: manageNote(app) }),
          this.printNote ? h('p', { className: 'hint', role: 'status', text: this.printNote }) : null,
          h('div', { className: 'actions' }, [
            app.printer ? ui.button('打印回执', function () { self.print(); }, 'secondary') : null,
            ui.button('完成', function () { app.reset(); }, 'primary')
          ])
        ])
      ]
    };
  };

  /* How long the QR's link works: the server's setting, sent in the home answer. */
  function manageNote(app) {
    var periods = app.homeAnswer && app.homeAnswer.privacy;
    return periods ? '登记后' + periods.link_days + '天内可以扫码查看或取消这次登记。'
      : '可以用手机扫码查看或取消这次登记。';
  }

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

  /* Saved on the kiosk while the network was away, or while the server asked this
   * kiosk to wait (`busy`: too many registrations at once). When the queue sends
   * this form (app.answered) and the person is still here, the screen becomes the
   * confirmation, or says why the server refused it. */
  function SavedView(app, title, key, busy) {
    this.app = app;
    this.name = 'saved';
    this.title = title;
    this.key = key;
    this.busy = !!busy;
  }

  SavedView.prototype.render = function () {
    var app = this.app;
    return {
      top: h('div', { className: 'heading' }, [
        h('p', { className: 'brand', text: this.title }),
        h('h1', { text: '已保存' }),
        h('p', { className: 'lead', role: 'status', text: this.busy ? '已保存，稍后自动提交' : '已保存，网络恢复后自动提交' })
      ]),
      main: [
        h('section', { className: 'outcome' }, [
          h('p', {
            text: this.busy
              ? '现在登记的人多，服务器请这台机器等一会儿再交。您的登记已经存在这台机器上，过一会儿会自动提交，不会重复。'
              : '现在网络不通，您的登记已经存在这台机器上。网络一恢复就会自动提交，不会重复。'
          }),
          h('p', { text: '您可以在这里等一等：提交成功后，这里会显示登记号和二维码。也可以点“完成”离开，提交后工作人员会打电话联系您，您不用再登记一次。' }),
          h('div', { className: 'actions' }, [ui.button('完成', function () { app.reset(); }, 'primary')])
        ])
      ]
    };
  };

  /* The queue has had the server's answer for this form: outcome 'sent' or 'refused'. */
  SavedView.prototype.answered = function (outcome, status, data) {
    if (outcome === 'sent') {
      this.app.swap(new DoneView(this.app, this.title, data));
      return;
    }
    var refusal = kiosk.refusal(status, data && data.error);
    refusal.retry = null;  // the form has left the kiosk: nothing to send again
    this.app.swap(new RefusalView(this.app, this.title, refusal));
  };

  /* What the person is told when the server refuses a form for good or for now:
   * {heading, message, next, retry}. Plain words, and always what happens next. */
  function refusal(status, error) {
    error = error || {};
    if (status === 429) {
      return {
        heading: '现在登记不了',
        message: error.message || '登记太频繁了',
        next: '这次的登记没有提交，也没有存在这台机器上。过一会儿可以点“再试一次”，不用重填；也可以请现场工作人员帮您登记。点“完成”会清除您填的内容。',
        retry: true
      };
    }
    if (status === 410 || status === 404) {
      return {
        heading: '已下架',
        message: error.message || '这条信息已下架，不能再登记',
        next: '这次填的内容没有提交，也没有保存。点“返回首页”看看别的信息。'
      };
    }
    if (error.code === 'session_full') {
      return {
        heading: '这一期已经报满了',
        message: error.message || '这一期已经报满了',
        next: '这次没有报上名，填的内容也没有保存。可以回首页重新报名，排队候补或换一期。'
      };
    }
    var said = [];
    var path;
    for (path in error.fields || {}) {
      if (error.fields.hasOwnProperty(path)) { said.push(error.fields[path]); }
    }
    return {
      heading: '没能提交',
      message: said.length ? said.join('；') : (error.message || '提交没有成功'),
      next: '这次填的内容没有提交，也没有保存。请找现场工作人员帮您登记，或者拨打 12333 咨询。'
    };
  }

  /* A refusal with its way on: 再试一次 when it may pass, 返回首页 and 完成 always. */
  function RefusalView(app, title, said) {
    this.app = app;
    this.name = 'refusal';
    this.title = title;
    this.said = said;
  }

  RefusalView.prototype.render = function () {
    var app = this.app;
    var said = this.said;
    return {
      top: h('div', { className: 'heading' }, [
        h('p', { className: 'brand', text: this.title }),
        h('h1', { text: said.heading }),
        h('p', { className: 'lead', role: 'alert', text: said.message })
      ]),
      main: [
        h('section', { className: 'outcome' }, [
          h('p', { className: 'next', text: said.next }),
          said.retry ? h('div', { className: 'actions' }, [
            ui.button('再试一次', function () { said.retry(); }, 'secondary')
          ]) : null
        ]),
        h('nav', { className: 'nav', 'aria-label': '导航' }, [
          ui.button('返回首页', function () { app.home(); }, 'nav-home'),
          ui.button('完成', function () { app.reset(); }, 'primary nav-next')
        ])
      ]
    };
  };

  kiosk.DoneView = DoneView;
  kiosk.SavedView = SavedView;
  kiosk.RefusalView = RefusalView;
  kiosk.refusal = refusal;
})(window);
