/* Tying the kiosk to its site with the one-time code staff read out, and the
 * screen a kiosk shows when the server no longer knows it. */
(function (window) {
  'use strict';

  var kiosk = window.kiosk;
  var screens = window.screens;
  var h = screens.dom.h;
  var ui = kiosk.ui;
  var CODE_LENGTH = 8;

  function EnrolView(app) {
    this.app = app;
    this.name = 'enrol';
    this.digits = '';
    this.error = '';
    this.sending = false;
  }

  EnrolView.prototype.render = function () {
    var self = this;
    var shown = this.digits.slice(0, 4) + (this.digits.length > 4 ? ' ' + this.digits.slice(4) : '');
    return {
      top: h('div', { className: 'heading' }, [
        h('h1', { text: '绑定本机' }),
        h('p', { className: 'lead', text: '请工作人员在管理后台为本站点生成8位登记码，在下面输入。' })
      ]),
      main: h('section', { className: 'form-step' }, [
        h('p', { className: 'field-label', id: 'code-label', text: '登记码' }),
        h('p', {
          className: 'field-value digits' + (this.digits ? '' : ' is-empty'),
          role: 'textbox', 'aria-readonly': 'true', 'aria-labelledby': 'code-label',
          'aria-describedby': this.error ? 'code-error' : null,
          text: this.digits ? shown : '＿＿＿＿ ＿＿＿＿'
        }),
        ui.fieldError('code', this.error),
        kiosk.keypad.keypad('数字键盘', function (key) {
          self.digits = kiosk.keypad.type(self.digits, key, CODE_LENGTH);
          self.error = '';
          self.app.refresh();
        }),
        h('div', { className: 'actions' }, [
          ui.button(this.sending ? '正在绑定……' : '绑定', function () { self.submit(); }, 'primary',
            { disabled: this.sending ? 'disabled' : null })
        ])
      ])
    };
  };

  EnrolView.prototype.submit = function () {
    var self = this;
    if (this.digits.length !== CODE_LENGTH) {
      this.error = '请输入8位登记码';
      this.app.refresh();
      return;
    }
    this.sending = true;
    this.app.refresh();
    var body = { code: this.digits, app_version: 'kiosk-1' };
    screens.http.postJSON('/api/screens/enrol', body, {}, function (status, data) {
      self.sending = false;
      if (status === 201 && data) {
        self.app.enrolled({
          token: data.token,
          screen_id: data.screen.id,
          community_id: data.screen.community_id,
          site: data.site
        });
        return;
      }
      var error = data && data.error;
      self.error = status === 0 ? '连不上服务器，请检查网络后再试'
        : (error && error.fields && error.fields.code) || (error && error.message) || '绑定没有成功，请联系工作人员';
      self.app.refresh();
    });
  };

  function RefusedView(app, message) {
    this.app = app;
    this.name = 'refused';
    this.message = message;
  }

  RefusedView.prototype.render = function () {
    var app = this.app;
    return {
      top: h('div', { className: 'heading' }, [
        h('h1', { text: '请联系工作人员' }),
        h('p', { className: 'lead', text: '这台自助机暂时不能使用。' })
      ]),
      main: h('section', { className: 'message' }, [
        h('p', { text: this.message || '这台自助机已停用或没有绑定。' }),
        h('p', { text: '请到服务台找工作人员，或拨打 12333 咨询。' }),
        h('div', { className: 'actions' }, [
          ui.button('工作人员：重新绑定', function () { app.unenrol(); }, 'secondary')
        ])
      ])
    };
  };

  kiosk.EnrolView = EnrolView;
  kiosk.RefusedView = RefusedView;
})(window);
