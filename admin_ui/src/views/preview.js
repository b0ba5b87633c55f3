/* Preview: the real TV and kiosk apps in preview mode, drawn at their own size and scaled
 * down, so staff see exactly what residents will see. They show what was last saved. */
(function (window) {
  'use strict';

  var h = window.screens.dom.h;
  var ui = window.admin.ui;

  var SCREENS = [
    { app: 'tv', name: '电视', width: 1920, height: 1080, scale: 560 / 1920, extra: '' },
    { app: 'kiosk', name: '自助机（竖屏）', width: 1080, height: 1920, scale: 270 / 1080, extra: '' }
  ];

  function frame(screen, listingId, view, version) {
    var url = '/' + screen.app + '/?preview=' + listingId + (view === 'card' ? '&view=card' : '') +
      screen.extra + '&v=' + version;
    var iframe = h('iframe', {
      src: url,
      title: screen.name + '预览',
      width: String(screen.width),
      height: String(screen.height),
      style: 'width:' + screen.width + 'px;height:' + screen.height + 'px;transform:scale(' + screen.scale + ')',
      tabindex: '-1'
    });
    var box = h('div', {
      className: 'preview',
      'data-preview': screen.app,
      style: 'width:' + Math.round(screen.width * screen.scale) + 'px;height:' + Math.round(screen.height * screen.scale) + 'px'
    }, iframe);
    return h('div', {}, [box, h('div', { className: 'preview-caption', text: screen.name })]);
  }

  /* {element, reload()}: reload after a save so the preview follows the form. */
  function panel(listingId) {
    var view = 'detail';
    var version = 0;
    var area = h('div', { className: 'previews' });
    function draw() {
      version += 1;
      window.screens.dom.replace(area, SCREENS.map(function (screen) { return frame(screen, listingId, view, version); }));
    }
    var detailButton = ui.button('详情页', function () { view = 'detail'; draw(); }, 'button small');
    var cardButton = ui.button('列表卡片', function () { view = 'card'; draw(); }, 'button small');
    draw();
    var element = ui.section('预览', [
      h('div', { className: 'status-line' }, [
        detailButton, cardButton,
        h('span', { className: 'hint', text: '显示的是最后保存的内容，和居民看到的一样' })
      ]),
      area
    ]);
    return { element: element, reload: draw };
  }

  window.admin = window.admin || {};
  window.admin.preview = { panel: panel };
})(window);
