/* Small pieces every console page uses: buttons, tables, paging, notices, confirmations,
 * place pickers. */
(function (window) {
  'use strict';

  var dom = window.screens.dom;
  var h = dom.h;
  var document = window.document;

  function button(text, onClick, className, attributes) {
    var element = h('button', Object.assign({ type: 'button', className: className || 'button' }, attributes || {}), text);
    element.addEventListener('click', function (event) {
      event.preventDefault();
      onClick(event);
    });
    return element;
  }

  function link(text, href, className) { return h('a', { href: href, className: className || null }, text); }

  /* columns: [{title, cell(row) → node or text, className}] */
  function table(columns, rows, empty, rowAttributes) {
    if (!rows.length) { return h('p', { className: 'empty', text: empty || '没有记录' }); }
    var head = h('tr', {}, columns.map(function (column) { return h('th', { scope: 'col', text: column.title }); }));
    var body = rows.map(function (row) {
      return h('tr', rowAttributes ? rowAttributes(row) : {}, columns.map(function (column) {
        var content = column.cell(row);
        return h('td', { className: column.className || null }, content === null || content === undefined ? '' : content);
      }));
    });
    return h('table', { className: 'table' }, [h('thead', {}, head), h('tbody', {}, body)]);
  }

  function pager(total, page, perPage, go) {
    var pages = Math.max(1, Math.ceil(total / perPage));
    if (pages === 1) { return h('p', { className: 'pager', text: '共 ' + total + ' 条' }); }
    return h('div', { className: 'pager' }, [
      button('上一页', function () { go(page - 1); }, 'button small', page <= 1 ? { disabled: 'disabled' } : {}),
      h('span', { text: '第 ' + page + ' / ' + pages + ' 页，共 ' + total + ' 条' }),
      button('下一页', function () { go(page + 1); }, 'button small', page >= pages ? { disabled: 'disabled' } : {})
    ]);
  }

  /* A short message in the top bar that goes away by itself; a newer one takes its place. */
  function notice(text, kind) {
    var area = document.getElementById('notices');
    if (!area) { return; }
    var item = h('div', { className: 'notice ' + (kind || 'ok'), role: 'status', text: text, title: text });
    dom.replace(area, item);
    window.setTimeout(function () { if (item.parentNode) { item.parentNode.removeChild(item); } }, 6000);
  }

  function errorBox(error) {
    return h('div', { className: 'form-error', role: 'alert', text: error.message });
  }

  /* The place tree as select options, indented by level, with how many screens each reaches. */
  function placeChoices(places, withScreens) {
    var depth = { city: 0, district: 1, street: 2, community: 3 };
    return places.map(function (place) {
      var pad = new Array((depth[place.level] || 0) + 1).join('\u3000');
      var name = pad + place.name;
      if (withScreens && place.screens) {
        name += ' — 电视 ' + place.screens.tv + ' · 自助机 ' + place.screens.kiosk;
      }
      return { value: place.id, name: name };
    });
  }

  /* A question before an action that cannot simply be undone, asked on the page: the
   * browser's own confirm() box says "OK / Cancel" in the browser's language. A modal
   * <dialog> with the question, what the action does, 取消 and a button that names the
   * action. The keyboard starts inside it (on 取消 when the action is dangerous), Esc or
   * 取消 leave it, and the focus goes back to the button that opened it.
   * options: {title, lines: [text], confirm: '确认下架', danger: bool}. */
  var asking = null;
  function confirm(options, onConfirm) {
    // A double click, or a second question while one is open, asks once.
    if (asking) { return; }
    var opener = document.activeElement;
    var cancel = h('button', { type: 'button', className: 'button', text: '取消' });
    var go = h('button', {
      type: 'button', className: 'button ' + (options.danger ? 'danger-solid' : 'primary'), text: options.confirm
    });
    var dialog = h('dialog', {
      className: 'confirm', role: 'dialog', 'aria-modal': 'true',
      'aria-labelledby': 'confirm-title', 'aria-describedby': 'confirm-text'
    }, [
      h('h2', { id: 'confirm-title', text: options.title }),
      h('div', { id: 'confirm-text' }, (options.lines || []).map(function (line) { return h('p', { text: line }); })),
      h('div', { className: 'confirm-actions' }, [cancel, go])
    ]);
    var confirmed = false;

    function leave() { if (dialog.open) { dialog.close(); } }
    // However it closes (a button, Esc, staff leaving the page), it ends here once.
    dialog.addEventListener('close', function () {
      window.removeEventListener('hashchange', leave);
      if (dialog.parentNode) { dialog.parentNode.removeChild(dialog); }
      asking = null;
      if (opener && opener.focus && document.body.contains(opener)) { opener.focus(); }
      if (confirmed) { onConfirm(); }
    });
    cancel.addEventListener('click', leave);
    go.addEventListener('click', function () {
      confirmed = true;
      leave();
    });
    window.addEventListener('hashchange', leave);

    asking = dialog;
    document.body.appendChild(dialog);
    dialog.showModal();
    (options.danger ? cancel : go).focus();
  }

  function pill(text, kind) { return h('span', { className: 'pill ' + (kind || ''), text: text }); }

  function section(title, children, className) {
    return h('section', { className: 'panel ' + (className || '') }, [h('h2', { text: title }), children]);
  }

  window.admin = window.admin || {};
  window.admin.ui = {
    button: button,
    link: link,
    table: table,
    pager: pager,
    notice: notice,
    confirm: confirm,
    errorBox: errorBox,
    placeChoices: placeChoices,
    pill: pill,
    section: section
  };
})(window);
