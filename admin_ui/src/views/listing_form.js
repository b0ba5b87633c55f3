/* The listing form: the fields every kind has, then the kind's own. Each control's
 * data-field is the API's path for it, so server messages land beside the right field. */
(function (window) {
  'use strict';

  var h = window.screens.dom.h;
  var forms = window.admin.forms;
  var ui = window.admin.ui;

  var field = forms.field;
  var input = forms.input;

  function text(name, label, value, attributes, hint) {
    return field(label, name, input(Object.assign({ type: 'text', value: value || '' }, attributes || {})), hint);
  }

  function numberField(name, label, value, attributes) {
    var attrs = Object.assign({ type: 'text', inputmode: 'decimal', value: value === null || value === undefined ? '' : value }, attributes || {});
    return field(label, name, input(attrs));
  }

  function moment(name, label, iso, hint) {
    return field(label, name, forms.momentInput(iso), hint);
  }

  function common(listing, app) {
    var contact = listing.contact || {};
    var sites = (app.sites || []).map(function (site) { return { value: site.id, name: site.name }; });
    return h('fieldset', {}, [
      h('legend', { text: '基本信息' }),
      text('title', '标题（必填）', listing.title, { maxlength: '80' }),
      text('summary', '一句话简介', listing.summary, { maxlength: '200' }),
      field('正文', 'body', forms.textarea({ maxlength: '5000', rows: '5' }, listing.body), '只按文字显示，空行分段'),
      h('div', { className: 'grid-2' }, [
        text('contact.name', '联系人', contact.name, { maxlength: '40' }),
        text('contact.phone', '联系电话', contact.phone, { maxlength: '20', inputmode: 'tel' })
      ]),
      h('div', { className: 'grid-2' }, [
        field('发布范围（必填）', 'target_id', forms.select(ui.placeChoices(app.places || [], true),
          listing.target ? listing.target.id : '', '请选择'), '范围内的电视和自助机都会显示'),
        field('所在站点', 'site_id', forms.select(sites, listing.site ? listing.site.id : '', '不指定'),
          '自助机据此说明“怎么去”')
      ]),
      moment('valid_until', '自动下架时间', listing.valid_until, '不填则一直显示，直到手动下架')
    ]);
  }

  function job(listing, app) {
    var job = listing.job || {};
    var pay = job.pay || {};
    var units = (app.choices.pay_units || []);
    var pieceField = text('job.pay.piece', '每件是什么（如：朵花、个粉扑）', pay.piece, { maxlength: '20' });
    var unit = forms.select(units, pay.unit || '', '面议（不写工资）');
    function showPiece() { pieceField.style.display = unit.value === 'piece' ? '' : 'none'; }
    unit.addEventListener('change', showPiece);
    showPiece();
    return h('fieldset', {}, [
      h('legend', { text: '岗位' }),
      h('div', { className: 'grid-2' }, [
        text('job.employer', '用人单位（必填）', job.employer, { maxlength: '80' }),
        field('岗位类别（必填）', 'job.category', forms.select(app.choices.job_categories || [], job.category || '', '请选择'))
      ]),
      h('div', { className: 'grid-3' }, [
        field('工资单位', 'job.pay.unit', unit),
        numberField('job.pay.min', '最低（元）', pay.min),
        numberField('job.pay.max', '最高（元）', pay.max)
      ]),
      h('div', { className: 'field', 'data-error-for-wrap': 'job.pay' }, [
        h('div', { className: 'field-error', 'data-error-for': 'job.pay', role: 'alert' })
      ]),
      pieceField,
      forms.checkbox('工资是大约数（显示“约”）', 'job.pay.approximate', pay.approximate),
      h('div', { className: 'grid-2' }, [
        text('job.work_hours', '工作时间', job.work_hours, { maxlength: '80' }),
        numberField('job.openings', '招几人', job.openings, { inputmode: 'numeric' })
      ]),
      forms.checkbox('可随时离岗（接送孩子等）', 'job.flexible', job.flexible),
      text('job.requirements', '要求', job.requirements, { maxlength: '300' }),
      h('div', { className: 'grid-2' }, [
        numberField('job.age_min', '最小年龄', job.age_min, { inputmode: 'numeric' }),
        numberField('job.age_max', '最大年龄', job.age_max, { inputmode: 'numeric' })
      ])
    ]);
  }

  function sessionRow(list, session, index) {
    var row = h('div', { className: 'session-row grid-3', 'data-session-id': session.id || '' });
    var prefix = 'training.sessions.' + index + '.';
    window.screens.dom.append(row, [
      moment(prefix + 'starts_at', '开课时间', session.starts_at),
      moment(prefix + 'ends_at', '结束时间', session.ends_at),
      numberField(prefix + 'seats', '名额', session.seats, { inputmode: 'numeric' }),
      text(prefix + 'venue', '地点', session.venue, { maxlength: '120' }),
      h('div', { className: 'field' }, [
        h('label', { text: '\u00a0' }),
        ui.button('删除这一期', function () { list.removeChild(row); }, 'button small danger')
      ])
    ]);
    return row;
  }

  function training(listing) {
    var training = listing.training || {};
    var list = h('div', { className: 'sessions' });
    (training.sessions || []).forEach(function (session, index) { list.appendChild(sessionRow(list, session, index)); });
    return h('fieldset', {}, [
      h('legend', { text: '培训' }),
      h('div', { className: 'grid-2' }, [
        text('training.provider', '培训机构（必填）', training.provider, { maxlength: '80' }),
        numberField('training.fee', '个人费用（元，免费填0）', training.fee === null || training.fee === undefined ? 0 : training.fee)
      ]),
      h('div', { className: 'grid-2' }, [
        text('training.fee_note', '费用说明', training.fee_note, { maxlength: '80', placeholder: '政府补贴，个人免费' }),
        text('training.certificate', '证书', training.certificate, { maxlength: '80' })
      ]),
      text('training.schedule', '上课安排', training.schedule, { maxlength: '120', placeholder: '每周二、四晚7点' }),
      h('h3', { text: '开班期次与名额' }),
      h('div', { className: 'field-error', 'data-error-for': 'training.sessions', role: 'alert' }),
      list,
      ui.button('添加一期', function () {
        list.appendChild(sessionRow(list, {}, list.children.length + Date.now()));
      }, 'button small')
    ]);
  }

  function subsidy(listing) {
    var subsidy = listing.subsidy || {};
    return h('fieldset', {}, [
      h('legend', { text: '补贴政策' }),
      field('申领条件（必填）', 'subsidy.eligibility', forms.textarea({ maxlength: '400', rows: '3' }, subsidy.eligibility)),
      h('div', { className: 'grid-2' }, [
        text('subsidy.amount', '补贴金额', subsidy.amount, { maxlength: '120', placeholder: '最高20000元' }),
        text('subsidy.document_number', '政策文号', subsidy.document_number, { maxlength: '80' })
      ]),
      field('怎么申请（必填）', 'subsidy.how_to_apply', forms.textarea({ maxlength: '400', rows: '3' }, subsidy.how_to_apply)),
      field('要带的材料', 'subsidy.documents_needed', forms.textarea({ maxlength: '400', rows: '3' }, subsidy.documents_needed)),
      field('申请截止日', 'subsidy.apply_deadline', forms.dateInput(subsidy.apply_deadline || ''))
    ]);
  }

  function event(listing, app) {
    var details = listing.event || {};
    return h('fieldset', {}, [
      h('legend', { text: '活动' }),
      field('活动类型（必填）', 'event.event_type', forms.select(app.choices.event_types || [], details.event_type || '', '请选择')),
      h('div', { className: 'grid-2' }, [
        moment('event.starts_at', '开始时间（必填）', details.starts_at),
        moment('event.ends_at', '结束时间', details.ends_at)
      ]),
      h('div', { className: 'grid-2' }, [
        numberField('event.employers_count', '参加企业数', details.employers_count, { inputmode: 'numeric' }),
        numberField('event.posts_count', '岗位数', details.posts_count, { inputmode: 'numeric' })
      ])
    ]);
  }

  var KIND_FIELDSETS = { job: job, training: training, subsidy: subsidy, event: event };

  function blankOrNull(value) { return value === '' || value === undefined ? null : value; }

  function readJob(form) {
    var unit = forms.value(form, 'job.pay.unit');
    var pay = null;
    if (unit) {
      pay = {
        unit: unit,
        min: forms.number(form, 'job.pay.min'),
        max: forms.number(form, 'job.pay.max'),
        piece: unit === 'piece' ? blankOrNull(forms.value(form, 'job.pay.piece')) : null,
        approximate: forms.value(form, 'job.pay.approximate')
      };
    }
    return {
      employer: forms.value(form, 'job.employer'),
      category: forms.value(form, 'job.category'),
      pay: pay,
      work_hours: forms.value(form, 'job.work_hours'),
      flexible: forms.value(form, 'job.flexible'),
      openings: forms.number(form, 'job.openings'),
      requirements: forms.value(form, 'job.requirements'),
      age_min: forms.number(form, 'job.age_min'),
      age_max: forms.number(form, 'job.age_max')
    };
  }

  /* Session rows are renumbered as read, so a message for sessions.1 finds the second row. */
  function readTraining(form) {
    var rows = form.querySelectorAll('.session-row');
    var sessions = [];
    for (var i = 0; i < rows.length; i++) {
      var controls = rows[i].querySelectorAll('[data-field]');
      for (var j = 0; j < controls.length; j++) {
        var old = controls[j].getAttribute('data-field');
        var renamed = old.replace(/^training\.sessions\.\d+\./, 'training.sessions.' + i + '.');
        controls[j].setAttribute('data-field', renamed);
        var slot = controls[j].parentNode.querySelector('[data-error-for]');
        if (slot) { slot.setAttribute('data-error-for', renamed); }
      }
      var prefix = 'training.sessions.' + i + '.';
      var session = {
        starts_at: forms.toMoment(forms.value(rows[i], prefix + 'starts_at')),
        ends_at: forms.toMoment(forms.value(rows[i], prefix + 'ends_at')),
        seats: forms.number(rows[i], prefix + 'seats'),
        venue: forms.value(rows[i], prefix + 'venue')
      };
      var id = rows[i].getAttribute('data-session-id');
      if (id) { session.id = Number(id); }
      sessions.push(session);
    }
    return {
      provider: forms.value(form, 'training.provider'),
      fee: forms.number(form, 'training.fee') === null ? 0 : forms.number(form, 'training.fee'),
      fee_note: forms.value(form, 'training.fee_note'),
      certificate: forms.value(form, 'training.certificate'),
      schedule: forms.value(form, 'training.schedule'),
      sessions: sessions
    };
  }

  function readSubsidy(form) {
    return {
      eligibility: forms.value(form, 'subsidy.eligibility'),
      amount: forms.value(form, 'subsidy.amount'),
      document_number: forms.value(form, 'subsidy.document_number'),
      how_to_apply: forms.value(form, 'subsidy.how_to_apply'),
      documents_needed: forms.value(form, 'subsidy.documents_needed'),
      apply_deadline: blankOrNull(forms.toDate(forms.value(form, 'subsidy.apply_deadline')))
    };
  }

  function readEvent(form) {
    return {
      event_type: forms.value(form, 'event.event_type'),
      starts_at: forms.toMoment(forms.value(form, 'event.starts_at')),
      ends_at: forms.toMoment(forms.value(form, 'event.ends_at')),
      employers_count: forms.number(form, 'event.employers_count'),
      posts_count: forms.number(form, 'event.posts_count')
    };
  }

  var READERS = { job: readJob, training: readTraining, subsidy: readSubsidy, event: readEvent };

  /* The whole body for POST/PUT /admin/api/listings. */
  function read(form, kind, version) {
    var body = {
      kind: kind,
      title: forms.value(form, 'title'),
      summary: forms.value(form, 'summary'),
      body: form.querySelector('[data-field="body"]').value,
      contact: { name: forms.value(form, 'contact.name'), phone: forms.value(form, 'contact.phone') },
      site_id: forms.value(form, 'site_id') ? Number(forms.value(form, 'site_id')) : null,
      target_id: forms.value(form, 'target_id') ? Number(forms.value(form, 'target_id')) : null,
      valid_until: forms.toMoment(forms.value(form, 'valid_until'))
    };
    if (version) { body.version = version; }
    body[kind] = READERS[kind](form);
    return body;
  }

  /* A form element for a listing (an empty object for a new one) of a kind. */
  function build(kind, listing, app) {
    return h('form', { className: 'listing-form', novalidate: 'novalidate', 'data-kind': kind }, [
      forms.formError(),
      common(listing, app),
      KIND_FIELDSETS[kind](listing, app)
    ]);
  }

  window.admin = window.admin || {};
  window.admin.listingForm = { build: build, read: read };
})(window);
