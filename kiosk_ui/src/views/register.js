/* The five on-site registrations, one question a step: the privacy notice and
 * consent first, then only the fields UX.md allows, then a review where the
 * server's answers appear beside the fields they are about. */
(function (window) {
  'use strict';

  var document = window.document;
  var kiosk = window.kiosk;
  var screens = window.screens;
  var h = screens.dom.h;
  var ui = kiosk.ui;
  var format = screens.format;
  var choices = kiosk.choices;

  var TITLES = {
    job_seeker: '求职登记',
    gig_worker: '零工登记',
    training_signup: '培训报名',
    consultation: '政策咨询预约',
    application: '我要应聘'
  };
  var PURPOSES = {
    job_seeker: '给您推荐合适的工作',
    gig_worker: '有零活时联系您',
    training_signup: '安排您参加培训',
    consultation: '约您来咨询补贴政策',
    application: '就这个岗位联系您'
  };
  var AGE_BANDS = [
    ['16-24', '16–24岁'], ['25-39', '25–39岁'], ['40-49', '40–49岁'], ['50-59', '50–59岁'],
    ['60+', '60岁以上'], ['under_16', '16岁以下']
  ];
  // The kinds of work one can ask for: job categories, named as the server names them.
  var JOB_KINDS = ['full_time', 'part_time', 'piece_rate', 'gig', 'mom_friendly', 'public_welfare'];

  function jobKinds() {
    return JOB_KINDS.map(function (category) { return [category, screens.wording.categoryName(category)]; });
  }
  var AVAILABILITY = [
    ['weekday_day', '工作日白天'], ['weekday_evening', '工作日晚上'], ['weekend', '周末'],
    ['school_hours', '孩子上学的时间'], ['anytime', '什么时候都行']
  ];
  var TRADES = ['保洁', '家政', '育儿嫂', '养老护理', '水电维修', '家电维修', '搬运装卸', '装修',
    '缝纫', '手工', '快递分拣', '送餐跑腿', '帮厨', '保安'];
  var HALF_DAYS = [['am', '上午'], ['pm', '下午']];
  var WEEKDAYS = '日一二三四五六';
  var CHINA_OFFSET_MS = 8 * 3600 * 1000;

  function newKey() {
    var bytes = new window.Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return (b < 16 ? '0' : '') + b.toString(16); }).join('');
  }

  /* The next seven days, as China dates: [['2026-11-23', '11月23日（周一）'], …]. */
  function nextDays() {
    var days = [];
    for (var i = 1; i <= 7; i++) {
      var d = new Date(Date.now() + CHINA_OFFSET_MS + i * 86400000);
      var iso = d.toISOString().slice(0, 10);
      days.push([iso, (d.getUTCMonth() + 1) + '月' + d.getUTCDate() + '日（周' + WEEKDAYS.charAt(d.getUTCDay()) + '）']);
    }
    return days;
  }

  function labelOf(items, value) {
    for (var i = 0; i < items.length; i++) { if (items[i][0] === value) { return items[i][1]; } }
    return '';
  }

  function labelsOf(items, values) {
    return values.map(function (v) { return labelOf(items, v); }).join('、');
  }

  /* Which steps each kind asks, in order. */
  var STEPS = {
    job_seeker: ['consent', 'name', 'mobile', 'community', 'age', 'wanted', 'availability', 'skills', 'review'],
    gig_worker: ['consent', 'name', 'mobile', 'community', 'age', 'trades', 'area', 'availability', 'review'],
    training_signup: ['consent', 'session', 'name', 'mobile', 'community', 'age', 'review'],
    consultation: ['consent', 'slot', 'name', 'mobile', 'community', 'age', 'review'],
    application: ['consent', 'name', 'mobile', 'community', 'age', 'review']
  };

  function RegisterView(app, kind, listing) {
    this.app = app;
    this.name = 'register';
    this.kind = kind;
    this.listing = listing;
    this.steps = STEPS[kind];
    this.step = 0;
    this.key = newKey();
    var street = choices.streetOf(app.places || [], app.settings.community_id);
    this.answers = {
      consent: false, share_with_employer: false, name: '', mobile: '',
      street_id: street ? street.id : null, community_id: null, age_band: '',
      wanted: [], availability: [], skills: '', trades: [], service_area: '',
      session_id: null, waitlist: false, preferred_day: '', half_day: ''
    };
    this.errors = {};
    this.formError = '';
    this.full = false;
    this.gone = false;
    this.sending = false;
    this.keyboard = null;
  }

  RegisterView.prototype.set = function (field, value) {
    this.answers[field] = value;
    delete this.errors[field];
    this.formError = '';
    this.app.refresh();
  };

  RegisterView.prototype.current = function () { return this.steps[this.step]; };

  RegisterView.prototype.render = function () {
    if (this.gone) { return this.renderGone(); }
    var id = this.current();
    var body = this['step_' + id]();
    var self = this;
    var last = id === 'review';
    return {
      top: h('div', { className: 'heading' }, [
        h('p', { className: 'brand', text: TITLES[this.kind] + (this.listing ? ' · ' + this.listing.title : '') }),
        h('h1', { text: body.question }),
        h('p', { className: 'lead', text: '第' + (this.step + 1) + '步，共' + this.steps.length + '步' })
      ]),
      main: [
        h('section', { className: 'form-step step-' + id }, [
          body.content,
          this.formError ? h('p', { className: 'form-error', role: 'alert', text: this.formError }) : null
        ]),
        h('nav', { className: 'nav flow-nav', 'aria-label': '登记步骤' }, [
          ui.button(this.step === 0 ? '不登记了' : '‹ 上一步', function () { self.previous(); }, 'nav-back'),
          last ? ui.button(this.sending ? '正在提交……' : '提交登记', function () { self.submit(); }, 'primary nav-next',
            { disabled: this.sending ? 'disabled' : null })
            : ui.button('下一步 ›', function () { self.next(); }, 'primary nav-next')
        ])
      ]
    };
  };

  RegisterView.prototype.previous = function () {
    if (this.step === 0) { this.app.back(); return; }
    this.step--;
    this.formError = '';
    this.app.refresh();
  };

  RegisterView.prototype.next = function () {
    var problems = this['check_' + this.current()] ? this['check_' + this.current()]() : {};
    var field;
    for (field in problems) {
      if (problems.hasOwnProperty(field) && problems[field]) {
        if (this.keyboard) {
          this.keyboard.showCandidatesAgain();  // before the error: typing clears errors
          this.errors = problems;
          this.showErrorInPlace(field);
        } else {
          this.errors = problems;
          this.app.refresh();
        }
        return;
      }
    }
    this.step++;
    this.app.refresh();
  };

  /* On a keyboard step the keyboard stays as it is, with its candidate bar. */
  RegisterView.prototype.showErrorInPlace = function (field) {
    var shown = document.getElementById(field + '-value');
    var old = document.getElementById(field + '-error');
    if (old) { old.parentNode.removeChild(old); }
    if (!shown) { return; }
    shown.parentNode.className = 'field has-error';
    shown.setAttribute('aria-invalid', 'true');
    shown.setAttribute('aria-describedby', field + '-error');
    shown.parentNode.appendChild(ui.fieldError(field, this.errors[field]));
  };

  RegisterView.prototype.goTo = function (id) {
    this.step = this.steps.indexOf(id);
    this.app.refresh();
  };

  /* A labelled value with its error beside it, as in every step. */
  function shownField(id, label, value, placeholder, error) {
    return h('div', { className: 'field' + (error ? ' has-error' : '') }, [
      h('p', { className: 'field-label', id: id + '-label', text: label }),
      h('p', {
        className: 'field-value' + (value ? '' : ' is-empty'), id: id + '-value',
        role: 'textbox', 'aria-readonly': 'true', 'aria-labelledby': id + '-label',
        'aria-invalid': error ? 'true' : null, 'aria-describedby': error ? id + '-error' : null,
        text: value || placeholder
      }),
      ui.fieldError(id, error)
    ]);
  }

  function checkbox(id, checked, text, onToggle) {
    return ui.button([h('span', { className: 'box', 'aria-hidden': 'true', text: checked ? '✓' : '' }), text],
      onToggle, 'checkbox' + (checked ? ' is-on' : ''), { role: 'checkbox', 'aria-checked': checked ? 'true' : 'false', id: id });
  }

  // --- Steps: each returns {question, content}; check_* returns field errors.

  RegisterView.prototype.step_consent = function () {
    var self = this;
    var site = this.app.settings.site;
    var a = this.answers;
    var notice = h('div', { className: 'notice', id: 'privacy' }, [
      h('h2', { text: '个人信息怎么用' }),
      h('p', { text: '谁收集：' + site.name + '（就享家就业服务）。' }),
      h('p', { text: '用来做什么：只用于工作人员' + PURPOSES[this.kind] + '。' }),
      h('p', { text: '收集什么：称呼、手机号、住的社区、年龄段' + (this.kind === 'job_seeker' ? '、想做的工作和时间' : '') +
        (this.kind === 'gig_worker' ? '、手艺、服务范围和时间' : '') + '。不要身份证号。' }),
      h('p', { text: keptFor(this.app) }),
      linkFor(this.app),
      h('p', { text: '有疑问找谁：' + (site.phone || '12333') + '，或问现场工作人员。' })
    ]);
    var parts = [notice, checkbox('consent', a.consent, '我已看过上面的说明，同意登记', function () {
      self.set('consent', !a.consent);
    }), ui.fieldError('consent', this.errors.consent)];
    if (this.kind === 'application') {
      var employer = this.listing.job ? this.listing.job.employer : '招聘单位';
      parts.push(checkbox('share', a.share_with_employer,
        '另外同意：把我的称呼和手机号交给' + employer + '，让他们直接联系我（可以不选）', function () {
          self.set('share_with_employer', !a.share_with_employer);
        }));
    }
    return { question: '登记前，请先看一下', content: parts };
  };

  /* The periods are the server's settings, sent in the home answer: it keeps
   * registrations this long and the see-or-cancel link works this long. */
  function privacyPeriods(app) {
    return app.homeAnswer && app.homeAnswer.privacy;
  }

  function keptFor(app) {
    var periods = privacyPeriods(app);
    // A copy kept from an older server has no periods: say nothing it cannot back.
    return periods ? '保存多久：登记后保存' + periods.keep_months + '个月，之后删除。'
      : '保存多久：到期删除，期限请问现场工作人员。';
  }

  function linkFor(app) {
    var periods = privacyPeriods(app);
    return periods ? h('p', { text: '查看或取消：登记后' + periods.link_days +
      '天内可以扫码查看或取消，之后请找服务站工作人员。' }) : null;
  }

  RegisterView.prototype.check_consent = function () {
    return { consent: this.answers.consent ? '' : '请先勾选“同意登记”，才能继续' };
  };

  RegisterView.prototype.step_name = function () {
    var self = this;
    var value = this.answers.name;
    this.keyboard = new kiosk.PinyinInput({
      label: '称呼', value: value, maxLength: 20,
      onChange: function (typed) { self.typed('name', typed, 'name-value', '可以只写姓，比如“王女士”'); }
    });
    function add(word) {
      return ui.button(word, function () { self.set('name', (self.answers.name + word).slice(0, 20)); }, 'choice');
    }
    return {
      question: '怎么称呼您？',
      content: [
        shownField('name', '称呼', value, '可以只写姓，比如“王女士”', this.errors.name),
        h('div', { className: 'choices', role: 'group', 'aria-label': '快捷输入' }, [
          add('先生'), add('女士'),
          ui.button('清空', function () { self.set('name', ''); }, 'choice')
        ]),
        this.keyboard.element
      ]
    };
  };

  /* Keyboard typing updates the shown value in place: re-rendering would
   * rebuild the keyboard under the person's finger. */
  RegisterView.prototype.typed = function (field, value, valueId, placeholder) {
    this.answers[field] = value;
    delete this.errors[field];
    var shown = document.getElementById(valueId);
    if (shown) {
      screens.dom.replace(shown, value || placeholder);
      shown.className = 'field-value' + (value ? '' : ' is-empty');
    }
    var error = document.getElementById(field + '-error');
    if (error) {
      error.parentNode.className = 'field';
      error.parentNode.removeChild(error);
    }
  };

  RegisterView.prototype.check_name = function () {
    var name = this.answers.name.trim();
    if (!name) { return { name: '请填写称呼，可以只写姓，如“王女士”' }; }
    if (/[a-z]/i.test(name)) { return { name: '还有拼音没变成字：请点键盘上方一排里的汉字' }; }
    return {};
  };

  RegisterView.prototype.step_mobile = function () {
    var self = this;
    var digits = this.answers.mobile;
    return {
      question: '您的手机号码',
      content: [
        shownField('mobile', '手机号码', format.mobile(digits), '138 0000 0000', this.errors.mobile),
        kiosk.keypad.keypad('手机号码键盘', function (key) {
          self.set('mobile', kiosk.keypad.type(self.answers.mobile, key, 11));
        })
      ]
    };
  };

  RegisterView.prototype.check_mobile = function () {
    var digits = this.answers.mobile;
    if (digits.length !== 11) { return { mobile: '请输入11位手机号码' }; }
    if (!format.validMobile(digits)) { return { mobile: '这个号码不像手机号，请检查一下' }; }
    return {};
  };

  RegisterView.prototype.step_community = function () {
    var self = this;
    var a = this.answers;
    var places = this.app.places;
    if (!places) {
      return { question: '您住在哪个社区？', content: h('p', { className: 'form-error', role: 'alert', text: '社区名单还没载入，请稍等或找工作人员' }) };
    }
    return {
      question: '您住在哪个社区？',
      content: [
        shownField('community', '住的社区', choices.communityName(places, a.community_id), '请在下面选择', this.errors.community_id),
        choices.communityPicker(places, a.street_id, a.community_id, function (street) {
          a.community_id = null;
          self.set('street_id', street);
        }, function (community) { self.set('community_id', community); })
      ]
    };
  };

  RegisterView.prototype.check_community = function () {
    return { community_id: this.answers.community_id ? '' : '请选择您住的社区' };
  };

  RegisterView.prototype.step_age = function () {
    var self = this;
    return {
      question: '您的年龄段',
      content: [
        h('p', { className: 'hint', text: '只问年龄段，不问生日。' }),
        choices.choices('年龄段', AGE_BANDS, this.answers.age_band, false, function (band) { self.set('age_band', band); }),
        ui.fieldError('age_band', this.errors.age_band)
      ]
    };
  };

  RegisterView.prototype.check_age = function () {
    var band = this.answers.age_band;
    if (!band) { return { age_band: '请选择年龄段' }; }
    if (band === 'under_16') { return { age_band: '未满16岁不能登记，欢迎满16岁后再来' }; }
    return {};
  };

  RegisterView.prototype.multiStep = function (question, field, items, error) {
    var self = this;
    return {
      question: question,
      content: [
        h('p', { className: 'hint', text: '可以选几个' }),
        choices.choices(question, items, this.answers[field], true, function (picked) { self.set(field, picked); }),
        ui.fieldError(field, error)
      ]
    };
  };

  RegisterView.prototype.step_wanted = function () {
    return this.multiStep('想做什么样的工作？', 'wanted', jobKinds(), this.errors.wanted);
  };

  RegisterView.prototype.check_wanted = function () {
    return { wanted: this.answers.wanted.length ? '' : '请至少选一种' };
  };

  RegisterView.prototype.step_availability = function () {
    return this.multiStep('什么时候有空？', 'availability', AVAILABILITY, this.errors.availability);
  };

  RegisterView.prototype.check_availability = function () {
    return { availability: this.answers.availability.length ? '' : '请至少选一个时间' };
  };

  RegisterView.prototype.step_trades = function () {
    return this.multiStep('您会哪些手艺？', 'trades', TRADES.map(function (t) { return [t, t]; }), this.errors.trades);
  };

  RegisterView.prototype.check_trades = function () {
    return { trades: this.answers.trades.length ? '' : '请至少选一项' };
  };

  RegisterView.prototype.step_area = function () {
    var self = this;
    var places = this.app.places || [];
    var street = choices.streetOf(places, this.answers.community_id);
    var community = choices.communityName(places, this.answers.community_id).split(' · ')[1];
    var areas = [
      community ? community + '附近' : '本社区附近',
      street ? street.name + '范围内' : '本街道范围内',
      '全区都可以'
    ].map(function (text) { return [text, text]; });
    return {
      question: '在哪一片接活？',
      content: [
        choices.choices('服务范围', areas, this.answers.service_area, false, function (area) { self.set('service_area', area); }),
        ui.fieldError('service_area', this.errors.service_area)
      ]
    };
  };

  RegisterView.prototype.check_area = function () {
    return { service_area: this.answers.service_area ? '' : '请选择服务范围' };
  };

  RegisterView.prototype.step_skills = function () {
    var self = this;
    this.keyboard = new kiosk.PinyinInput({
      label: '特长', value: this.answers.skills, maxLength: 60,
      onChange: function (typed) { self.typed('skills', typed, 'skills-value', '可以不填，直接点“下一步”'); }
    });
    return {
      question: '有什么特长？（可以不填）',
      content: [
        shownField('skills', '特长', this.answers.skills, '可以不填，直接点“下一步”', this.errors.skills),
        this.keyboard.element
      ]
    };
  };

  RegisterView.prototype.check_skills = function () {
    if (/[a-z]/i.test(this.answers.skills)) { return { skills: '还有拼音没变成字：请点键盘上方一排里的汉字' }; }
    return {};
  };

  RegisterView.prototype.sessionItems = function () {
    return (this.listing.training ? this.listing.training.sessions : []).map(function (session) {
      var left = session.seats_left > 0 ? '，还剩' + session.seats_left + '个名额' : '，已报满（可候补）';
      return [session.id, format.dateTime(session.starts_at) + (session.venue ? '，' + session.venue : '') + left];
    });
  };

  RegisterView.prototype.step_session = function () {
    var self = this;
    var a = this.answers;
    var chosen = this.chosenSession();
    var full = this.full || (chosen && chosen.seats_left <= 0);
    return {
      question: '报哪一期？',
      content: [
        choices.choices('培训班期', this.sessionItems(), a.session_id, false, function (id) {
          self.full = false;
          a.waitlist = false;
          self.set('session_id', id);
        }),
        ui.fieldError('session_id', this.errors.session_id),
        full ? h('div', { className: 'waitlist' }, [
          h('p', { className: 'hint', text: '这一期已经报满了。可以排队候补：有人退出时，工作人员按顺序联系您。' }),
          checkbox('waitlist', a.waitlist, '我愿意排队候补', function () { self.set('waitlist', !a.waitlist); }),
          ui.fieldError('waitlist', this.errors.waitlist)
        ]) : null
      ]
    };
  };

  RegisterView.prototype.chosenSession = function () {
    var id = this.answers.session_id;
    var sessions = this.listing.training ? this.listing.training.sessions : [];
    for (var i = 0; i < sessions.length; i++) { if (sessions[i].id === id) { return sessions[i]; } }
    return null;
  };

  RegisterView.prototype.check_session = function () {
    var chosen = this.chosenSession();
    if (!chosen) { return { session_id: '请选择一期' }; }
    if ((this.full || chosen.seats_left <= 0) && !this.answers.waitlist) {
      return { waitlist: '这一期已报满：愿意候补请勾选，或换一期' };
    }
    return {};
  };

  RegisterView.prototype.step_slot = function () {
    var self = this;
    var a = this.answers;
    return {
      question: '哪天来咨询？',
      content: [
        choices.choices('日期', nextDays(), a.preferred_day, false, function (day) { self.set('preferred_day', day); }),
        ui.fieldError('preferred_day', this.errors.preferred_day),
        choices.choices('上午还是下午', HALF_DAYS, a.half_day, false, function (half) { self.set('half_day', half); }),
        ui.fieldError('half_day', this.errors.half_day)
      ]
    };
  };

  RegisterView.prototype.check_slot = function () {
    return {
      preferred_day: this.answers.preferred_day ? '' : '请选一天',
      half_day: this.answers.half_day ? '' : '请选上午或下午'
    };
  };

  /* Everything at once, each with 修改 and any error from the server beside it. */
  RegisterView.prototype.step_review = function () {
    var self = this;
    var a = this.answers;
    var places = this.app.places || [];
    var rows = [];
    var beside = {};
    function row(step, label, value, field, otherField) {
      var error = self.errors[field] || self.errors[otherField];
      beside[field] = true;
      if (otherField) { beside[otherField] = true; }
      rows.push(h('div', { className: 'review-row' + (error ? ' has-error' : '') }, [
        h('p', { className: 'review-label', text: label }),
        h('p', { className: 'review-value', text: value || '（未填）' }),
        ui.button('修改', function () { self.goTo(step); }, 'secondary review-edit', { 'aria-label': '修改' + label }),
        ui.fieldError(field, error)
      ]));
    }
    if (this.kind === 'training_signup') {
      var session = this.chosenSession();
      row('session', '班期', session ? format.dateTime(session.starts_at) + (a.waitlist ? '（候补）' : '') : '', 'session_id', 'waitlist');
    }
    if (this.kind === 'consultation') {
      row('slot', '时间', labelOf(nextDays(), a.preferred_day) + labelOf(HALF_DAYS, a.half_day), 'preferred_day', 'half_day');
    }
    row('name', '称呼', a.name, 'name');
    row('mobile', '手机', format.mobile(a.mobile), 'mobile');
    row('community', '社区', choices.communityName(places, a.community_id), 'community_id');
    row('age', '年龄段', labelOf(AGE_BANDS, a.age_band), 'age_band');
    if (this.kind === 'job_seeker') {
      row('wanted', '想做', labelsOf(jobKinds(), a.wanted), 'wanted');
      row('availability', '有空', labelsOf(AVAILABILITY, a.availability), 'availability');
      row('skills', '特长', a.skills, 'skills');
    }
    if (this.kind === 'gig_worker') {
      row('trades', '手艺', a.trades.join('、'), 'trades');
      row('area', '范围', a.service_area, 'service_area');
      row('availability', '有空', labelsOf(AVAILABILITY, a.availability), 'availability');
    }
    // Anything the server named that has no row here is said below the rows.
    var elsewhere = Object.keys(this.errors).filter(function (field) { return !beside[field]; });
    var content = [h('div', { className: 'review' }, rows)].concat(elsewhere.map(function (field) {
      return h('p', { className: 'form-error', role: 'alert', text: self.errors[field] });
    }));
    if (this.full && !a.waitlist) {
      content.push(h('div', { className: 'waitlist' }, [
        h('p', { className: 'hint', text: '就在刚才，这一期报满了。可以排队候补，或换一期；不报了，填的内容不会保存。' }),
        h('div', { className: 'actions' }, [
          ui.button('我愿意排队候补', function () { self.set('waitlist', true); }, 'primary'),
          ui.button('换一期', function () { self.goTo('session'); }, 'secondary'),
          ui.button('不报了，回首页', function () { self.app.home(); }, 'secondary')
        ])
      ]));
    }
    return { question: '请核对，没问题就提交', content: content };
  };

  RegisterView.prototype.payload = function () {
    var a = this.answers;
    var body = {
      kind: this.kind, idempotency_key: this.key, consent: a.consent, name: a.name.trim(),
      mobile: a.mobile, community_id: a.community_id, age_band: a.age_band
    };
    if (this.kind === 'job_seeker') {
      body.wanted = a.wanted;
      body.availability = a.availability;
      body.skills = a.skills.trim();
    } else if (this.kind === 'gig_worker') {
      body.trades = a.trades;
      body.service_area = a.service_area;
      body.availability = a.availability;
    } else {
      body.listing_id = this.listing.id;
    }
    if (this.kind === 'training_signup') {
      body.session_id = a.session_id;
      body.waitlist = a.waitlist;
    }
    if (this.kind === 'consultation') {
      body.preferred_day = a.preferred_day;
      body.half_day = a.half_day;
    }
    if (this.kind === 'application') { body.share_with_employer = a.share_with_employer; }
    return body;
  };

  RegisterView.prototype.submit = function () {
    var self = this;
    if (this.sending) { return; }
    this.sending = true;
    this.formError = '';
    this.app.refresh();
    this.app.outbox.submit(this.payload(), function (outcome, status, data) {
      self.sending = false;
      if (self.app.current() !== self) { return; }  // reset while it was on its way
      if (outcome === 'sent') {
        self.app.swap(new kiosk.DoneView(self.app, TITLES[self.kind], data));
      } else if (outcome === 'queued') {
        self.app.swap(new kiosk.SavedView(self.app, TITLES[self.kind], self.key, status === 429));
      } else if (outcome === 'lost') {
        self.refusedForNow({
          heading: '没能提交',
          message: '网络断开了，这台机器也没能保存您的登记',
          next: '这次的登记没有提交。等网络恢复后可以点“再试一次”，不用重填；也可以请现场工作人员帮您登记。点“完成”会清除您填的内容。',
          retry: true
        });
      } else {
        self.refused(status, data && data.error);
      }
      self.app.renderStatus();
    });
  };

  /* The answers the review shows a row for, with 修改 beside it. */
  var REVIEW_FIELDS = {
    job_seeker: ['wanted', 'availability', 'skills'],
    gig_worker: ['trades', 'service_area', 'availability'],
    training_signup: ['session_id', 'waitlist'],
    consultation: ['preferred_day', 'half_day'],
    application: []
  };

  RegisterView.prototype.fixable = function (field) {
    return ['name', 'mobile', 'community_id', 'age_band'].concat(REVIEW_FIELDS[this.kind]).indexOf(field) >= 0;
  };

  /* The server said no. What the person can put right stays on the review, beside
   * the field; anything else is said on a screen of its own with a way on. */
  RegisterView.prototype.refused = function (status, error) {
    var self = this;
    error = error || {};
    if (status === 410 || (status === 404 && this.listing)) {
      this.gone = true;
      this.app.refresh();
      return;
    }
    if (error.code === 'session_full') {
      this.full = true;
      this.answers.waitlist = false;
      this.app.refresh();
      return;
    }
    var errors = {};
    var path;
    for (path in error.fields || {}) {
      if (error.fields.hasOwnProperty(path)) { errors[path.split('.')[0]] = error.fields[path]; }
    }
    var fields = Object.keys(errors);
    if (fields.length && fields.every(function (field) { return self.fixable(field); })) {
      this.errors = errors;
      this.formError = '有些内容不对，请看红字，点“修改”改好后再提交';
      this.app.refresh();
      return;
    }
    var refusal = kiosk.refusal(status, error);
    if (refusal.retry) {
      this.refusedForNow(refusal);
    } else {
      // Refused for good: the form goes with this view.
      this.app.swap(new kiosk.RefusalView(this.app, TITLES[this.kind], refusal));
    }
  };

  /* Refused for now: the form stays underneath, for 再试一次. */
  RegisterView.prototype.refusedForNow = function (refusal) {
    var self = this;
    var app = this.app;
    refusal.retry = function () {
      app.back();
      self.submit();
    };
    app.show(new kiosk.RefusalView(app, TITLES[this.kind], refusal));
  };

  /* The listing was withdrawn or ended while the person was filling in. */
  RegisterView.prototype.renderGone = function () {
    var app = this.app;
    return {
      top: h('div', { className: 'heading' }, [
        h('p', { className: 'brand', text: TITLES[this.kind] }),
        h('h1', { text: '已下架' }),
        h('p', { className: 'gone', role: 'alert', text: '“' + this.listing.title + '”刚刚下架了，不能再报名。' })
      ]),
      main: [
        h('section', { className: 'message' }, [
          h('p', { text: '您填的内容没有提交，也没有保存。' }),
          h('p', { text: '可以看看别的信息，或者做个求职登记，工作人员会给您推荐合适的。' }),
          h('div', { className: 'actions' }, [
            ui.button('看看别的信息', function () { app.home(); }, 'secondary'),
            this.kind === 'application' ? ui.button('改做求职登记', function () {
              app.swap(new RegisterView(app, 'job_seeker', null));
            }, 'primary') : null
          ])
        ]),
        ui.nav(app, { back: false })
      ]
    };
  };

  /* A live change to the listing applied for: returns whether the view holds it. */
  RegisterView.prototype.onChange = function (change, current) {
    if (!this.listing || change.entity !== 'listing' || change.id !== this.listing.id) { return false; }
    if (change.op === 'remove') {
      this.gone = true;
    } else {
      this.listing = change.data;
    }
    // Rebuilding a keyboard step would drop the half-typed pinyin; only refresh
    // when something on screen changed for this person.
    if (current && (this.gone || this.current() === 'session')) { this.app.refresh(); }
    return true;
  };

  RegisterView.prototype.mounted = function () {
    if (this.keyboard && !this.gone && (this.current() === 'name' || this.current() === 'skills')) {
      this.keyboard.mount();
    }
  };

  RegisterView.prototype.leave = function () {
    if (this.keyboard) {
      this.keyboard.destroy();
      this.keyboard = null;
    }
  };

  kiosk.RegisterView = RegisterView;
})(window);
