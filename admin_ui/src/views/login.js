/* The login form. The server slows and then locks repeated failures; its words are shown. */
(function (window) {
  'use strict';

  var h = window.screens.dom.h;
  var forms = window.admin.forms;
  var api = window.admin.api;

  function login(root, onLoggedIn) {
    var error = forms.formError();
    var submit = h('button', { type: 'submit', className: 'button primary wide', text: '登录' });
    var form = h('form', { className: 'login-form', novalidate: 'novalidate' }, [
      h('h1', { text: '就享家 管理后台' }),
      h('p', { className: 'hint', text: '就业服务专员与站点工作人员使用' }),
      error,
      forms.field('用户名', 'username', forms.input({ autocomplete: 'username', autofocus: 'autofocus' })),
      forms.field('密码', 'password', forms.input({ type: 'password', autocomplete: 'current-password' })),
      submit
    ]);
    form.addEventListener('submit', function (event) {
      event.preventDefault();
      submit.disabled = true;
      var body = { username: forms.value(form, 'username'), password: form.querySelector('[data-field="password"]').value };
      api.post('/admin/api/session', body, function (failure, data) {
        submit.disabled = false;
        if (failure) {
          forms.showErrors(form, failure);
          return;
        }
        onLoggedIn(data.staff);
      });
    });
    window.screens.dom.replace(root, h('div', { className: 'login-page' }, form));
    form.querySelector('[data-field="username"]').focus();
  }

  window.admin.pages = window.admin.pages || {};
  window.admin.pages.login = login;
})(window);
