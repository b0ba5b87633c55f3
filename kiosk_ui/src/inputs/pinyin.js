/* The on-screen pinyin keyboard: simple-keyboard, with the 拼音 → 汉字 candidates
 * of simple-keyboard-layouts' Chinese layout. Type "zhang", tap 张 in the bar. */
(function (window) {
  'use strict';

  var screens = window.screens;
  var h = screens.dom.h;
  var candidates = null;

  function layoutCandidates() {
    if (!candidates) {
      var Layouts = window.SimpleKeyboardLayouts.default;
      candidates = new Layouts().get('chinese').layoutCandidates;
    }
    return candidates;
  }

  var LAYOUT = {
    'default': [
      'q w e r t y u i o p',
      'a s d f g h j k l',
      'z x c v b n m {bksp}'
    ]
  };

  /* options: label, value, maxLength, onChange(value) */
  function PinyinInput(options) {
    this.options = options;
    this.keyboard = null;
    this.element = h('div', { className: 'pinyin', role: 'group', 'aria-label': options.label + '（拼音键盘）' }, [
      h('p', { className: 'pinyin-hint', text: '打拼音，再点上面一排里的汉字' }),
      h('div', { className: 'simple-keyboard' })
    ]);
  }

  /* simple-keyboard needs its element in the page. */
  PinyinInput.prototype.mount = function () {
    var self = this;
    var Keyboard = window.SimpleKeyboard.default;
    this.keyboard = new Keyboard(this.element.querySelector('.simple-keyboard'), {
      layout: LAYOUT,
      display: { '{bksp}': '⌫ 删除' },
      enableLayoutCandidates: true,
      layoutCandidates: layoutCandidates(),
      layoutCandidatesPageSize: 6,
      maxLength: this.options.maxLength,
      disableButtonHold: true,
      disableCaretPositioning: true,
      useButtonTag: true,
      onChange: function (value) { self.options.onChange(value); }
    });
    this.keyboard.setInput(this.options.value || '');
  };

  /* Text typed elsewhere (先生/女士 buttons) joins the keyboard's own buffer. */
  PinyinInput.prototype.setValue = function (value) {
    if (this.keyboard) { this.keyboard.setInput(value); }
  };

  /* A tap outside the keyboard closes its candidate bar; when pinyin is still
   * waiting to become a character, type its last letter again to bring it back. */
  PinyinInput.prototype.showCandidatesAgain = function () {
    if (!this.keyboard) { return; }
    var value = this.keyboard.getInput();
    var tail = /[a-z]$/.exec(value);
    if (!tail) { return; }
    this.keyboard.setInput(value.slice(0, -1));
    // simple-keyboard opens the bar only for a press with a target, as a real tap has.
    this.keyboard.handleButtonClicked(tail[0], { target: this.keyboard.keyboardDOM, type: 'pointerdown' });
  };

  PinyinInput.prototype.destroy = function () {
    if (this.keyboard) {
      this.keyboard.clearInput();
      this.keyboard.destroy();
      this.keyboard = null;
    }
  };

  window.kiosk.PinyinInput = PinyinInput;
})(window);
