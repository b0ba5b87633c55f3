/* Form building blocks: a labelled field with its error beside it, and the server's
 * field messages put next to the fields they name. Times are entered in China time. */
(function (window) {
  'use strict';

  var h = window.screens.dom.h;
  var CHINA_OFFSET_MS = 8 * 3600 * 1000;

  function pad(n) { return n < 10 ? '0' + n : String(n); }

  /* A labelled control; `name` is the API's field path, e.g. "job.pay.min". */
  function field(label, name, control, hint) {
    control.setAttribute('data-field', name);
    if (!control.id) { control.id = 'f-' + name.replace(/[^a-z0-9]+/gi, '-'); }
    return h('div', { className: 'field', 'data-field-wrap': name }, [
      h('label', { 'for': control.id, text: label }),
      control,
      hint ? h('div', { className: 'hint', text: hint }) : null,
      h('div', { className: 'field-error', 'data-error-for': name, role: 'alert' })
    ]);
  }

  function input(attributes) {
    var element = h('input', attributes);
    if (attributes && attributes.value !== undefined && attributes.value !== null) { element.value = attributes.value; }
    return element;
  }

  function textarea(attributes, value) {
    var element = h('textarea', attributes);
    element.value = value || '';
    return element;
  }

  /* choices: [{value, name}]; a blank first choice when `blank` is given. */
  function select(choices, value, blank, attributes) {
    var options = [];
    if (blank !== undefined && blank !== null) { options.push(h('option', { value: '', text: blank })); }
    for (var i = 0; i < choices.length; i++) {
      options.push(h('option', { value: String(choices[i].value), text: choices[i].name }));
    }
    var element = h('select', attributes || {}, options);
    element.value = value === null || value === undefined ? '' : String(value);
    return element;
  }

  function checkbox(label, name, checked) {
    var box = h('input', { type: 'checkbox', 'data-field': name, id: 'f-' + name.replace(/[^a-z0-9]+/gi, '-') });
    box.checked = !!checked;
    return h('div', { className: 'field field-check', 'data-field-wrap': name }, [
      h('label', {}, [box, ' ' + label]),
      h('div', { className: 'field-error', 'data-error-for': name, role: 'alert' })
    ]);
  }

  function clearErrors(root) {
    var shown = root.querySelectorAll('.field-error, .form-error');
    for (var i = 0; i < shown.length; i++) { shown[i].textContent = ''; }
    var marked = root.querySelectorAll('[aria-invalid]');
    for (var j = 0; j < marked.length; j++) { marked[j].removeAttribute('aria-invalid'); }
  }

  /* The nearest field shown for a path: "job.pay.min", then "job.pay", then "job". */
  function slotFor(root, path) {
    var parts = path.split('.');
    while (parts.length) {
      var slot = root.querySelector('[data-error-for="' + parts.join('.') + '"]');
      if (slot) { return slot; }
      parts.pop();
    }
    return null;
  }

  /* Put an API error on the form: each field message beside its field, the rest on top. */
  function showErrors(root, error) {
    clearErrors(root);
    var general = [];
    var first = null;
    for (var path in error.fields) {
      if (!error.fields.hasOwnProperty(path)) { continue; }
      var slot = slotFor(root, path);
      if (!slot) {
        general.push(error.fields[path]);
        continue;
      }
      slot.textContent = slot.textContent ? slot.textContent + '；' + error.fields[path] : error.fields[path];
      var control = root.querySelector('[data-field="' + slot.getAttribute('data-error-for') + '"]');
      if (control) {
        control.setAttribute('aria-invalid', 'true');
        first = first || control;
      }
    }
    var top = root.querySelector('.form-error');
    if (top) {
      var hasFields = first !== null;
      top.textContent = general.length ? general.join('；') : (hasFields ? '请按提示修改标红的项目' : error.message);
    }
    if (first) { first.focus(); }
  }

  function formError() { return h('div', { className: 'form-error', role: 'alert' }); }

  /* "2026-11-22T19:00" typed in China time → "2026-11-22T19:00:00+08:00" (seconds kept if given). */
  function toMoment(local) {
    if (!local) { return null; }
    return (local.length === 16 ? local + ':00' : local) + '+08:00';
  }

  /* An ISO time → the value a datetime-local input shows, in China time. */
  function fromMoment(iso) {
    var ms = Date.parse(iso || '');
    if (isNaN(ms)) { return ''; }
    var d = new Date(ms + CHINA_OFFSET_MS);
    return d.getUTCFullYear() + '-' + pad(d.getUTCMonth() + 1) + '-' + pad(d.getUTCDate()) +
      'T' + pad(d.getUTCHours()) + ':' + pad(d.getUTCMinutes());
  }

  /* "2026-11-22 19:05", China time, for tables. */
  function when(iso) {
    var local = fromMoment(iso);
    return local ? local.replace('T', ' ') : '';
  }

  function value(root, name) {
    var control = root.querySelector('[data-field="' + name + '"]');
    if (!control) { return undefined; }
    if (control.type === 'checkbox') { return control.checked; }
    return control.value.trim ? control.value.trim() : control.value;
  }

  /* A number field: blank is null; anything else goes to the server as typed if not a number,
   * so its message ("应为数字") lands beside the field instead of being guessed here. */
  function number(root, name) {
    var text = value(root, name);
    if (text === '' || text === undefined) { return null; }
    return isNaN(Number(text)) ? text : Number(text);
  }

  window.admin = window.admin || {};
  window.admin.forms = {
    field: field,
    input: input,
    textarea: textarea,
    select: select,
    checkbox: checkbox,
    formError: formError,
    clearErrors: clearErrors,
    showErrors: showErrors,
    toMoment: toMoment,
    fromMoment: fromMoment,
    when: when,
    value: value,
    number: number
  };
})(window);
