/* Joint responses: focus after a vote, and the draft editor's toolbar. Every page works without it. */
(function () {
  "use strict";

  // After a vote the card is swapped by htmx: put the keyboard on the next statement's first
  // button (or on the closing message when nothing is left), never back at the top of the page.
  document.addEventListener("htmx:afterSettle", function (event) {
    var card = document.getElementById("vote-card");
    var swapped = event.detail && event.detail.target;
    if (!card || !(card.contains(event.target) || (swapped && swapped.id === "vote-card"))) return;
    var target = card.querySelector(".vote-buttons button") || card.querySelector(".vote-end");
    if (target) target.focus();
  });

  // After a preview is swapped in, move to it so it is read (it is announced by its heading).
  document.addEventListener("htmx:afterSwap", function (event) {
    var slot = event.detail && event.detail.target;
    if (slot && slot.id === "draft-preview") slot.focus();
  });

  // The draft's Markdown toolbar: wraps the selection or prefixes the selected lines.
  // Words put in when nothing is selected, in the page's language (Django's JavaScript catalogue, when loaded).
  function gettext(text) { return window.gettext ? window.gettext(text) : text; }
  function inlineMarks() {
    return {
      bold: ["**", "**", gettext("bold text")],
      italic: ["_", "_", gettext("italic text")],
      link: ["[", "](https://)", gettext("link text")],
    };
  }
  var LINES = { heading: "## ", bullet: "- ", numbered: "1. ", quote: "> " };

  function apply(area, action) {
    var start = area.selectionStart, end = area.selectionEnd, text = area.value;
    var chosen = text.slice(start, end), before = text.slice(0, start), after = text.slice(end);
    var insert, selectFrom, selectTo, INLINE = inlineMarks();
    if (INLINE[action]) {
      var open = INLINE[action][0], close = INLINE[action][1];
      var inner = chosen || INLINE[action][2];
      insert = open + inner + close;
      selectFrom = start + open.length;
      selectTo = selectFrom + inner.length;
    } else if (LINES[action]) {
      var lineStart = before.lastIndexOf("\n") + 1;
      chosen = text.slice(lineStart, end);
      before = text.slice(0, lineStart);
      var n = 0;
      insert = chosen.split("\n").map(function (line) {
        n += 1;
        return (action === "numbered" ? n + ". " : LINES[action]) + line;
      }).join("\n");
      selectFrom = lineStart;
      selectTo = lineStart + insert.length;
    } else {
      return;
    }
    area.value = before + insert + after;
    area.focus();
    area.setSelectionRange(selectFrom, selectTo);
    area.dispatchEvent(new Event("input", { bubbles: true }));
  }

  function setUp(toolbar) {
    var area = document.getElementById(toolbar.dataset.for);
    if (!area) return;
    toolbar.hidden = false;
    toolbar.addEventListener("click", function (event) {
      var button = event.target.closest("button[data-md]");
      if (button) apply(area, button.dataset.md);
    });
    area.addEventListener("keydown", function (event) {
      if (!(event.ctrlKey || event.metaKey) || event.altKey) return;
      var key = event.key.toLowerCase();
      var action = key === "b" ? "bold" : key === "i" ? "italic" : key === "k" ? "link" : null;
      if (action) {
        event.preventDefault();
        apply(area, action);
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".md-toolbar[data-for]").forEach(setUp);
  });
})();
