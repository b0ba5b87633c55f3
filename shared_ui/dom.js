/* Building the page. Text always goes in as text, never as markup, so a listing
 * can never run script on a screen. Views are the only code that call these. */
(function (window) {
  'use strict';

  var document = window.document;

  /* h('div', {className: 'card', 'data-focusable': ''}, ['text', childNode]) */
  function h(tag, attributes, children) {
    var element = document.createElement(tag);
    var name;
    for (name in attributes) {
      if (!attributes.hasOwnProperty(name) || attributes[name] === null || attributes[name] === undefined) { continue; }
      if (name === 'className') {
        element.className = attributes[name];
      } else if (name === 'text') {
        element.appendChild(document.createTextNode(String(attributes[name])));
      } else if (name === 'style') {
        // Through the CSSOM: the Content-Security-Policy refuses style attributes.
        element.style.cssText = attributes[name];
      } else {
        element.setAttribute(name, attributes[name]);
      }
    }
    append(element, children);
    return element;
  }

  function append(element, children) {
    if (children === null || children === undefined) { return; }
    if (!(children instanceof Array)) { children = [children]; }
    for (var i = 0; i < children.length; i++) {
      var child = children[i];
      if (child === null || child === undefined || child === false) { continue; }
      if (child instanceof Array) {
        append(element, child);
        continue;
      }
      element.appendChild(typeof child === 'string' ? document.createTextNode(child) : child);
    }
  }

  function clear(element) {
    while (element.firstChild) { element.removeChild(element.firstChild); }
  }

  function replace(element, children) {
    clear(element);
    append(element, children);
  }

  window.screens = window.screens || {};
  window.screens.dom = { h: h, append: append, clear: clear, replace: replace };
})(window);
