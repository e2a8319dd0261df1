// Runs before the page is drawn (a classic script, not a module), so that GOV.UK Frontend's
// JavaScript-only styles apply without a flash. It is a file, not inline, so the Content Security
// Policy needs no 'unsafe-inline'.
document.body.className += ' js-enabled' + ('noModule' in HTMLScriptElement.prototype ? ' govuk-frontend-supported' : '');
