// Workshop mode: keyboard shortcuts for a facilitator at the projector, and a gentle
// refresh when someone else changes the item on screen. The page works without it.
(function () {
  "use strict";

  function typing(target) {
    var tag = (target && target.tagName) || "";
    return tag === "INPUT" && target.type !== "radio" || tag === "TEXTAREA" || tag === "SELECT" || (target && target.isContentEditable);
  }

  function click(id) {
    var element = document.getElementById(id);
    if (element) { element.click(); return true; }
    return false;
  }

  function focus(id) {
    var element = document.getElementById(id);
    if (element) { element.focus(); return true; }
    return false;
  }

  var dirty = false;
  document.addEventListener("input", function (event) {
    if (event.target.closest && event.target.closest("#workshop-form")) { dirty = true; }
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail.target && event.detail.target.id === "workshop-item") {
      dirty = false;
      var form = document.getElementById("workshop-form");
      if (form && !document.activeElement.closest("#workshop-item")) { document.getElementById("workshop-item").focus(); }
    }
    // Someone else saved the item: refresh it unless the facilitator has typed something.
    var notice = event.detail.target && event.detail.target.querySelector && event.detail.target.querySelector("[data-item-changed]");
    if (notice && !dirty) {
      var refresh = notice.querySelector("[data-refresh-item]");
      if (refresh) { refresh.click(); }
    }
  });

  document.addEventListener("change", function (event) {
    if (event.target.matches && event.target.matches("[data-submit-on-change]")) {
      event.target.form.submit();
    }
  });

  document.addEventListener("keydown", function (event) {
    if ((event.ctrlKey || event.metaKey) && event.key === "Enter") {
      var form = document.getElementById("workshop-form");
      if (form) { event.preventDefault(); form.requestSubmit(); }
      return;
    }
    if (event.key === "Escape") {
      if (document.activeElement) { document.activeElement.blur(); }
      return;
    }
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) { return; }
    var handled = false;
    switch (event.key) {
      case "ArrowRight": case "n": handled = click("next-item"); break;
      case "ArrowLeft": case "p": handled = click("previous-item"); break;
      case "r": handled = focus("workshop-response"); break;
      case "o": handled = focus("workshop-owner"); break;
      case "m": handled = focus("minutes-text"); break;
      case "a": handled = click("add-risk"); break;
      default:
        if (/^[1-6]$/.test(event.key)) {
          var radio = document.querySelector('#workshop-form input[data-shortcut="' + event.key + '"]');
          if (radio) { radio.checked = true; radio.focus(); dirty = true; handled = true; }
        }
    }
    if (handled) { event.preventDefault(); }
  });
})();
