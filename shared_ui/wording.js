/* How a listing reads at a glance on any screen: its kind, its tag, and the one
 * line that matters most for its kind (pay, fee and start, amount, or when). */
(function (window) {
  'use strict';

  var format = window.screens.format;
  var KIND_NAMES = { job: '岗位', training: '培训', subsidy: '补贴', event: '活动' };

  function keyLine(listing) {
    if (listing.job) { return listing.job.pay.text; }
    if (listing.training) {
      var session = listing.training.sessions[0];
      var when = session ? format.dateTime(session.starts_at, false) + '开课' : listing.training.schedule;
      return listing.training.fee_text + (when ? ' · ' + when : '');
    }
    if (listing.subsidy) { return listing.subsidy.amount || '补贴政策'; }
    if (listing.event) { return format.dateTime(listing.event.starts_at); }
    return '';
  }

  function tag(listing) {
    if (listing.job) { return listing.job.category_name; }
    if (listing.event) { return listing.event.event_type_name; }
    if (listing.training && listing.training.free) { return '免费'; }
    return KIND_NAMES[listing.kind];
  }

  window.screens.wording = { keyLine: keyLine, tag: tag, KIND_NAMES: KIND_NAMES };
})(window);
