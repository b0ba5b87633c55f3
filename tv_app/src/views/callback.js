/* "请工作人员联系我": a mobile number typed with the remote's digits (or the
 * keypad on screen), a consent box, and a kind answer.
 *
 * OK is how anyone finishes, so it must never flip the consent the person is not
 * looking at: a digit from the remote takes focus to the number itself, where OK
 * sends; the keypad's eleventh digit takes it to 确认. From home to "登记成功"
 * for a job: OK (岗位), up, right, OK (计件), down, OK (the job), OK (请工作人员联系我),
 * OK (我同意), eleven digits, OK: 20 presses (tests/browser/test_tv_first_use.py). */
(function (window) {
  'use strict';

  var tv = window.tv = window.tv || {};
  var screens = window.screens;
  var h = screens.dom.h;
  var KEYPAD = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '删除', '0', '确认'];

  function CallbackView(app, listing) {
    this.app = app;
    this.name = 'callback';
    this.listing = listing;
    this.digits = '';
    this.consent = false;
    this.errors = {};
    this.sending = false;
    this.done = null;
  }

  CallbackView.prototype.render = function (container) {
    if (this.done) { return this.renderDone(container); }
    var self = this;
    var app = this.app;
    var consent = tv.cards.button((this.consent ? '☑' : '☐') + ' 我同意按上面的说明使用我的手机号', 'consent', function () {
      self.consent = !self.consent;
      self.errors.consent = '';
      self.refresh();
    }, 'checkbox');
    consent.setAttribute('role', 'checkbox');
    consent.setAttribute('aria-checked', this.consent ? 'true' : 'false');
    var pad = h('div', { className: 'keypad', 'data-focus-container': '', role: 'group', 'aria-label': '数字键盘' });
    for (var i = 0; i < KEYPAD.length; i++) { pad.appendChild(this.padKey(KEYPAD[i])); }
    var mobile = h('p', {
      className: 'mobile' + (this.digits ? '' : ' is-empty'), 'data-focusable': '', 'data-key': 'mobile',
      tabindex: '-1', role: 'textbox', 'aria-labelledby': 'mobile-label', 'aria-readonly': 'true',
      text: this.digits ? screens.format.mobile(this.digits) : '用遥控器数字键输入'
    });
    mobile.activate = function () { self.submit(); };
    var complete = this.digits.length === 11;
    var field = h('div', { className: 'field' }, [
      h('p', { className: 'field-label', id: 'mobile-label', text: '您的手机号码' }),
      mobile,
      this.errors.mobile ? h('p', { className: 'field-error', role: 'alert', text: this.errors.mobile })
        : complete ? h('p', { className: 'field-next', text: '号码输好了，按OK送出' }) : null
    ]);
    screens.dom.append(container, h('section', { className: 'callback' }, [
      h('h1', { className: 'title', text: '请工作人员联系我' }),
      h('p', { className: 'lead', text: '关于：' + this.listing.title }),
      h('div', { className: 'callback-body' }, [
        h('div', { className: 'callback-left' }, [
          h('p', { className: 'notice', text: notice(app, this.listing) }),
          consent,
          this.errors.consent ? h('p', { className: 'field-error', role: 'alert', text: this.errors.consent }) : null,
          field,
          this.errors.form ? h('p', { className: 'field-error', role: 'alert', text: this.errors.form }) : null
        ]),
        pad
      ]),
      h('p', { className: 'hints', text: '确定键勾选“我同意” · 数字键输入号码，输完按OK送出 · 返回键：不登记，回到上一步' })
    ]));
    return consent;
  };

  function notice(app, listing) {
    var site = listing.site;
    var phone = site && site.phone ? site.phone : '12333';
    // How long: the server's setting, sent in the home answer. A copy kept from an
    // older server has none: then the notice says nothing it cannot back.
    var periods = app.home && app.home.privacy;
    var kept = periods ? '保存' + periods.keep_months + '个月后删除' : '到期删除';
    return '“就享家”就业服务站（' + app.settings.community.name + '）收集您的手机号，' +
      '只用于工作人员就这条信息给您回电话，不会给别人，' + kept + '。有疑问请拨打 ' + phone + '。';
  }

  CallbackView.prototype.padKey = function (label) {
    var self = this;
    return tv.cards.button(label, 'pad-' + label, function () {
      if (label === '删除') {
        self.digits = self.digits.slice(0, -1);
        self.refresh();
      } else if (label === '确认') {
        self.submit();
      } else {
        self.type(label, 'pad-确认');
      }
    }, 'pad-key' + (label.length > 1 ? ' pad-wide' : ''));
  };

  /* One more digit. From the remote, focus goes to the number (OK there sends);
   * from the keypad it stays on the keypad until the eleventh, then goes to "last". */
  CallbackView.prototype.type = function (digit, last) {
    if (this.digits.length >= 11) { return; }
    this.digits += digit;
    this.errors.mobile = '';
    this.refresh(last === 'mobile' || this.digits.length === 11 ? last : null);
  };

  CallbackView.prototype.handleKey = function (action, digit) {
    if (action === 'digit' && !this.done) {
      this.type(String(digit), 'mobile');
      return true;
    }
    return false;
  };

  CallbackView.prototype.submit = function () {
    var self = this;
    if (this.sending) { return; }
    this.errors = {};
    if (!this.consent) { this.errors.consent = '请先选中“我同意”，我们才能记下您的号码'; }
    if (this.digits.length !== 11) {
      this.errors.mobile = '请输入11位手机号码（现在是' + this.digits.length + '位）';
    } else if (!screens.format.validMobile(this.digits)) {
      this.errors.mobile = '这个号码不像手机号，请检查一下';
    }
    // Missing consent: to the box the message names, for the person to tick it.
    if (this.errors.consent || this.errors.mobile) {
      this.refresh(this.errors.consent ? 'consent' : null);
      return;
    }
    this.sending = true;
    var url = '/api/listings/' + this.listing.id + '/callback';
    var body = { mobile: this.digits, consent: true };
    screens.http.postJSON(url, body, { 'X-Screen-Token': this.app.settings.token }, function (status, data) {
      self.sending = false;
      // A repeat of a number is answered as a first request is: the server tells
      // no one whether a number asked before.
      if (status === 201 || status === 200) {
        self.done = { reference: data && data.reference };
      } else if (status === 0) {
        self.errors.form = '网络不通，号码还没有送出，请稍后再按“确认”';
      } else if (status === 409 || status === 410) {
        self.errors.form = '这条信息已下架，不能再登记了';
      } else if (data && data.error && data.error.fields && data.error.fields.mobile) {
        self.errors.mobile = data.error.fields.mobile;
      } else {
        self.errors.form = (data && data.error && data.error.message) || '没有登记成功，请稍后再试';
      }
      self.refresh();
    });
  };

  CallbackView.prototype.renderDone = function (container) {
    var app = this.app;
    var text = '已经记下了！工作人员会尽快给您打电话：' + screens.format.mobile(this.digits) + '。';
    var ok = tv.cards.button('好的，返回', 'done', function () { app.back(); }, 'primary');
    screens.dom.append(container, h('section', { className: 'callback done' }, [
      h('h1', { className: 'title', text: '登记成功' }),
      h('p', { className: 'big-message', role: 'status', text: text }),
      ok
    ]));
    return ok;
  };

  CallbackView.prototype.refresh = function (key) {
    var focused = this.app.focus.current;
    this.app.render(this, key || (focused ? focused.getAttribute('data-key') : null));
  };

  /* The listing went away while the person was typing: say so, keep nothing. */
  CallbackView.prototype.onChange = function (change, onScreen) {
    if (change.entity !== 'listing' || change.id !== this.listing.id) { return false; }
    if (change.op === 'remove' && !this.done) {
      this.errors.form = '这条信息刚刚下架了，不能再登记。按返回键回到上一步。';
      if (onScreen) { this.refresh(); }
    }
    return true;
  };

  tv.CallbackView = CallbackView;
})(window);
