// Workshop mode: keyboard shortcuts for a facilitator at the projector, a visible save state,
// moving on without losing edits, and a gentle refresh when someone else changes the item on
// screen. The page works without this file.
(function () {
  "use strict";

  function typing(target) {
    var tag = (target && target.tagName) || "";
    return tag === "INPUT" && target.type !== "radio" && target.type !== "checkbox" ||
      tag === "TEXTAREA" || tag === "SELECT" || (target && target.isContentEditable);
  }

  // htmx binds new content a moment after swapping it in (when it settles). A shortcut pressed
  // inside that moment would follow the bare link or post the bare form, leaving workshop mode:
  // bind it now (htmx.process does nothing to an element already bound).
  function bound(element) {
    if (element && window.htmx) { window.htmx.process(element); }
    return element;
  }

  function click(id) {
    var element = bound(document.getElementById(id));
    if (element) { element.click(); return true; }
    return false;
  }

  function focus(id) {
    var element = document.getElementById(id);
    if (element) { element.focus(); return true; }
    return false;
  }

  function workshopForm() { return document.getElementById("workshop-form"); }

  // An open "add a risk" form: while it is open the shortcuts are off (its fields take the keys).
  function openRiskForm() { return document.querySelector("#workshop-item .risk-quick-add form"); }

  // --- The save state: no changes, unsaved, saving, saved, not saved ---------------------------

  var dirty = false;

  function showState(state, text) {
    var element = document.getElementById("save-state");
    if (!element) { return; }
    element.setAttribute("data-state", state);
    element.textContent = text;
  }

  document.addEventListener("input", function (event) {
    if (event.target.closest && event.target.closest("#workshop-form")) {
      dirty = true;
      showState("unsaved", "Unsaved changes: they are saved when you save or move on");
    }
  });
  document.addEventListener("change", function (event) {
    if (event.target.closest && event.target.closest("#workshop-form")) {
      dirty = true;
      showState("unsaved", "Unsaved changes: they are saved when you save or move on");
    }
    if (event.target.matches && event.target.matches("[data-submit-on-change]")) {
      event.target.form.submit();
    }
  });
  document.addEventListener("htmx:beforeRequest", function (event) {
    if (event.detail.elt && event.detail.elt.id === "workshop-form") { showState("saving", "Saving…"); }
  });
  document.addEventListener("htmx:responseError", function (event) {
    if (event.detail.elt && event.detail.elt.id === "workshop-form") {
      showState("unsaved", "Not saved: your changes are still here");
    }
  });
  document.addEventListener("htmx:sendError", function (event) {
    if (event.detail.elt && event.detail.elt.id === "workshop-form") {
      showState("unsaved", "Not saved: your changes are still here");
    }
  });
  window.addEventListener("beforeunload", function (event) {
    if (dirty) { event.preventDefault(); event.returnValue = ""; }
  });

  // --- Moving on: unsaved edits are saved first, under the same version rule ---------------

  function moveTo(link) {
    var form = bound(workshopForm());
    if (!dirty || !form) { bound(link).click(); return; }
    var target = new URL(link.href, window.location.href).searchParams.get("item");
    form.querySelector("input[name=go_to]").value = target || "";
    form.requestSubmit();  // saved: the next item comes back; a conflict: this item stays
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("#next-item, #previous-item");
    if (link && dirty && workshopForm() && !event.defaultPrevented) {
      event.preventDefault();
      event.stopImmediatePropagation();
      moveTo(link);
    }
  }, true);

  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target;
    if (target && target.id === "workshop-item") {
      var state = document.getElementById("save-state");
      dirty = state ? state.getAttribute("data-state") === "unsaved" : false;
      if (!document.activeElement || !document.activeElement.closest("#workshop-item")) {
        target.focus();
      }
    }
    // "Add a risk" opened: the cursor goes to its first field.
    var riskForm = target && target.querySelector && target.querySelector(".risk-quick-add form");
    if (riskForm) {
      var first = riskForm.querySelector("input:not([type=hidden]), select, textarea");
      if (first) { first.focus(); }
    }
    // Someone else saved the item: refresh it unless the facilitator has typed something.
    var notice = target && target.querySelector && target.querySelector("[data-item-changed]");
    if (notice && !dirty) {
      var refresh = notice.querySelector("[data-refresh-item]");
      if (refresh) { refresh.click(); }
    }
  });

  function closeRiskForm() {
    var card = document.querySelector("#workshop-item .risk-quick-add");
    if (!card) { return false; }
    var slot = document.createElement("div");
    slot.id = card.id;
    slot.className = "mt-2";
    card.replaceWith(slot);
    focus("add-risk");
    return true;
  }

  // --- Keys ---------------------------------------------------------------------------------

  // A key pressed while a new item is being swapped in waits until htmx has bound it (settled):
  // pressed earlier it would reach the old item, or a bare link that leaves workshop mode.
  var swapping = false;
  var pendingKey = null;
  document.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail.target;
    if (target && target.id === "workshop-item" && event.detail.shouldSwap) { swapping = true; }
  });
  document.addEventListener("htmx:afterSettle", function (event) {
    if (!event.detail.target || event.detail.target.id !== "workshop-item") { return; }
    swapping = false;
    var key = pendingKey;
    pendingKey = null;
    if (key) { shortcut(key); }
  });

  function shortcut(key) {
    switch (key) {
      case "ArrowRight": case "n":
        var next = document.getElementById("next-item");
        if (next) { moveTo(next); return true; }
        return false;
      case "ArrowLeft": case "p":
        var previous = document.getElementById("previous-item");
        if (previous) { moveTo(previous); return true; }
        return false;
      case "r": return focus("workshop-response");
      case "o": return focus("workshop-owner");
      case "m": return focus("minutes-text");
      case "q": return focusQuestion();
      case "a": return click("add-risk");
      case "c":  // confirm a carried-forward answer; with unsaved edits, saving confirms it
        if (dirty && workshopForm()) { bound(workshopForm()).requestSubmit(); return true; }
        return click("confirm-item");
      case "b":
        var blocker = document.getElementById("workshop-blocker");
        if (!blocker) { return false; }
        blocker.checked = !blocker.checked;
        blocker.dispatchEvent(new Event("change", { bubbles: true }));
        return focus("workshop-blocker-reason");
      default:
        if (!/^[1-6]$/.test(key)) { return false; }
        var radio = document.querySelector('#workshop-form input[data-shortcut="' + key + '"]');
        if (!radio) { return false; }
        radio.checked = true;
        radio.focus();
        radio.dispatchEvent(new Event("change", { bubbles: true }));
        return true;
    }
  }

  var SHORTCUTS = /^(ArrowRight|ArrowLeft|[nproambcq1-6])$/;

  // The questions panel's forms (ask, answer, change) send themselves with Ctrl+Enter.
  function ownForm(target) {
    return target && target.closest ? target.closest("form[data-own-submit]") : null;
  }

  function focusQuestion() {
    var box = document.querySelector("#workshop-item .questions .question[data-open] textarea") ||
      document.querySelector("#workshop-item .questions textarea");
    if (box) { box.focus(); return true; }
    return false;
  }

  document.addEventListener("keydown", function (event) {
    if ((event.ctrlKey || event.metaKey) && event.key === "Enter") {
      var form = bound(ownForm(event.target) || openRiskForm() || workshopForm());  // the risk form first, while it is open
      if (form) { event.preventDefault(); form.requestSubmit(); }
      return;
    }
    if (event.key === "Escape") {
      if (openRiskForm()) { event.preventDefault(); closeRiskForm(); return; }
      if (document.activeElement) { document.activeElement.blur(); }
      return;
    }
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target) || openRiskForm()) {
      return;
    }
    if (swapping && SHORTCUTS.test(event.key)) {
      pendingKey = event.key;
      event.preventDefault();
      return;
    }
    if (shortcut(event.key)) { event.preventDefault(); }
  });
})();
