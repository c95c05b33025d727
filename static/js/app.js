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
  // Question threads: after "@" in a comment box, the members who can be mentioned are
  // offered as one types (arrows to choose, Enter or Tab to take, Escape to close). The
  // list comes from the page (the "Members you can mention" list named by data-mentions).
  var MENTION_AT_CARET = /(^|\s)@([^\s@]*)$/;
  var mentionBox = null;

  function mentionCandidates(textarea, typed) {
    var list = document.getElementById(textarea.getAttribute("data-mentions"));
    if (!list) { return []; }
    typed = typed.toLowerCase();
    return Array.prototype.filter.call(list.querySelectorAll("[data-handle]"), function (li) {
      var handle = li.getAttribute("data-handle").toLowerCase();
      var name = li.getAttribute("data-name").toLowerCase();
      return handle.indexOf(typed) === 0 || name.split(/\s+/).some(function (word) {
        return word.indexOf(typed) === 0;
      });
    }).slice(0, 8).map(function (li) {
      return { handle: li.getAttribute("data-handle"), name: li.getAttribute("data-name") };
    });
  }

  function mentionClose() {
    if (!mentionBox) { return; }
    var textarea = mentionBox.textarea;
    textarea.setAttribute("aria-expanded", "false");
    textarea.removeAttribute("aria-activedescendant");
    mentionBox.element.remove();
    mentionBox = null;
  }

  function mentionChoose(index) {
    var options = mentionBox.element.querySelectorAll("[role=option]");
    index = (index + options.length) % options.length;
    options.forEach(function (option, at) {
      option.classList.toggle("active", at === index);
      option.setAttribute("aria-selected", at === index ? "true" : "false");
    });
    mentionBox.index = index;
    mentionBox.textarea.setAttribute("aria-activedescendant", options[index].id);
  }

  function mentionTake(index) {
    var textarea = mentionBox.textarea;
    var handle = mentionBox.candidates[index].handle;
    var caret = textarea.selectionStart;
    var before = textarea.value.slice(0, caret).replace(MENTION_AT_CARET, "$1@" + handle + " ");
    textarea.value = before + textarea.value.slice(caret);
    textarea.setSelectionRange(before.length, before.length);
    mentionClose();
    textarea.focus();
  }

  function mentionOffer(textarea) {
    var found = MENTION_AT_CARET.exec(textarea.value.slice(0, textarea.selectionStart));
    var candidates = found ? mentionCandidates(textarea, found[2]) : [];
    mentionClose();
    if (!candidates.length) { return; }
    var element = document.createElement("ul");
    element.className = "list-group mention-suggestions shadow-sm";
    element.id = textarea.id + "-mentions";
    element.setAttribute("role", "listbox");
    element.setAttribute("aria-label", "Members to mention");
    candidates.forEach(function (person, index) {
      var option = document.createElement("li");
      option.className = "list-group-item list-group-item-action py-1";
      option.id = element.id + "-" + index;
      option.setAttribute("role", "option");
      var code = document.createElement("code");
      code.textContent = "@" + person.handle;
      option.appendChild(code);
      option.appendChild(document.createTextNode(" " + person.name));
      option.addEventListener("mousedown", function (event) {
        event.preventDefault();  // the box keeps the focus and the caret
        mentionTake(index);
      });
      element.appendChild(option);
    });
    textarea.insertAdjacentElement("afterend", element);
    textarea.setAttribute("aria-controls", element.id);
    textarea.setAttribute("aria-expanded", "true");
    mentionBox = { textarea: textarea, element: element, candidates: candidates, index: 0 };
    mentionChoose(0);
  }

  document.addEventListener("input", function (event) {
    var textarea = event.target;
    if (textarea.matches && textarea.matches("textarea[data-mentions]")) {
      textarea.setAttribute("aria-autocomplete", "list");
      mentionOffer(textarea);
    }
  });
  document.addEventListener("keydown", function (event) {
    if (!mentionBox || event.target !== mentionBox.textarea) { return; }
    var keys = { ArrowDown: 1, ArrowUp: -1 };
    if (event.key in keys) {
      event.preventDefault();
      mentionChoose(mentionBox.index + keys[event.key]);
    } else if (event.key === "Enter" || event.key === "Tab") {
      event.preventDefault();
      mentionTake(mentionBox.index);
    } else if (event.key === "Escape") {
      event.preventDefault();
      event.stopPropagation();  // the workshop's Escape is for leaving the box, not this
      mentionClose();
    }
  }, true);
  document.addEventListener("focusout", function (event) {
    if (mentionBox && event.target === mentionBox.textarea) { mentionClose(); }
  });
})();
