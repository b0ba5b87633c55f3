// Lighthouse's performance score for one page, with its default mobile throttling
// (simulated slow 4G and 4x CPU slowdown), in Debian's Chromium (CHROME_PATH).
//
//   node bench/lighthouse.mjs <url> [<localStorage key> <JSON value>]
//
// With a key and value, they are put in the site's localStorage first (on another
// page of the same site, so the HTTP cache stays cold) and Lighthouse is told not to
// clear storage: the page then opens as a TV registered at home does.
// Prints one line of JSON: score, the metrics behind it, bytes transferred.
import * as chromeLauncher from 'chrome-launcher';
import lighthouse from 'lighthouse';
import puppeteer from 'puppeteer-core';

const [url, key, value] = process.argv.slice(2);
const chrome = await chromeLauncher.launch({
  chromePath: process.env.CHROME_PATH || '/usr/bin/chromium',
  chromeFlags: [
    '--headless=new', '--no-sandbox', '--disable-gpu', '--no-first-run',
    // Without these, Chromium keeps trying to reach Google's hosts on a closed network.
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
  ],
});
try {
  const browser = await puppeteer.connect({ browserURL: `http://127.0.0.1:${chrome.port}` });
  const page = await browser.newPage();
  if (key) {
    await page.goto(new URL('/api/openapi.json', url).href);
    await page.evaluate((k, v) => window.localStorage.setItem(k, v), key, value);
  }
  const result = await lighthouse(url, {
    port: chrome.port,
    output: 'json',
    logLevel: 'error',
    onlyCategories: ['performance'],
    disableStorageReset: Boolean(key),
  }, undefined, page);
  const lhr = result.lhr;
  const audit = (id) => lhr.audits[id] && lhr.audits[id].numericValue;
  console.log(JSON.stringify({
    url,
    lighthouse: lhr.lighthouseVersion,
    score: Math.round(lhr.categories.performance.score * 100),
    fcp_ms: audit('first-contentful-paint'),
    lcp_ms: audit('largest-contentful-paint'),
    tbt_ms: audit('total-blocking-time'),
    cls: audit('cumulative-layout-shift'),
    si_ms: audit('speed-index'),
    transfer_bytes: audit('total-byte-weight'),
    requests: lhr.audits['network-requests'].details.items.length,
    // Which first screen was shown: the feed (registered) or the places (street picker).
    api: lhr.audits['network-requests'].details.items
      .map((item) => new URL(item.url).pathname).filter((path) => path.startsWith('/api/')),
    cpu_slowdown: lhr.configSettings.throttling.cpuSlowdownMultiplier,
    method: lhr.configSettings.throttlingMethod,
    warnings: lhr.runWarnings,
  }));
  await browser.disconnect();
} finally {
  await chrome.kill();
}
