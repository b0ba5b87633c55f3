/* Registrations waiting for the server, kept in localStorage so that a pulled
 * cable, a server restart or a kiosk reboot never loses a form. Each one carries
 * its idempotency key: sending it twice still makes one record. */
(function (window) {
  'use strict';

  var screens = window.screens;
  var STORAGE_KEY = 'jxj.kiosk.outbox';
  var URL = '/api/registrations';

  /* Worth trying again later: no answer, a server fault, or a kiosk the server
   * does not know right now (staff may re-enrol it). */
  function transient(status) { return status === 0 || status === 401 || status >= 500; }

  /* Too many at once from this kiosk or its station: the server says how long to
   * wait, and the form waits here. (A 429 without Retry-After is about the person's
   * number, and is theirs to hear.) */
  function askedToWait(status, xhr) { return status === 429 && screens.http.retryAfter(xhr) > 0; }

  /* onAnswer(key, outcome, status, data), when a queued form has its answer:
   * outcome 'sent' (data is the answer) or 'refused' (for good). onFull(), when
   * storage has no room: what it drops (the offline copy of listings) makes room. */
  function Outbox(token, onAnswer, onFull) {
    this.token = token;
    this.onAnswer = onAnswer || function () {};
    this.onFull = onFull || function () {};
    this.sending = {};
    this.flushing = false;
  }

  Outbox.prototype.entries = function () { return screens.storage.read(STORAGE_KEY) || []; };

  Outbox.prototype.size = function () { return this.entries().length; };

  /* A registration outranks every other thing kept: with storage full, the
   * listings' copy is dropped and the queue written again. */
  Outbox.prototype.save = function (entries) {
    if (screens.storage.write(STORAGE_KEY, entries)) { return true; }
    this.onFull();
    return screens.storage.write(STORAGE_KEY, entries);
  };

  Outbox.prototype.remove = function (key) {
    var kept = [];
    var entries = this.entries();
    for (var i = 0; i < entries.length; i++) { if (entries[i].key !== key) { kept.push(entries[i]); } }
    this.save(kept);
  };

  Outbox.prototype.post = function (entry, done) {
    var self = this;
    this.sending[entry.key] = true;
    screens.http.postJSON(URL, entry.body, { 'X-Screen-Token': this.token() }, function (status, data, xhr) {
      delete self.sending[entry.key];
      done(status, data, xhr);
    });
  };

  /* A person pressed 提交. done(outcome, status, data): 'sent' (data is the
   * answer), 'queued' (kept for later: no network, or the server asked to wait, then
   * status is 429) or 'refused' (the server said no, and why). */
  Outbox.prototype.submit = function (body, done) {
    var self = this;
    var entry = { key: body.idempotency_key, body: body, queued_at: new Date().toISOString() };
    var entries = this.entries();
    entries.push(entry);
    // Written before sending: if the page dies mid-request, the form is still here.
    var kept = this.save(entries);
    this.post(entry, function (status, data, xhr) {
      if (transient(status) || askedToWait(status, xhr)) {
        done(kept ? 'queued' : 'lost', status, data);
        return;
      }
      self.remove(entry.key);
      done(status === 200 || status === 201 ? 'sent' : 'refused', status, data);
    });
  };

  /* Send what is waiting, oldest first; stop at the first sign the server is
   * still away. onSent(count) reports how many went through. */
  Outbox.prototype.flush = function (onSent) {
    var self = this;
    if (this.flushing) { return; }
    var entries = this.entries();
    var sent = 0;
    this.flushing = true;
    function next(i) {
      if (i >= entries.length) {
        self.flushing = false;
        if (onSent) { onSent(sent); }
        return;
      }
      if (self.sending[entries[i].key]) { next(i + 1); return; }
      self.post(entries[i], function (status, data) {
        // A rate limit passes with time; keep the form rather than drop it.
        if (transient(status) || status === 429) {
          self.flushing = false;
          if (onSent) { onSent(sent); }
          return;
        }
        // Refused for good (a listing gone, a full session): the person's data should
        // not stay on the kiosk. Whether anyone is still there to tell is the app's call.
        var ok = status === 200 || status === 201;
        self.remove(entries[i].key);
        if (ok) { sent++; }
        self.onAnswer(entries[i].key, ok ? 'sent' : 'refused', status, data);
        next(i + 1);
      });
    }
    next(0);
  };

  window.kiosk = window.kiosk || {};
  window.kiosk.Outbox = Outbox;
})(window);
