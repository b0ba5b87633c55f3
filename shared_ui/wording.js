/* How a listing reads at a glance on any screen: its kind, its tag, and the one
 * line that matters most for its kind (pay, fee and start, amount, or when). */
(function (window) {
  'use strict';

  var format = window.screens.format;
  // What kinds and job categories are called: the server's tables, sent in the
  // home answer (learn). The objects are kept and filled in place, so a view
  // holding KIND_NAMES reads the names learnt since.
  var names = { kinds: {}, job_categories: {}, category_groups: {} };
  var KIND_NAMES = names.kinds;

  function fill(into, from) {
    for (var key in from) { if (from.hasOwnProperty(key)) { into[key] = from[key]; } }
  }

  /* Names a listing bears itself (every server sent these), for what no table named. */
  function learnFrom(listings) {
    for (var i = 0; i < listings.length; i++) {
      var listing = listings[i];
      if (!KIND_NAMES[listing.kind] && listing.kind_name) { KIND_NAMES[listing.kind] = listing.kind_name; }
      var job = listing.job;
      if (job && job.category && job.category_name && !names.job_categories[job.category]) {
        names.job_categories[job.category] = job.category_name;
      }
    }
  }

  /* The names of a home answer. A copy kept from an older server has no table:
   * then the names its listings bear, until a fresh answer brings them all. */
  function learn(answer) {
    if (answer && answer.names) {
      fill(names.kinds, answer.names.kinds);
      fill(names.job_categories, answer.names.job_categories);
      fill(names.category_groups, answer.names.category_groups);
      return;
    }
    var kinds = (answer && answer.kinds) || {};
    for (var kind in kinds) { if (kinds.hasOwnProperty(kind)) { learnFrom(kinds[kind].newest || []); } }
  }

  /* A job category's or a group of categories' name (a filter's). */
  function categoryName(key) {
    return names.job_categories[key] || names.category_groups[key] || '';
  }

  function keyLine(listing) {
    if (listing.job) { return listing.job.pay.text; }
    if (listing.training) {
      var session = listing.training.sessions[0];
      var when = session ? format.dateTime(session.starts_at, false) + '开课' : listing.training.schedule;
      return listing.training.fee_text + (when ? ' · ' + when : '');
    }
    if (listing.subsidy) { return listing.subsidy.amount || listing.kind_name; }
    if (listing.event) { return format.dateTime(listing.event.starts_at); }
    return '';
  }

  function tag(listing) {
    if (listing.job) { return listing.job.category_name; }
    if (listing.event) { return listing.event.event_type_name; }
    if (listing.training && listing.training.free) { return '免费'; }
    return KIND_NAMES[listing.kind];
  }

  window.screens.wording = {
    keyLine: keyLine, tag: tag, KIND_NAMES: KIND_NAMES, names: names,
    learn: learn, learnFrom: learnFrom, categoryName: categoryName
  };
})(window);
