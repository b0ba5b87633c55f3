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

  /* A file field whose button and "未选择文件" speak Chinese whatever the browser's
   * language: the browser's own input (which says "Choose File") is hidden but stays the
   * control, for the keyboard, screen readers and tests; a label drawn as a button opens
   * it, and the chosen file's name shows beside. → {element, input} */
  function fileField(label, name, buttonText, attributes) {
    var control = h('input', Object.assign({ type: 'file', className: 'file-input' }, attributes || {}));
    var wrap = field(label, name, control);
    var chosen = h('span', { className: 'file-name', text: '未选择文件' });
    control.addEventListener('change', function () {
      chosen.textContent = control.files && control.files.length ? control.files[0].name : '未选择文件';
    });
    var row = h('div', { className: 'file-row' }, [
      h('label', { 'for': control.id, className: 'button file-pick', text: buttonText }),
      chosen
    ]);
    control.parentNode.insertBefore(row, control.nextSibling);
    row.insertBefore(control, row.firstChild);
    return { element: wrap, input: control };
  }

  /* Messages from an earlier answer go; a date or time typed wrong keeps its own,
   * since it is still wrong: an answer that arrives after the person typed it (to a
   * request made before) must not wipe the message they are reading. */
  function clearErrors(root) {
    var shown = root.querySelectorAll('.field-error, .form-error');
    for (var i = 0; i < shown.length; i++) { shown[i].textContent = ''; }
    var marked = root.querySelectorAll('[aria-invalid]');
    for (var j = 0; j < marked.length; j++) { marked[j].removeAttribute('aria-invalid'); }
    var times = root.querySelectorAll('[data-format]');
    for (var k = 0; k < times.length; k++) {
      if (times[k].value !== '') { showTimeError(times[k]); }
    }
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

  /* Dates and times are typed as people in China write them, "2026-12-07 14:30" (also
   * 2026/12/7, 2026.12.7, 2026年12月7日 14时30分), in plain text fields: the browser's own
   * date pickers speak the browser's language ("mm/dd/yyyy"), not the console's. */
  var DATE_EXAMPLE = '2026-12-07';
  var MOMENT_EXAMPLE = '2026-12-07 14:30';
  var DATE_PART = '(\\d{4})\\s*[-/.年]\\s*(\\d{1,2})\\s*[-/.月]\\s*(\\d{1,2})';
  var TIME_PART = '(\\d{1,2})\\s*[:：时点]\\s*(\\d{1,2})\\s*分?(?:\\s*[:：]\\s*(\\d{1,2})\\s*秒?)?';
  var DATE_ONLY = new RegExp('^' + DATE_PART + '\\s*日?$');
  var DATE_TIME = new RegExp('^' + DATE_PART + '(?:\\s*日\\s*|\\s*T\\s*|\\s+)' + TIME_PART + '$');

  /* A typed date → {value: "2026-12-07"}, {value: ""} when blank, or {error: "…"}. */
  function parseDate(text) {
    text = (text || '').replace(/^\s+|\s+$/g, '');
    if (!text) { return { value: '' }; }
    var found = DATE_ONLY.exec(text);
    if (!found) { return { error: '请按“' + DATE_EXAMPLE + '”这样的格式填写日期' }; }
    return calendarDay(found) || { error: '没有这一天，请检查月和日' };
  }

  /* A typed China time → {value: "2026-12-07 14:30"} (seconds kept when typed), {value: ""}
   * when blank, or {error: "…"}. */
  function parseMoment(text) {
    text = (text || '').replace(/^\s+|\s+$/g, '');
    if (!text) { return { value: '' }; }
    var found = DATE_TIME.exec(text);
    if (!found) {
      return { error: DATE_ONLY.test(text) ? '请写上几点几分，例如“' + MOMENT_EXAMPLE + '”' :
        '请按“' + MOMENT_EXAMPLE + '”这样的格式填写日期和时间' };
    }
    var day = calendarDay(found);
    if (!day) { return { error: '没有这一天，请检查月和日' }; }
    var hour = Number(found[4]);
    var minute = Number(found[5]);
    var second = found[6] === undefined ? null : Number(found[6]);
    if (hour > 23 || minute > 59 || (second !== null && second > 59)) {
      return { error: '时间不对：小时是 0–23，分钟是 0–59' };
    }
    return { value: day.value + ' ' + pad(hour) + ':' + pad(minute) + (second ? ':' + pad(second) : '') };
  }

  function calendarDay(found) {
    var year = Number(found[1]);
    var month = Number(found[2]);
    var day = Number(found[3]);
    var d = new Date(Date.UTC(year, month - 1, day));
    if (year < 2000 || year > 2099 || month < 1 || month > 12 || d.getUTCMonth() !== month - 1 || d.getUTCDate() !== day) { return null; }
    return { value: year + '-' + pad(month) + '-' + pad(day) };
  }

  var PARSERS = { date: parseDate, moment: parseMoment };

  /* A text field for a date ("date") or a China time ("moment"): rewritten in the usual
   * form when left, with a message beside it when it cannot be read. */
  function timeInput(format, text, attributes) {
    var example = format === 'date' ? DATE_EXAMPLE : MOMENT_EXAMPLE;
    var element = input(Object.assign({
      type: 'text', value: text || '', placeholder: '如 ' + example, autocomplete: 'off',
      maxlength: '24', 'data-format': format, className: 'time-input time-' + format
    }, attributes || {}));
    element.addEventListener('change', function () { checkTime(element); });
    // The message goes as soon as what is typed can be read, not when the field is left:
    // the line it takes must not vanish under a click on the button below.
    element.addEventListener('input', function () {
      if (element.getAttribute('aria-invalid') && !PARSERS[format](element.value).error) { clearField(element); }
    });
    return element;
  }

  function dateInput(text, attributes) { return timeInput('date', text, attributes); }

  /* `iso` is a time from the API; it is shown in China time. */
  function momentInput(iso, attributes) { return timeInput('moment', when(iso), attributes); }

  function errorSlot(control) {
    return control.parentNode ? control.parentNode.querySelector('.field-error') : null;
  }

  function clearField(control) {
    var slot = errorSlot(control);
    control.removeAttribute('aria-invalid');
    if (slot) { slot.textContent = ''; }
  }

  /* The field's value read; if it cannot be, the field says why beside it. */
  function showTimeError(control) {
    var result = PARSERS[control.getAttribute('data-format')](control.value);
    if (result.error) {
      var slot = errorSlot(control);
      control.setAttribute('aria-invalid', 'true');
      if (slot) { slot.textContent = result.error; }
    }
    return result;
  }

  /* Read one date or time field: its usual form, or null with the message shown beside it. */
  function checkTime(control) {
    var result = showTimeError(control);
    if (result.error) { return null; }
    if (control.getAttribute('aria-invalid')) { clearField(control); }
    if (control.value !== result.value) { control.value = result.value; }
    return result.value;
  }

  /* Call `done` when a date field holds a date to act on: as soon as one is typed in
   * full ("2026-12-07") or the field is cleared, or when the field is left; not while a
   * date is half typed, nor for one that cannot be read (its message shows beside). */
  function onDate(control, done) {
    function whole(event) {
      var text = control.value;
      if (event.type === 'input' && text !== '' && !/^\d{4}-\d{2}-\d{2}$/.test(text)) { return; }
      if (checkTime(control) !== null) { done(); }
    }
    control.addEventListener('input', whole);
    control.addEventListener('change', whole);
  }

  /* Every date and time field under `root` readable? (Earlier messages are cleared.)
   * If not, each says why beside it,
   * the form's own message asks for the fix, and the first such field takes the focus. */
  function checkTimes(root) {
    clearErrors(root);
    var controls = root.querySelectorAll('[data-format]');
    var first = null;
    for (var i = 0; i < controls.length; i++) {
      if (checkTime(controls[i]) === null && !controls[i].disabled) { first = first || controls[i]; }
    }
    if (!first) { return true; }
    var top = root.querySelector('.form-error');
    if (top) { top.textContent = '请按提示修改标红的项目'; }
    first.focus();
    return false;
  }

  /* "2026-12-07 14:30" (or any form parseMoment reads) in China time →
   * "2026-12-07T14:30:00+08:00"; blank is null. */
  function toMoment(local) {
    if (!local) { return null; }
    var read = parseMoment(local);
    if (read.error) { return local; }  // the server's message then lands beside the field
    var text = read.value.replace(' ', 'T');
    return (text.length === 16 ? text + ':00' : text) + '+08:00';
  }

  /* A date field's value in the API's form, "2026-12-07"; blank is ''. */
  function toDate(text) {
    var read = parseDate(text);
    return read.error ? (text || '').replace(/^\s+|\s+$/g, '') : read.value;
  }

  /* An ISO time → "2026-11-22T19:05" in China time. */
  function fromMoment(iso) {
    var ms = Date.parse(iso || '');
    if (isNaN(ms)) { return ''; }
    var d = new Date(ms + CHINA_OFFSET_MS);
    return d.getUTCFullYear() + '-' + pad(d.getUTCMonth() + 1) + '-' + pad(d.getUTCDate()) +
      'T' + pad(d.getUTCHours()) + ':' + pad(d.getUTCMinutes());
  }

  /* "2026-11-22 19:05", China time, for tables and time fields. */
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
    fileField: fileField,
    formError: formError,
    clearErrors: clearErrors,
    showErrors: showErrors,
    timeInput: timeInput,
    dateInput: dateInput,
    momentInput: momentInput,
    parseDate: parseDate,
    parseMoment: parseMoment,
    checkTime: checkTime,
    onDate: onDate,
    checkTimes: checkTimes,
    toMoment: toMoment,
    toDate: toDate,
    fromMoment: fromMoment,
    when: when,
    value: value,
    number: number
  };
})(window);
