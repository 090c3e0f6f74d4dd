/* Copy buttons: <button data-copy-target="ID"> copies the text of element ID to the clipboard,
   with the Clipboard API where the page is a secure context, else through a temporary
   textarea (intranets often serve plain http). The button says whether it worked. */
(function () {
  "use strict";
  var RESET_MS = 2000;

  function viaTextarea(text) {
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";  // CSSOM, not an inline style attribute: allowed by the CSP
    area.style.top = "-1000px";
    document.body.appendChild(area);
    area.select();
    var copied = false;
    try {
      copied = document.execCommand("copy");
    } catch (error) {
      copied = false;
    }
    document.body.removeChild(area);
    return copied;
  }

  function report(button, copied) {
    var label = button.getAttribute(copied ? "data-copied" : "data-failed");
    if (!label) { return; }
    if (!button.hasAttribute("data-label")) { button.setAttribute("data-label", button.textContent); }
    button.textContent = label;
    clearTimeout(button.copyTimer);
    button.copyTimer = setTimeout(function () {
      button.textContent = button.getAttribute("data-label");
    }, RESET_MS);
  }

  function copy(button) {
    var source = document.getElementById(button.getAttribute("data-copy-target"));
    if (!source) { return; }
    var text = source.tagName === "TEXTAREA" ? source.value : source.textContent;
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(function () {
        report(button, true);
      }, function () {
        report(button, viaTextarea(text));
      });
    } else {
      report(button, viaTextarea(text));
    }
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-copy-target]") : null;
    if (button) {
      event.preventDefault();
      copy(button);
    }
  });
}());
