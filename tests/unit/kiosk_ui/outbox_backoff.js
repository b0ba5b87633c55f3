/* Run by test_outbox_backoff.py: the kiosk's queue (kiosk_ui/src/outbox.js) over the
 * screens' HTTP helper (shared_ui/http.js), against a scripted server and clock.
 * Prints one JSON line of what happened, for the test to check. */
'use strict';
const fs = require('fs');
const path = require('path');
const vm = require('vm');

const root = path.resolve(__dirname, '..', '..', '..');
let now = Date.parse('2026-12-08T09:00:00Z');
const timers = [];
const answers = [];  // what the scripted server says next: [status, headers, body]
const sent = [];     // what reached it

class FakeXHR {
  open(method, url) { this.method = method; this.url = url; this.headers = {}; }
  setRequestHeader(name, value) { this.headers[name] = value; }
  getResponseHeader(name) {
    const found = Object.keys(this.responseHeaders || {}).find((key) => key.toLowerCase() === name.toLowerCase());
    return found ? this.responseHeaders[found] : null;
  }
  send(body) {
    sent.push({ method: this.method, url: this.url, body: JSON.parse(body) });
    const [status, headers, reply] = answers.shift();
    timers.push(() => {
      this.status = status;
      this.responseHeaders = headers;
      this.responseText = JSON.stringify(reply);
      this.readyState = 4;
      this.onreadystatechange();
    });
  }
}

const store = {};
const window = {
  XMLHttpRequest: FakeXHR,
  setTimeout: (fn) => { timers.push(fn); },
  localStorage: {
    getItem: (key) => (key in store ? store[key] : null),
    setItem: (key, value) => { store[key] = String(value); },
    removeItem: (key) => { delete store[key]; },
  },
};
const FakeDate = class extends Date { static now() { return now; } };
const context = vm.createContext({ window, Date: FakeDate, JSON, Math, isNaN, parseInt });
for (const file of ['shared_ui/storage.js', 'shared_ui/http.js', 'kiosk_ui/src/outbox.js']) {
  vm.runInContext(fs.readFileSync(path.join(root, file), 'utf8'), context, { filename: file });
}

function settle() { while (timers.length) { timers.shift()(); } }

const said = [];
const answered = [];
const outbox = new window.kiosk.Outbox(() => 'kiosk-token', (key, outcome, status) => answered.push([key, outcome, status]));
const busy = { error: { code: 'rate_limited', message: '操作太频繁，请稍后再试' } };
const body = { idempotency_key: 'form-1', kind: 'gig_worker', mobile: '13900007777' };

// 1. Submitted while the station is over its limit: kept, and the person is told so.
answers.push([429, { 'Retry-After': '30' }, busy]);
outbox.submit(body, (outcome, status) => said.push([outcome, status]));
settle();
const keptAfter429 = outbox.size();

// 2. The queue's next round, inside the wait: nothing is sent, the form stays.
outbox.flush();
settle();
const sentInsideWait = sent.length;
const keptInsideWait = outbox.size();

// 3. After the wait, the next round sends it, once.
now += 31 * 1000;
answers.push([201, {}, { reference: 'ABCDEFGH', created: true }]);
outbox.flush();
settle();

// 4. A 429 about the person's number (no Retry-After) is theirs to hear, not queued.
answers.push([429, {}, { error: { code: 'rate_limited', message: '这个手机号今天登记太多次了' } }]);
outbox.submit({ idempotency_key: 'form-2', mobile: '13800004444' }, (outcome, status) => said.push([outcome, status]));
settle();

console.log(JSON.stringify({
  said, answered, keptAfter429, sentInsideWait, keptInsideWait,
  sent: sent.map((request) => request.body.idempotency_key),
  left: outbox.size(),
  retryAfterDate: window.screens.http.retryAfter({ getResponseHeader: () => new Date(now + 90 * 1000).toUTCString() }),
}));
