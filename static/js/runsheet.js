// The run sheet in run mode: move between steps and mark them from the keyboard.
// j / k: next / previous step; s start, d done, f failed, x skip (the row's own buttons);
// n: the row's note; Esc: back from the note to the row. After a mark the row is swapped
// (htmx) and keeps the focus. The page works without this file (plain forms).
(function () {
  "use strict";

  var sheet = document.getElementById("run-sheet");
  if (!sheet) { return; }

  function typing(target) {
    var tag = (target && target.tagName) || "";
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" ||
      (target && target.isContentEditable);
  }

  function rows() { return Array.prototype.slice.call(sheet.querySelectorAll(".run-row")); }

  var current = null; // the id of the row that has (or last had) the focus

  function focusRow(row) {
    if (!row) { return; }
    current = row.id;
    rows().forEach(function (other) { other.classList.toggle("run-focus", other === row); });
    row.focus({ preventScroll: true });
    row.scrollIntoView({ block: "nearest" });
  }

  function currentRow() {
    var row = current && document.getElementById(current);
    if (row && sheet.contains(row)) { return row; }
    return null;
  }

  function move(step) {
    var all = rows();
    var row = currentRow();
    var index = row ? all.indexOf(row) + step : (step > 0 ? 0 : all.length - 1);
    index = Math.max(0, Math.min(all.length - 1, index));
    focusRow(all[index]);
  }

  // The first row still to be done takes the focus when the page opens.
  var first = sheet.querySelector(".run-running, .run-ready, .run-failed") || sheet.querySelector(".run-row");
  if (first && !window.location.hash) { focusRow(first); }
  if (window.location.hash) {
    var target = document.getElementById(window.location.hash.slice(1));
    if (target && target.classList.contains("run-row")) { focusRow(target); }
  }

  sheet.addEventListener("focusin", function (event) {
    var row = event.target.closest && event.target.closest(".run-row");
    if (row && row.id !== current) {
      current = row.id;
      rows().forEach(function (other) { other.classList.toggle("run-focus", other === row); });
    }
  });

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) { return; }
    if (event.key === "Escape" && typing(event.target) && currentRow()) {
      focusRow(currentRow());
      return;
    }
    if (typing(event.target)) { return; }
    var key = event.key;
    if (key === "j" || key === "ArrowDown" && event.target.closest && event.target.closest(".run-row")) {
      event.preventDefault(); move(1); return;
    }
    if (key === "k" || key === "ArrowUp" && event.target.closest && event.target.closest(".run-row")) {
      event.preventDefault(); move(-1); return;
    }
    var row = currentRow();
    if (!row) { return; }
    if (key === "n") {
      var note = row.querySelector(".run-note");
      if (note) { event.preventDefault(); note.focus(); }
      return;
    }
    var button = row.querySelector('button[data-key="' + key + '"]');
    if (button && !button.disabled) {
      event.preventDefault();
      if (window.htmx) { window.htmx.process(button.form); }
      button.click();
    }
  });

  // A row swapped in (a mark, or a successor that became ready) keeps the focus it had. The
  // focus moves only when the swap took it away: someone already typing a note in another row
  // (or elsewhere on the page) keeps typing there. A note typed but not yet sent survives the
  // swap of its row.
  var notes = {};
  document.addEventListener("htmx:beforeSwap", function (event) {
    notes = {};
    var sent = event.detail.elt && event.detail.elt.closest && event.detail.elt.closest(".run-row");
    rows().forEach(function (row) {
      var note = row !== sent && row.querySelector(".run-note");
      if (note && note.value) { notes[row.id] = note.value; }
    });
  });
  document.addEventListener("htmx:afterSettle", function () {
    Object.keys(notes).forEach(function (id) {
      var row = document.getElementById(id);
      var note = row && row.querySelector(".run-note");
      if (note && !note.value) { note.value = notes[id]; }
    });
    var active = document.activeElement;
    if (active && active !== document.body && active.isConnected) { return; }
    var row = currentRow();
    if (row) { focusRow(row); }
  });
  // Two clicks before the answer would send two marks: the second waits for the first.
  document.addEventListener("htmx:beforeRequest", function (event) {
    var form = event.detail.elt;
    if (form && form.classList && form.classList.contains("run-marks")) {
      form.querySelectorAll("button").forEach(function (button) { button.disabled = true; });
    }
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    var form = event.detail.elt;
    if (form && form.isConnected && form.classList && form.classList.contains("run-marks")) {
      form.querySelectorAll("button").forEach(function (button) { button.disabled = false; });
    }
  });
})();
