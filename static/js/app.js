// readiness: small progressive enhancements. Pages work without this file.
(function () {
  "use strict";

  // Confirm destructive actions marked with data-confirm.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var message = form.getAttribute("data-confirm");
    if (message && !window.confirm(message)) {
      event.preventDefault();
    }
  });

  // The review page: open or close every area at once.
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-areas]");
    if (!button) { return; }
    var open = button.getAttribute("data-areas") === "open";
    document.querySelectorAll("details.review-area").forEach(function (area) { area.open = open; });
  });

  // On a phone the review page opens with its areas closed (each shows its progress):
  // a hundred rows are a long scroll on a small screen.
  if (window.matchMedia && window.matchMedia("(max-width: 767.98px)").matches) {
    document.querySelectorAll("details[data-close-on-phones]").forEach(function (area) { area.open = false; });
  }

  // One handler for every htmx request that fails: a visible message, never silence.
  // (409 and 422 are answered with the form and its message, swapped in place.)
  var MESSAGES = {
    400: "The request was not understood; nothing was saved. Reload the page and try again.",
    403: "You may not do that in this project; nothing was changed.",
    404: "That is not there any more (or is not shared with you). Reload the page.",
    410: "That link is no longer valid.",
    413: "That is too large to send.",
    429: "Too many requests at once; wait a moment and try again.",
  };

  function showProblem(text) {
    var region = document.getElementById("request-problems");
    if (!region) { window.alert(text); return; }
    var alert = document.createElement("div");
    alert.className = "alert alert-danger alert-dismissible shadow fade show mb-2";
    alert.setAttribute("role", "alert");
    alert.textContent = text;
    var close = document.createElement("button");
    close.type = "button";
    close.className = "btn-close";
    close.setAttribute("data-bs-dismiss", "alert");
    close.setAttribute("aria-label", "Close");
    alert.appendChild(close);
    region.appendChild(alert);
    window.setTimeout(function () { if (alert.parentNode) { alert.remove(); } }, 12000);
  }

  document.addEventListener("htmx:responseError", function (event) {
    var status = event.detail.xhr ? event.detail.xhr.status : 0;
    showProblem(MESSAGES[status] ||
      "Something went wrong on the server (" + status + "); nothing was saved. Try again, or reload the page.");
  });
  document.addEventListener("htmx:sendError", function () {
    showProblem("The server could not be reached; nothing was saved. Check your connection and try again.");
  });
  document.addEventListener("htmx:timeout", function () {
    showProblem("The server took too long to answer; nothing was saved. Try again.");
  });
})();
