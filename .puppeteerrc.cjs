// Never let puppeteer (pulled in by whatsapp-web.js) download Chrome at install time:
// this machine reaches only the npm and Debian registries. We drive Debian's /usr/bin/chromium.
module.exports = { skipDownload: true };
