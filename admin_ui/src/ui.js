/* Small pieces every console page uses: buttons, tables, paging, notices, place pickers. */
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
    errorBox: errorBox,
    placeChoices: placeChoices,
    pill: pill,
    section: section
  };
})(window);
