// The state of a report job, kept current without reloading the page: every few seconds
// the page is fetched again and only its status block is replaced (announced politely to
// screen readers). A button stops the updates (WCAG 2.2.2); the page then says to reload.
(function () {
  "use strict";
  var status = document.getElementById("job-status");
  if (!status || !status.dataset.refresh) { return; }
  var every = parseInt(status.dataset.refresh, 10) || 3000;
  var timer = null;
  var button = document.getElementById("job-status-pause");

  function update() {
    fetch(window.location.href, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (html === null) { return schedule(); }
        var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("job-status");
        if (!fresh) { return; }
        status.innerHTML = fresh.innerHTML;
        if (fresh.dataset.refresh) {
          schedule();
        } else {
          delete status.dataset.refresh;
          if (button) { button.hidden = true; }
        }
      })
      .catch(schedule);
  }

  function schedule() { timer = window.setTimeout(update, every); }

  if (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      window.clearTimeout(timer);
      timer = null;
      button.hidden = true;
      var note = document.getElementById("job-status-paused");
      if (note) { note.hidden = false; }
    });
  }
  schedule();
})();
