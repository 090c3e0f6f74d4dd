/* Live preview of a lesson body: the server renders and sanitises the Markdown (the same
   render_markdown the agents' page uses), so nothing here builds HTML from the text itself.
   Without this script the form's Preview button does the same with a page reload. */
(function () {
  "use strict";
  var DELAY_MS = 300;

  function attach(textarea) {
    var pane = document.getElementById(textarea.getAttribute("data-preview-target"));
    var form = textarea.form;
    var token = form && form.querySelector('input[name="csrf_token"]');
    if (!pane || !token || !window.fetch) { return; }
    var timer = null;
    var latest = 0;

    function refresh() {
      var sent = ++latest;
      var data = new FormData();
      data.append("csrf_token", token.value);
      data.append("body", textarea.value);
      fetch(textarea.getAttribute("data-preview-url"), {
        method: "POST", body: data, credentials: "same-origin",
        headers: { "Accept": "application/json" }
      }).then(function (response) {
        if (!response.ok) { throw new Error("preview " + response.status); }
        return response.json();
      }).then(function (result) {
        if (sent !== latest) { return; }  // an older answer never overwrites a newer one
        pane.innerHTML = result.html;
        pane.classList.remove("lms-preview-stale");
      }).catch(function () {
        if (sent === latest) { pane.classList.add("lms-preview-stale"); }
      });
    }

    textarea.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(refresh, DELAY_MS);
    });
  }

  function start() {
    var areas = document.querySelectorAll("textarea[data-preview-url]");
    for (var i = 0; i < areas.length; i++) { attach(areas[i]); }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}());
