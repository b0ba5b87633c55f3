/* One listing: edit it, add pictures, preview it as a TV and a kiosk, publish now or
 * later, withdraw it, copy it, and watch the change reach the screens. */
(function (window) {
  'use strict';

  var h = window.screens.dom.h;
  var dom = window.screens.dom;
  var api = window.admin.api;
  var ui = window.admin.ui;
  var forms = window.admin.forms;
  var listingForm = window.admin.listingForm;

  var STATUS_PILLS = { draft: 'muted', scheduled: 'info', published: 'ok', withdrawn: 'warn', expired: 'muted' };
  var EDITABLE = { draft: true, scheduled: true, published: true };

  function statusPill(app, status) {
    return ui.pill(app.choice('listing_statuses', status), STATUS_PILLS[status] || '');
  }

  /* #/listings/new/<kind> */
  function create(main, kind, app) {
    if (!listingForm || ['job', 'training', 'subsidy', 'event'].indexOf(kind) < 0) {
      main.appendChild(h('p', { className: 'empty', text: '没有这种信息类别' }));
      return;
    }
    var form = listingForm.build(kind, { target: app.staff.scope }, app);
    var save = h('button', { type: 'submit', className: 'button primary', text: '保存草稿' });
    form.appendChild(h('div', { className: 'status-line' }, [save, h('span', { className: 'hint', text: '保存后可以加图片、预览、选择发布时间' })]));
    form.addEventListener('submit', function (event) {
      event.preventDefault();
      if (!forms.checkTimes(form)) { return; }
      save.disabled = true;
      api.post('/admin/api/listings', listingForm.read(form, kind), function (error, listing) {
        save.disabled = false;
        if (error) { return forms.showErrors(form, error); }
        ui.notice('草稿已保存');
        app.go('#/listings/' + listing.id);
      });
    });
    dom.append(main, [
      h('div', { className: 'page-head' }, [
        h('h1', { text: '新建' + app.choice('listing_kinds', kind) }),
        ui.link('返回列表', '#/listings')
      ]),
      h('div', { className: 'panel' }, form)
    ]);
  }

  function imagesPanel(listing, onChange) {
    var editable = EDITABLE[listing.status];
    var picker = forms.fileField('图片（JPEG、PNG 或 WebP，10 MB 以内）', 'image', '选择图片',
      { accept: 'image/jpeg,image/png,image/webp' });
    var file = picker.input;
    var alt = forms.input({ type: 'text', maxlength: '120', placeholder: '如：工人在组装手工花' });
    var form = h('form', { className: 'image-form', novalidate: 'novalidate' }, [
      forms.formError(),
      picker.element,
      forms.field('图片说明（读屏和图片加载不出时显示）', 'alt', alt),
      h('button', { type: 'submit', className: 'button', text: '上传图片' })
    ]);
    file.addEventListener('change', function () { forms.clearErrors(form); });
    form.addEventListener('submit', function (event) {
      event.preventDefault();
      if (!file.files.length) {
        return forms.showErrors(form, { message: '', fields: { image: '请选择一张图片' } });
      }
      var data = new window.FormData();
      data.append('image', file.files[0]);
      data.append('alt', alt.value.trim());
      form.querySelector('button[type=submit]').disabled = true;
      api.upload('/admin/api/listings/' + listing.id + '/images', data, function (error) {
        form.querySelector('button[type=submit]').disabled = false;
        if (error) { return forms.showErrors(form, error); }
        ui.notice('图片已上传；已发布的信息会马上更新到屏幕');
        onChange();
      });
    });
    var pictures = listing.images.map(function (image) {
      return h('figure', {}, [
        h('img', { src: image.urls.thumb, alt: image.alt || '' }),
        h('figcaption', { text: image.alt || '（无说明）' })
      ]);
    });
    return ui.section('图片', [
      pictures.length ? h('div', { className: 'images' }, pictures) : h('p', { className: 'empty', text: '还没有图片' }),
      editable ? form : null
    ]);
  }

  function statusPanel(listing, app, actions) {
    var lines = [h('div', { className: 'status-line' }, [h('strong', { text: '状态' }), statusPill(app, listing.status)])];
    if (listing.status === 'scheduled') {
      lines.push(h('p', { text: '将于 ' + forms.when(listing.valid_from) + ' 自动发布' }));
    }
    if (listing.published_at) { lines.push(h('p', { text: '发布于 ' + forms.when(listing.published_at) })); }
    lines.push(h('p', { text: listing.valid_until ? '自动下架于 ' + forms.when(listing.valid_until) : '没有设自动下架时间' }));
    if (listing.status === 'draft' || listing.status === 'scheduled') {
      var at = forms.momentInput(null);
      var later = h('div', { className: 'schedule' }, [
        forms.field('定时发布', 'at', at),
        ui.button('到时自动发布', function () { actions.publish(forms.toMoment(at.value) || '', later); }, 'button')
      ]);
      lines.push(h('div', { className: 'status-line' }, [
        ui.button('保存并立即发布', function () { actions.publish(null, later); }, 'button primary', { 'data-action': 'publish' })
      ]));
      lines.push(forms.formError());
      lines.push(later);
    }
    if (listing.status === 'published') {
      lines.push(h('div', { className: 'status-line' }, [
        ui.button('下架', actions.withdraw, 'button danger', { 'data-action': 'withdraw' })
      ]));
    }
    lines.push(h('div', { className: 'status-line' }, [
      ui.button('复制为新草稿', actions.duplicate, 'button small'),
      ui.link('操作记录', '#/audit?entity_type=listing&entity_id=' + listing.id),
      listing.kind === 'job' ? ui.link('匹配的求职者', '#/registrations?listing_id=' + listing.id) : null
    ]));
    return ui.section('发布', lines, 'status-panel');
  }

  /* #/listings/<id> */
  function show(main, id, app) {
    var delivery = null;
    var preview = null;
    var gone = false;

    function load() {
      api.get('/admin/api/listings/' + id, function (error, listing) {
        if (gone) { return; }
        if (error) {
          dom.replace(main, ui.errorBox(error));
          return;
        }
        draw(listing);
      });
    }

    function draw(listing) {
      if (delivery) { delivery.stop(); }
      var form = listingForm.build(listing.kind, listing, app);
      var editable = EDITABLE[listing.status];
      var saveText = listing.status === 'published' ? '保存修改（马上更新到屏幕）' : '保存';
      var save = h('button', { type: 'submit', className: 'button primary', text: saveText });
      if (editable) {
        form.appendChild(h('div', { className: 'status-line' }, [save]));
      } else {
        var controls = form.querySelectorAll('input, select, textarea, button');
        for (var i = 0; i < controls.length; i++) { controls[i].disabled = true; }
        form.insertBefore(h('p', { className: 'hint', text: '已下架或已过期的信息不能修改；可以复制成新草稿再发布。' }), form.firstChild);
      }

      function saveThen(next, errorRoot) {
        if (!forms.checkTimes(form)) {
          if (errorRoot && errorRoot !== form) { forms.showErrors(errorRoot, { message: '请先改正表单里标红的项目', fields: {} }); }
          return;
        }
        save.disabled = true;
        var body = listingForm.read(form, listing.kind, listing.version);
        api.put('/admin/api/listings/' + listing.id, body, function (error, saved) {
          save.disabled = false;
          if (error) {
            forms.showErrors(form, error);
            if (errorRoot && errorRoot !== form) { forms.showErrors(errorRoot, { message: error.message, fields: {} }); }
            return;
          }
          next(saved);
        });
      }

      form.addEventListener('submit', function (event) {
        event.preventDefault();
        saveThen(function () {
          ui.notice('已保存');
          load();
        });
      });

      var actions = {
        publish: function (at, scheduleBox) {
          if (at !== null && !forms.checkTimes(scheduleBox)) { return; }
          if (at === '') {
            return forms.showErrors(scheduleBox, { message: '', fields: { at: '请填写发布时间，例如“2026-12-07 14:30”' } });
          }
          saveThen(function (saved) {
            // The save went through even if publishing is refused: a retry must send its version.
            listing.version = saved.version;
            api.post('/admin/api/listings/' + listing.id + '/publish', at ? { at: at } : {}, function (error) {
              if (error) { return forms.showErrors(statusBox, error); }
              ui.notice(at ? '已定时发布' : '已发布，正在推送到屏幕');
              load();
            });
          }, statusBox);
        },
        withdraw: function () {
          window.admin.delivery.reach('/admin/api/listings/' + listing.id + '/delivery', function (screens) {
            if (gone) { return; }
            ui.confirm({
              title: '下架「' + listing.title + '」？',
              lines: [
                '下架后，' + screens + '会马上撤下这条信息。',
                '下架的信息不能再修改；要再发布，可以复制成新草稿。'
              ],
              confirm: '确认下架',
              danger: true
            }, function () {
              api.post('/admin/api/listings/' + listing.id + '/withdraw', {}, function (error) {
                if (error) { return ui.notice(error.message, 'warn'); }
                ui.notice('已下架，正在从屏幕撤下');
                load();
              });
            });
          });
        },
        duplicate: function () {
          api.post('/admin/api/listings/' + listing.id + '/duplicate', {}, function (error, copy) {
            if (error) { return ui.notice(error.message, 'warn'); }
            ui.notice('已复制为新草稿');
            app.go('#/listings/' + copy.id);
          });
        }
      };

      var statusBox = statusPanel(listing, app, actions);
      delivery = window.admin.delivery.panel('/admin/api/listings/' + listing.id + '/delivery',
        listing.seq ? '送达情况' : '送达范围');
      preview = window.admin.preview.panel(listing.id);
      dom.replace(main, [
        h('div', { className: 'page-head' }, [
          h('h1', {}, [app.choice('listing_kinds', listing.kind) + '：', h('span', { className: 'listing-title', text: listing.title })]),
          ui.link('返回列表', '#/listings')
        ]),
        h('div', { className: 'columns' }, [
          h('div', {}, [h('div', { className: 'panel' }, form)]),
          h('div', {}, [statusBox, delivery.element, imagesPanel(listing, load)])
        ]),
        preview.element
      ]);
    }

    load();
    return function () {
      gone = true;
      if (delivery) { delivery.stop(); }
    };
  }

  window.admin = window.admin || {};
  window.admin.listingPage = { create: create, show: show, statusPill: statusPill };
})(window);
