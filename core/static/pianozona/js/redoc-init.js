// Starts Redoc from a file rather than an inline script (the CSP allows none). Redoc's
// styled-components add <style> elements: they carry the page's nonce, read here from
// this tag's data attribute. No search box: it would run in a blob: worker.
const tag = document.currentScript;
Redoc.init(tag.dataset.specUrl, { nonce: tag.dataset.nonce, disableSearch: true },
           document.getElementById("redoc-container"));
